package org.tesjames.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The server-wide TES settings, read from {@code conf/tes.properties}. Parsing is strict: an unknown key or a
 * malformed value fails with a message naming the key and the value, never a silent default.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code dns.resolvers}</td><td>{@code system}</td><td>comma-separated resolver addresses
 *       ({@code 127.0.0.1}, {@code 127.0.0.1:5353}, {@code [::1]:53}) used by every TES DNS lookup;
 *       {@code system} means the resolvers of the operating system</td></tr>
 *   <tr><td>{@code dns.timeout}</td><td>{@code 5s}</td><td>time to wait for one answer from a resolver
 *       ({@code 500ms}, {@code 5s}, {@code 1m})</td></tr>
 * </table>
 */
public record TesSettings(Resolvers resolvers, Duration dnsTimeout) {
    public static final String DNS_RESOLVERS = "dns.resolvers";
    public static final String DNS_TIMEOUT = "dns.timeout";

    /** The default value of each key, as documented in the shipped {@code tes.properties}. */
    public static final Map<String, String> DEFAULTS = Map.of(
        DNS_RESOLVERS, "system",
        DNS_TIMEOUT, "5s");

    public TesSettings {
        Objects.requireNonNull(resolvers, "resolvers");
        Objects.requireNonNull(dnsTimeout, "dnsTimeout");
        if (dnsTimeout.isNegative() || dnsTimeout.isZero()) {
            throw new IllegalArgumentException("dns.timeout must be positive, got " + dnsTimeout);
        }
    }

    /** Where DNS queries go: the operating system's resolvers, or an explicit list. */
    public sealed interface Resolvers {
        record System() implements Resolvers {
            @Override
            public String toString() {
                return "system";
            }
        }

        record Explicit(List<ResolverAddress> addresses) implements Resolvers {
            public Explicit {
                addresses = List.copyOf(addresses);
                if (addresses.isEmpty()) {
                    throw new IllegalArgumentException("an explicit resolver list needs at least one address");
                }
            }

            @Override
            public String toString() {
                return addresses.stream().map(ResolverAddress::toString).collect(Collectors.joining(","));
            }
        }

        static Resolvers parse(String value) {
            if (value.trim().equals("system")) {
                return new System();
            }
            return new Explicit(Arrays.stream(value.split(",", -1))
                .map(ResolverAddress::parse)
                .toList());
        }
    }

    public static TesSettings defaults() {
        return parse(new Properties());
    }

    /**
     * Parses the settings; keys that are absent take their default.
     *
     * @throws IllegalArgumentException naming the key and value of the first problem found
     */
    public static TesSettings parse(Properties properties) {
        Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
        unknown.removeAll(DEFAULTS.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown key(s) in tes.properties: " + String.join(", ", unknown)
                + " (known keys: " + String.join(", ", new TreeSet<>(DEFAULTS.keySet())) + ")");
        }
        return new TesSettings(
            value(properties, DNS_RESOLVERS, Resolvers::parse),
            value(properties, DNS_TIMEOUT, Durations::parse));
    }

    private static <T> T value(Properties properties, String key, Function<String, T> parser) {
        String raw = properties.getProperty(key, DEFAULTS.get(key));
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid value '" + raw + "' for " + key + ": " + e.getMessage(), e);
        }
    }
}
