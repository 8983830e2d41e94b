package org.tesjames.core.auth;

import java.util.Objects;

import org.tesjames.core.dmarc.SpfResult;

/**
 * The SPF verdict on one SMTP transaction.
 *
 * @param result the RFC 7208 result
 * @param identity which identity was checked: {@value #MAILFROM}, or {@value #HELO} for the null sender (RFC
 *     7208 section 2.4); it names the {@code smtp.mailfrom} / {@code smtp.helo} property of
 *     Authentication-Results
 * @param domain the domain of that identity that was evaluated (lower case; what the client sent when it is not
 *     a valid domain, with result {@code none})
 * @param reason a human-readable explanation for logs and SMTP replies
 */
public record SpfCheck(SpfResult result, String identity, String domain, String reason) {
    public static final String MAILFROM = "mailfrom";
    public static final String HELO = "helo";

    public SpfCheck {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(reason, "reason");
        if (!identity.equals(MAILFROM) && !identity.equals(HELO)) {
            throw new IllegalArgumentException("identity is " + MAILFROM + " or " + HELO + ", not " + identity);
        }
    }

    /** Whether the result is {@code temperror}: the caller should defer rather than decide. */
    public boolean isTemporaryError() {
        return result == SpfResult.TEMPERROR;
    }
}
