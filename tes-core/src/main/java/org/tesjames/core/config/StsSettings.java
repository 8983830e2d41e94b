package org.tesjames.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The MTA-STS settings of {@code tes.properties} ({@code sts.*}).
 *
 * @param enabled whether MTA-STS policies of non-member destinations are discovered and applied
 * @param trustStore a PEM file of trusted CA certificates; empty: the JDK's trust store
 * @param fetchTimeout the limit of one whole policy fetch
 * @param fetchMaxBytes the largest policy accepted
 * @param fetchPort the HTTPS port of policy hosts
 * @param cacheSize the most domains whose policy is cached
 */
public record StsSettings(boolean enabled, Optional<Path> trustStore, Duration fetchTimeout, int fetchMaxBytes,
                          int fetchPort, int cacheSize) {
    public static final int MIN_FETCH_BYTES = 1024;
    public static final int MAX_FETCH_BYTES = 1_048_576;
    public static final int MAX_CACHE_SIZE = 10_000_000;
    public static final Duration MAX_FETCH_TIMEOUT = Duration.ofMinutes(5);

    public StsSettings {
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        if (fetchTimeout.isZero() || fetchTimeout.isNegative() || fetchTimeout.compareTo(MAX_FETCH_TIMEOUT) > 0) {
            throw new IllegalArgumentException(TesSettings.STS_FETCH_TIMEOUT + " must be positive and at most 5m, got "
                + fetchTimeout);
        }
    }
}
