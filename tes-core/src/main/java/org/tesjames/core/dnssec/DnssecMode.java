package org.tesjames.core.dnssec;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where DNSSEC validation happens (setting {@code dnssec.mode}).
 */
public enum DnssecMode {
    /**
     * TES validates itself: dnsjava's {@code ValidatingResolver} in front of each configured (recursive)
     * resolver, with the trust anchors of {@code dnssec.anchors}. The default: it needs nothing of the
     * resolver beyond passing DNSSEC records (EDNS DO).
     */
    VALIDATE("validate"),
    /**
     * The configured resolver validates and TES trusts its AD flag (RFC 6698 section 4.1, RFC 4035 section 4.9.3:
     * only safe over a trusted, secured path to the resolver); allowed only for loopback resolvers unless
     * {@code dnssec.trust-ad.allow-remote=true}.
     */
    TRUST_AD("trust-ad");

    private final String value;

    DnssecMode(String value) {
        this.value = value;
    }

    /**
     * The mode of a setting value, exactly {@code validate} or {@code trust-ad} (surrounding white space
     * ignored).
     *
     * @param text the value
     * @return the mode
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DnssecMode parse(String text) {
        String trimmed = text.trim();
        for (DnssecMode mode : values()) {
            if (mode.value.equals(trimmed)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a DNSSEC mode (expected one of: "
            + Arrays.stream(values()).map(DnssecMode::toString).collect(Collectors.joining(", ")) + ")");
    }

    /** The setting value: {@code validate} or {@code trust-ad}. */
    @Override
    public String toString() {
        return value;
    }
}
