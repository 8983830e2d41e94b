package org.tesjames.mailets.dns;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.tesjames.core.dns.DnsMetrics;
import org.xbill.DNS.Type;

/**
 * Publishes the TES DNS cache's events through James's {@link MetricFactory}: {@code tes.dns.cache.hit},
 * {@code tes.dns.cache.miss}, {@code tes.dns.cache.coalesced}, {@code tes.dns.cache.eviction} and
 * {@code tes.dns.query.<TYPE>} (queries sent upstream). Outcomes and latency: {@link MeteredDnsClient}.
 */
public final class JamesDnsMetrics implements DnsMetrics {
    private final MetricFactory metrics;
    // made once: the cache reports a hit for most DNS questions of every message
    private final Metric hits;
    private final Metric misses;
    private final Metric coalesced;
    private final Metric evictions;

    public JamesDnsMetrics(MetricFactory metrics) {
        this.metrics = metrics;
        this.hits = metrics.generate("tes.dns.cache.hit");
        this.misses = metrics.generate("tes.dns.cache.miss");
        this.coalesced = metrics.generate("tes.dns.cache.coalesced");
        this.evictions = metrics.generate("tes.dns.cache.eviction");
    }

    @Override
    public void hit(int type) {
        hits.increment();
    }

    @Override
    public void miss(int type) {
        misses.increment();
    }

    @Override
    public void coalesced(int type) {
        coalesced.increment();
    }

    @Override
    public void upstreamQuery(int type) {
        metrics.generate("tes.dns.query." + Type.string(type)).increment();
    }

    @Override
    public void eviction() {
        evictions.increment();
    }
}
