package org.tesjames.core.dmarc;

import java.util.Locale;
import java.util.Optional;

/**
 * The SPF result (RFC 7208 section 2.6) of the MAIL FROM identity (or, for a null sender, the HELO identity);
 * only {@link #PASS} can make DMARC pass.
 */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

    private final String keyword = name().toLowerCase(Locale.ROOT);

    /** The keyword of RFC 7208 and of an {@code Authentication-Results} header: {@code pass}, {@code fail}, ... */
    public String keyword() {
        return keyword;
    }

    /** The result named by a keyword (case-insensitive), if it is one. */
    public static Optional<SpfResult> fromKeyword(String keyword) {
        for (SpfResult result : values()) {
            if (result.keyword().equalsIgnoreCase(keyword)) {
                return Optional.of(result);
            }
        }
        return Optional.empty();
    }
}
