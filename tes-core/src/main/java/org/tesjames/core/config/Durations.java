package org.tesjames.core.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict duration syntax for configuration values: a whole number followed by a unit,
 * {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} (for example {@code 500ms}, {@code 5s}, {@code 1h}).
 * No unit, a fraction, a negative number or an unknown unit is an error.
 */
public final class Durations {
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private Durations() {
    }

    public static Duration parse(String value) {
        Matcher matcher = SYNTAX.matcher(value.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a duration"
                + " (expected a whole number and a unit ms, s, m, h or d, e.g. 5s)");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalStateException("unreachable unit " + matcher.group(2));
        };
    }
}
