package org.tesjames.cli;

import java.time.Duration;

import org.tesjames.core.config.Durations;
import org.tesjames.core.config.ResolverAddress;

/** Option values shared by the commands, each failing with a message that names the option. */
final class OptionValues {
    private OptionValues() {
    }

    static String required(String option, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    static <T> T once(String option, T previous, T value) {
        if (previous != null) {
            throw new IllegalArgumentException(option + " given twice");
        }
        return value;
    }

    static ResolverAddress resolver(String value) {
        try {
            return ResolverAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad --resolver: " + e.getMessage(), e);
        }
    }

    static Duration timeout(String value) {
        Duration timeout;
        try {
            timeout = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad --timeout: " + e.getMessage(), e);
        }
        if (timeout.isZero()) {
            throw new IllegalArgumentException("bad --timeout: '" + value + "' must be positive");
        }
        return timeout;
    }
}
