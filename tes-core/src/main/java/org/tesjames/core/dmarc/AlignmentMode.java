package org.tesjames.core.dmarc;

import java.util.Optional;

/** Identifier alignment mode ({@code adkim}, {@code aspf}; RFC 7489 sections 3.1 and 6.3): {@code r} or {@code s}. */
public enum AlignmentMode {
    /** {@code r}: the two domains have the same Organizational Domain (the default). */
    RELAXED("r"),
    /** {@code s}: the two domains are identical (case-insensitive). */
    STRICT("s");

    private final String token;

    AlignmentMode(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    static Optional<AlignmentMode> fromToken(String token) {
        for (AlignmentMode mode : values()) {
            if (mode.token.equalsIgnoreCase(token)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
