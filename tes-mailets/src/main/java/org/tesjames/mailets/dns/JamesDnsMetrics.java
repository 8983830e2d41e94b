package org.tesjames.mailets.dns;

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

    public JamesDnsMetrics(MetricFactory metrics) {
        this.metrics = metrics;
    }

    @Override
    public void hit(int type) {
        metrics.generate("tes.dns.cache.hit").increment();
    }

    @Override
    public void miss(int type) {
        metrics.generate("tes.dns.cache.miss").increment();
    }

    @Override
    public void coalesced(int type) {
        metrics.generate("tes.dns.cache.coalesced").increment();
    }

    @Override
    public void upstreamQuery(int type) {
        metrics.generate("tes.dns.query." + Type.string(type)).increment();
    }

    @Override
    public void eviction() {
        metrics.generate("tes.dns.cache.eviction").increment();
    }
}
