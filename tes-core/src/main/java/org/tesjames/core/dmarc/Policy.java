package org.tesjames.core.dmarc;

import java.util.Locale;
import java.util.Optional;

/**
 * A requested Mail Receiver policy ({@code p} and {@code sp}, RFC 7489 section 6.3), which is also the
 * vocabulary of the applied disposition (section 6.6.4).
 */
public enum Policy {
    NONE, QUARANTINE, REJECT;

    /** The token of the record ({@code none}, {@code quarantine}, {@code reject}). */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The policy one step weaker, applied to a message that {@code pct} sampling leaves out (section 6.6.4). */
    public Policy sampledOut() {
        return switch (this) {
            case REJECT -> QUARANTINE;
            case QUARANTINE, NONE -> NONE;
        };
    }

    static Optional<Policy> fromToken(String token) {
        for (Policy policy : values()) {
            if (policy.token().equalsIgnoreCase(token)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }
}
