package org.tesjames.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The settings of the TES health checks, the {@code tes.health.*} keys of James's {@code conf/healthcheck.properties}
 * (the file that also names the checks, {@code additional.healthchecks}; James's own keys there are not TES's
 * business). Parsing is strict: an unknown {@code tes.} key or a malformed value fails naming the key and the value.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code tes.health.dns.probe}</td><td>{@code .}</td><td>the name whose NS records the DNS resolver
 *       check asks the resolvers for, without the cache</td></tr>
 *   <tr><td>{@code tes.health.dns.slow}</td><td>{@code 2s}</td><td>an answer slower than this is degraded; none
 *       within {@code lookup.timeout} is unhealthy</td></tr>
 *   <tr><td>{@code tes.health.dnssec.probe}</td><td>{@code .}</td><td>the name whose DNSKEY records the DNSSEC check
 *       must obtain as secure (validated with the configured anchors); {@code none}: no DNSSEC check (a server
 *       without outbound DANE)</td></tr>
 *   <tr><td>{@code tes.health.deferred.max-mails}</td><td>{@code 1000}</td><td>more mails parked by
 *       {@code TesDefer} than this (all deferral repositories together) is degraded (1-10000000)</td></tr>
 *   <tr><td>{@code tes.health.deferred.max-age}</td><td>{@code 6h}</td><td>a parked mail first deferred longer ago
 *       than this is degraded</td></tr>
 * </table>
 *
 * @param dnsProbe            the resolver check's name
 * @param dnsSlow             above this the resolver is degraded
 * @param dnssecProbe         the DNSSEC check's name; empty: no DNSSEC check
 * @param deferredMaxMails    above this many parked mails the backlog is degraded
 * @param deferredMaxAge      above this age of the oldest parked mail the backlog is degraded
 */
public record HealthSettings(Name dnsProbe, Duration dnsSlow, Optional<Name> dnssecProbe, int deferredMaxMails,
                             Duration deferredMaxAge) {
    public static final String DNS_PROBE = "tes.health.dns.probe";
    public static final String DNS_SLOW = "tes.health.dns.slow";
    public static final String DNSSEC_PROBE = "tes.health.dnssec.probe";
    public static final String DEFERRED_MAX_MAILS = "tes.health.deferred.max-mails";
    public static final String DEFERRED_MAX_AGE = "tes.health.deferred.max-age";

    /** The default of each key, as documented. */
    public static final Map<String, String> DEFAULTS = Map.of(
        DNS_PROBE, ".",
        DNS_SLOW, "2s",
        DNSSEC_PROBE, ".",
        DEFERRED_MAX_MAILS, "1000",
        DEFERRED_MAX_AGE, "6h");

    public HealthSettings {
        if (dnsSlow.isZero() || dnsSlow.isNegative()) {
            throw new IllegalArgumentException(DNS_SLOW + " must be positive: " + dnsSlow);
        }
        if (deferredMaxAge.isZero() || deferredMaxAge.isNegative()) {
            throw new IllegalArgumentException(DEFERRED_MAX_AGE + " must be positive: " + deferredMaxAge);
        }
    }

    public static HealthSettings defaults() {
        return parse(new Properties());
    }

    /**
     * Parses the {@code tes.} keys of {@code healthcheck.properties}; other keys are James's and left alone.
     *
     * @throws IllegalArgumentException naming the key and the value of the first problem
     */
    public static HealthSettings parse(Properties properties) {
        Set<String> unknown = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("tes.") && !DEFAULTS.containsKey(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown key(s) in healthcheck.properties: " + String.join(", ", unknown)
                + " (known TES keys: " + String.join(", ", new TreeSet<>(DEFAULTS.keySet())) + ")");
        }
        return new HealthSettings(
            value(properties, DNS_PROBE, HealthSettings::name),
            value(properties, DNS_SLOW, HealthSettings::positive),
            value(properties, DNSSEC_PROBE, text -> text.equals("none") ? Optional.empty() : Optional.of(name(text))),
            value(properties, DEFERRED_MAX_MAILS, text -> count(text, 1, 10_000_000)),
            value(properties, DEFERRED_MAX_AGE, HealthSettings::positive));
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + e.getMessage(), e);
        }
    }

    private static Duration positive(String text) {
        Duration duration = Durations.parse(text);
        if (duration.isZero()) {
            throw new IllegalArgumentException("must be positive");
        }
        return duration;
    }

    private static int count(String text, int min, int max) {
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
        }
        return value;
    }

    private static <T> T value(Properties properties, String key, Function<String, T> parser) {
        String raw = properties.getProperty(key, DEFAULTS.get(key)).trim();
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid value '" + raw + "' for " + key + ": " + e.getMessage(), e);
        }
    }
}
