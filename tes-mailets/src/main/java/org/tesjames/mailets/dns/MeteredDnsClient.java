package org.tesjames.mailets.dns;

import java.util.concurrent.CompletionStage;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * Measures the queries that go to the resolvers: the timer {@code tes.dns.latency} and one counter per outcome,
 * {@code tes.dns.outcome.<answer|nxdomain|nodata|SERVFAIL|REFUSED|TIMEOUT|NETWORK_ERROR|MALFORMED|OTHER_RCODE|...>},
 * over every query; and per query type (A, AAAA, MX, TXT, TLSA, CNAME, DS, DNSKEY, ...) the timer
 * {@code tes.dns.latency.<TYPE>} and the counters {@code tes.dns.outcome.<TYPE>.<outcome>}.
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
        String typeName = Type.string(type);
        TimeMetric timer = metrics.timer("tes.dns.latency");
        TimeMetric typeTimer = metrics.timer("tes.dns.latency." + typeName);
        return upstream.query(name, type).thenApply(result -> {
            timer.stopAndPublish();
            typeTimer.stopAndPublish();
            String outcome = outcome(result);
            metrics.generate("tes.dns.outcome." + outcome).increment();
            metrics.generate("tes.dns.outcome." + typeName + "." + outcome).increment();
            return result;
        });
    }

    /**
     * The outcome of a query as the metrics and WebAdmin name it: {@code answer}, {@code nxdomain}, {@code nodata},
     * or the failure kind ({@code SERVFAIL}, {@code TIMEOUT}, ...).
     */
    public static String outcome(DnsResult result) {
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
