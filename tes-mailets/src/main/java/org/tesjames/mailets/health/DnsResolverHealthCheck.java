package org.tesjames.mailets.health;

import java.time.Duration;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.Result;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Type;

/**
 * {@code tes-dns}: the TES resolvers ({@code dns.resolvers}) answer a probe, NS of {@code tes.health.dns.probe}
 * asked without the cache. Any answer (records, NODATA, NXDOMAIN) within {@code tes.health.dns.slow}: healthy;
 * slower: degraded (every membership lookup waits as long); SERVFAIL, REFUSED, a timeout, a network error, or no
 * answer within {@code lookup.timeout}: unhealthy (inbound mail is deferred with 451 until it recovers).
 */
public class DnsResolverHealthCheck extends TesHealthCheck {
    public static final ComponentName NAME = new ComponentName("tes-dns");

    private final HealthProbes probes;

    @Inject
    public DnsResolverHealthCheck(HealthProbes probes) {
        super(NAME);
        this.probes = probes;
    }

    @Override
    Result run() throws InterruptedException {
        String query = "NS " + probes.settings().dnsProbe();
        long start = System.nanoTime();
        DnsResult result = probes.ask(probes.plain(), probes.settings().dnsProbe(), Type.NS);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (result instanceof DnsResult.Failure failure) {
            return Result.unhealthy(NAME, query + ": " + failure.kind() + " " + failure.detail());
        }
        if (elapsed.compareTo(probes.settings().dnsSlow()) > 0) {
            return Result.degraded(NAME, query + ": answered in " + elapsed.toMillis() + " ms, slower than "
                + "tes.health.dns.slow (" + probes.settings().dnsSlow().toMillis() + " ms)");
        }
        return Result.healthy(NAME);
    }
}
