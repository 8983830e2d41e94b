package org.tesjames.mailets.dns;

import java.util.concurrent.CompletionStage;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;

/**
 * Measures the queries that go to the resolvers: the timer {@code tes.dns.latency} and one counter per outcome,
 * {@code tes.dns.outcome.<answer|nxdomain|nodata|SERVFAIL|REFUSED|TIMEOUT|NETWORK_ERROR|MALFORMED|OTHER_RCODE>}.
 */
public final class MeteredDnsClient implements DnsClient {
    private final DnsClient upstream;
    private final MetricFactory metrics;

    public MeteredDnsClient(DnsClient upstream, MetricFactory metrics) {
        this.upstream = upstream;
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<DnsResult> query(Name name, int type) {
        TimeMetric timer = metrics.timer("tes.dns.latency");
        return upstream.query(name, type).thenApply(result -> {
            timer.stopAndPublish();
            metrics.generate("tes.dns.outcome." + outcome(result)).increment();
            return result;
        });
    }

    static String outcome(DnsResult result) {
        if (result instanceof DnsResult.Answer) {
            return "answer";
        }
        if (result instanceof DnsResult.NxDomain) {
            return "nxdomain";
        }
        if (result instanceof DnsResult.NoData) {
            return "nodata";
        }
        return ((DnsResult.Failure) result).kind().name();
    }
}
