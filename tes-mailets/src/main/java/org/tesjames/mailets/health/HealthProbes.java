package org.tesjames.mailets.health;

import java.time.Duration;
import java.util.Objects;

import org.tesjames.core.config.HealthSettings;
import org.tesjames.core.dns.DnsClient;

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
}
