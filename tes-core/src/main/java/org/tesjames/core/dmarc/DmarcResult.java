package org.tesjames.core.dmarc;

import java.util.Locale;
import java.util.Objects;

/**
 * The DMARC verdict on a message.
 *
 * @param result the RFC 7489 result (section 11.2 vocabulary)
 * @param disposition what the receiver applies: the policy after {@code pct} sampling (section 6.6.4);
 *     {@link Policy#NONE} unless {@code result} is {@code fail} or the Author Domain is malformed
 * @param authorDomain the Author Domain, or a description of a malformed one
 * @param dkimAligned whether a passing DKIM signature is aligned
 * @param spfAligned whether a passing SPF result is aligned
 * @param sampledOut whether {@code pct} sampling weakened the disposition
 * @param reason a human-readable explanation for logs and SMTP replies
 */
public record DmarcResult(Result result, Policy disposition, String authorDomain, boolean dkimAligned,
                          boolean spfAligned, boolean sampledOut, String reason) {

    /** RFC 7489 results (section 11.2). */
    public enum Result {
        PASS, FAIL, NONE, TEMPERROR, PERMERROR;

        /** The token in Authentication-Results ({@code pass}, {@code fail}, ...). */
        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DmarcResult {
        Objects.requireNonNull(result);
        Objects.requireNonNull(disposition);
        Objects.requireNonNull(authorDomain);
        Objects.requireNonNull(reason);
    }
}
