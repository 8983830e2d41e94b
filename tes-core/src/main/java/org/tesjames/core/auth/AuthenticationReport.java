package org.tesjames.core.auth;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerification;
import org.tesjames.core.dmarc.AuthorDomain;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.membership.DomainNames;

/**
 * Everything inbound message authentication established about one message: DKIM, SPF, the Author Domain and
 * DMARC, as {@link MessageAuthenticator} found it and {@link AuthenticationResultsHeader} renders it.
 *
 * @param dkim the DKIM verdicts, one per signature (none: unsigned)
 * @param spf the SPF verdict on the SMTP identity
 * @param author the RFC5322.From domain(s)
 * @param dmarc the DMARC verdict
 * @param policy the DMARC policy discovery outcome (the record and where it was found); empty when no discovery
 *     was made (no single Author Domain)
 * @param messageId the Message-ID field value made safe for a log line ({@link org.tesjames.core.mail.SafeText}: one
 *     line of printable ASCII, at most 200 characters), for logs; empty when the message has none
 */
public record AuthenticationReport(DkimVerification dkim, SpfCheck spf, AuthorDomain author, DmarcResult dmarc,
                                   Optional<DmarcPolicyDiscovery.Outcome> policy, Optional<String> messageId) {
    public AuthenticationReport {
        Objects.requireNonNull(dkim, "dkim");
        Objects.requireNonNull(spf, "spf");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(dmarc, "dmarc");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(messageId, "messageId");
    }

    /** A report without the discovery outcome and Message-ID. */
    public AuthenticationReport(DkimVerification dkim, SpfCheck spf, AuthorDomain author, DmarcResult dmarc) {
        this(dkim, spf, author, dmarc, Optional.empty(), Optional.empty());
    }

    /**
     * Whether a DKIM signature whose {@code d=} is {@code domain} verified. Both names are compared normalised
     * (case-insensitive, A-labels, no final dot); an invalid name never matches.
     */
    public boolean hasPassingSignatureFor(String domain) {
        return anySignature(domain, DkimResult.PASS);
    }

    /** Whether the key lookup of a signature whose {@code d=} is {@code domain} failed temporarily. */
    public boolean dkimTemporaryError(String domain) {
        return anySignature(domain, DkimResult.TEMPERROR);
    }

    private boolean anySignature(String domain, DkimResult result) {
        Optional<String> wanted = normalise(domain);
        if (wanted.isEmpty()) {
            return false;
        }
        for (DkimSignatureResult signature : dkim.signatures()) {
            if (signature.result() == result && normalise(signature.domain()).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> normalise(String domain) {
        if (domain == null || domain.isBlank()) {
            return Optional.empty();
        }
        String name = domain.strip();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return DomainNames.normalise(name).domain().map(d -> d.toLowerCase(Locale.ROOT));
    }
}
