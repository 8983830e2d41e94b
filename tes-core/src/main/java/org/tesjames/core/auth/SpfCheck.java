package org.tesjames.core.auth;

import java.util.Objects;
import java.util.Optional;

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
 * @param reason a short human-readable reason for logs, SMTP replies and {@code Authentication-Results}
 *     ({@link SpfVerifier} makes it printable ASCII of at most {@value #REASON_LENGTH} characters)
 * @param explanation for {@code fail}, the domain owner's explanation (RFC 7208 section 6.2: the {@code exp=}
 *     text, bounded like the reason); empty otherwise, and when the record has none or it could not be had
 */
public record SpfCheck(SpfResult result, String identity, String domain, String reason,
                       Optional<String> explanation) {
    public static final String MAILFROM = "mailfrom";
    public static final String HELO = "helo";
    /** The longest {@link #reason()} and {@link #explanation()}. */
    public static final int REASON_LENGTH = 200;

    /** A verdict without the domain owner's explanation. */
    public SpfCheck(SpfResult result, String identity, String domain, String reason) {
        this(result, identity, domain, reason, Optional.empty());
    }

    public SpfCheck {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(explanation, "explanation");
        if (!identity.equals(MAILFROM) && !identity.equals(HELO)) {
            throw new IllegalArgumentException("identity is " + MAILFROM + " or " + HELO + ", not " + identity);
        }
    }

    /** Whether the result is {@code temperror}: the caller should defer rather than decide. */
    public boolean isTemporaryError() {
        return result == SpfResult.TEMPERROR;
    }
}
