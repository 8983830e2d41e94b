package org.tesjames.core.submission;

import java.time.Duration;
import java.util.Objects;

/**
 * How many failed SMTP {@code AUTH} attempts the submission listeners allow.
 *
 * @param perSession failures after which the session is closed (1-100)
 * @param perAddress failures of one client address within {@code addressWindow} after which that address may not
 *                   try again until the oldest of them is {@code addressWindow} old (1-1000)
 * @param addressWindow the window of {@code perAddress}, positive and at most one day
 * @param addressTableSize most client addresses remembered at once (1-10000000); the least recently failing
 *                         ones are forgotten first
 */
public record AuthFailureLimits(int perSession, int perAddress, Duration addressWindow, int addressTableSize) {
    public static final int MAX_PER_SESSION = 100;
    public static final int MAX_PER_ADDRESS = 1000;
    public static final Duration MAX_WINDOW = Duration.ofDays(1);
    public static final int MAX_TABLE_SIZE = 10_000_000;

    public AuthFailureLimits {
        requireRange("failures per session", perSession, 1, MAX_PER_SESSION);
        requireRange("failures per address", perAddress, 1, MAX_PER_ADDRESS);
        Objects.requireNonNull(addressWindow, "addressWindow");
        if (addressWindow.isNegative() || addressWindow.isZero() || addressWindow.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("the address window must be positive and at most "
                + MAX_WINDOW.toHours() + "h, got " + addressWindow);
        }
        requireRange("address table size", addressTableSize, 1, MAX_TABLE_SIZE);
    }

    private static void requireRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
