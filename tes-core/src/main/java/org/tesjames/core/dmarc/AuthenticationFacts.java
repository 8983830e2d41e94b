package org.tesjames.core.dmarc;

import java.util.List;
import java.util.Objects;

/**
 * What DKIM and SPF established about a message, the inputs of DMARC (RFC 7489 section 4.2).
 *
 * @param dkimPassingDomains the {@code d=} domains of the DKIM signatures that verified ({@code pass})
 * @param spf the SPF result of the MAIL FROM identity
 * @param mailFromDomain the RFC5321.MailFrom domain SPF evaluated (for a null sender, the HELO domain, RFC
 *     7489 section 3.1.2); empty when there is none
 */
public record AuthenticationFacts(List<String> dkimPassingDomains, SpfResult spf, String mailFromDomain) {
    public AuthenticationFacts {
        dkimPassingDomains = List.copyOf(dkimPassingDomains);
        Objects.requireNonNull(spf);
        Objects.requireNonNull(mailFromDomain);
    }
}
