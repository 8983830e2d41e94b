package org.tesjames.core.sts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An MTA-STS policy (RFC 8461 section 3.2), parsed strictly from the text served at
 * {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}.
 *
 * <p>Syntax accepted: one {@code key: value} field per line (CRLF or LF), optional white space after the colon
 * and at the end of a line, empty lines ignored. {@code version} must be {@code STSv1}; {@code mode} one of
 * {@code enforce}, {@code testing}, {@code none}; {@code max_age} 0 to 31557600 seconds (at most 10 digits);
 * {@code mx} a host name or a wildcard {@code *.<host name>}, required at least once unless the mode is
 * {@code none}. Unknown fields are ignored (extensions); {@code version}, {@code mode} and {@code max_age} given
 * twice make the policy invalid (a sender could not tell which one the domain meant).
 *
 * @param mode the mode
 * @param mx the MX patterns, lower case, without trailing dot
 * @param maxAge how long the policy may be cached
 */
public record StsPolicy(Mode mode, List<String> mx, Duration maxAge) {
    /** The largest {@code max_age} (one year, RFC 8461 section 3.2). */
    public static final long MAX_AGE_LIMIT = 31_557_600L;
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern MAX_AGE = Pattern.compile("[0-9]{1,10}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** What a policy asks of senders. */
    public enum Mode {
        /** Deliver only to matching MX hosts over PKIX-authenticated TLS. */
        ENFORCE("enforce"),
        /** Deliver as without a policy; report failures. */
        TESTING("testing"),
        /** No policy (the way to withdraw one). */
        NONE("none");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        /** @return the name in the policy text */
        public String label() {
            return label;
        }

        static Mode parse(String text) {
            return Arrays.stream(values()).filter(mode -> mode.label.equals(text)).findFirst().orElseThrow(
                () -> new StsPolicyException("mode '" + text + "' is not enforce, testing or none"));
        }
    }

    public StsPolicy {
        Objects.requireNonNull(mode, "mode");
        mx = List.copyOf(mx);
        Objects.requireNonNull(maxAge, "maxAge");
    }

    /**
     * Parses a policy.
     *
     * @param text the body of the policy response
     * @return the policy
     * @throws StsPolicyException naming the first problem
     */
    public static StsPolicy parse(String text) {
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int lineNumber = 0;
        for (String raw : text.split("\r?\n", -1)) {
            lineNumber++;
            String line = raw.stripTrailing();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? line : line.substring(0, colon);
            if (colon < 0 || !FIELD_NAME.matcher(name).matches()) {
                throw new StsPolicyException("line " + lineNumber + " is not a 'name: value' field");
            }
            String value = line.substring(colon + 1).strip();
            if (!name.equals("mx") && !seen.add(name)) {
                throw new StsPolicyException("field " + name + " is given twice");
            }
            switch (name) {
                case "version" -> version = value;
                case "mode" -> mode = Mode.parse(value);
                case "max_age" -> maxAge = maxAge(value);
                case "mx" -> mx.add(mxPattern(value));
                default -> {
                    // an extension field: ignored (RFC 8461 section 3.2)
                }
            }
        }
        if (!"STSv1".equals(version)) {
            throw new StsPolicyException(version == null ? "no version field" : "version '" + version
                + "' is not STSv1");
        }
        if (mode == null) {
            throw new StsPolicyException("no mode field");
        }
        if (maxAge == null) {
            throw new StsPolicyException("no max_age field");
        }
        if (mx.isEmpty() && mode != Mode.NONE) {
            throw new StsPolicyException("no mx field (required with mode " + mode.label() + ")");
        }
        return new StsPolicy(mode, mx, Duration.ofSeconds(maxAge));
    }

    private static long maxAge(String value) {
        if (!MAX_AGE.matcher(value).matches()) {
            throw new StsPolicyException("max_age '" + value + "' is not a number of seconds");
        }
        long seconds = Long.parseLong(value);
        if (seconds > MAX_AGE_LIMIT) {
            throw new StsPolicyException("max_age " + seconds + " is over " + MAX_AGE_LIMIT + " seconds");
        }
        return seconds;
    }

    private static String mxPattern(String value) {
        String pattern = value.toLowerCase(Locale.ROOT);
        if (pattern.endsWith(".")) {
            pattern = pattern.substring(0, pattern.length() - 1);
        }
        String host = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
        String[] labels = host.split("\\.", -1);
        boolean valid = host.length() <= 253
            && Arrays.stream(labels).allMatch(label -> LABEL.matcher(label).matches());
        if (!valid) {
            throw new StsPolicyException("mx '" + value + "' is not a host name or *.<host name>");
        }
        return pattern;
    }

    /**
     * Whether an MX host is listed (RFC 8461 section 4.1): an exact pattern matches that name; a wildcard
     * {@code *.example.com} matches exactly one more label on the left ({@code mx.example.com}, not
     * {@code example.com} nor {@code a.mx.example.com}). Case and a trailing dot are ignored.
     *
     * @param host the MX host name
     * @return whether the policy admits it
     */
    public boolean admits(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        for (String pattern : mx) {
            if (pattern.startsWith("*.")) {
                String suffix = pattern.substring(1);
                int dot = name.indexOf('.');
                if (dot > 0 && name.substring(dot).equals(suffix)) {
                    return true;
                }
            } else if (pattern.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** @return the policy in its text form (CRLF lines) */
    public String text() {
        StringBuilder text = new StringBuilder("version: STSv1\r\nmode: ").append(mode.label()).append("\r\n");
        mx.forEach(pattern -> text.append("mx: ").append(pattern).append("\r\n"));
        return text.append("max_age: ").append(maxAge.toSeconds()).append("\r\n").toString();
    }
}
