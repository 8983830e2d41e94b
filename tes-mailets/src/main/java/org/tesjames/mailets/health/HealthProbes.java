package org.tesjames.mailets.health;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.tesjames.core.config.HealthSettings;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;

/**
 * What the TES health checks need, provided by {@code TesModule}: their settings, {@code lookup.timeout}, and two
 * DNS clients over the configured resolvers without any cache (a probe must reach the resolvers): a plain one, and
 * one whose {@code authenticated} flag is trustworthy per {@code dnssec.mode}.
 *
 * @param settings      the {@code tes.health.*} keys of {@code healthcheck.properties}
 * @param lookupTimeout how long a probe may wait for its answer
 * @param plain         the resolvers, uncached
 * @param dnssec        the resolvers behind DNSSEC validation (or trusting their AD flag), uncached
 */
public record HealthProbes(HealthSettings settings, Duration lookupTimeout, DnsClient plain, DnsClient dnssec) {
    public HealthProbes {
        Objects.requireNonNull(settings);
        Objects.requireNonNull(lookupTimeout);
        Objects.requireNonNull(plain);
        Objects.requireNonNull(dnssec);
    }

    /**
     * Asks one question and waits at most {@code lookupTimeout}; no answer in that time is a
     * {@link DnsResult.Failure.Kind#TIMEOUT} failure, like any other.
     */
    public DnsResult ask(DnsClient client, Name name, int type) throws InterruptedException {
        try {
            return client.query(name, type).toCompletableFuture().get(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new DnsResult.Failure(name, type, DnsResult.Failure.Kind.TIMEOUT,
                "no answer within lookup.timeout (" + lookupTimeout + ")");
        } catch (ExecutionException e) {
            return new DnsResult.Failure(name, type, DnsResult.Failure.Kind.NETWORK_ERROR, String.valueOf(e.getCause()));
        }
    }
}
