package org.tesjames.core.dmarc;

import java.util.List;
import java.util.Objects;

/**
 * What DKIM and SPF established about a message, the inputs of DMARC (RFC 7489 section 4.2).
 *
 * @param dkimPassingDomains the {@code d=} domains of the DKIM signatures that verified ({@code pass})
 * @param dkimTempErrorDomains the {@code d=} domains of the DKIM signatures whose verification failed temporarily
 *     ({@code temperror}: the key lookup failed); each could have passed, so could have produced alignment
 * @param spf the SPF result of the MAIL FROM identity
 * @param mailFromDomain the RFC5321.MailFrom domain SPF evaluated (for a null sender, the HELO domain, RFC
 *     7489 section 3.1.2); empty when there is none
 */
public record AuthenticationFacts(List<String> dkimPassingDomains, List<String> dkimTempErrorDomains, SpfResult spf,
                                  String mailFromDomain) {
    public AuthenticationFacts {
        dkimPassingDomains = List.copyOf(dkimPassingDomains);
        dkimTempErrorDomains = List.copyOf(dkimTempErrorDomains);
        Objects.requireNonNull(spf);
        Objects.requireNonNull(mailFromDomain);
    }

    /** Facts without any DKIM {@code temperror}. */
    public AuthenticationFacts(List<String> dkimPassingDomains, SpfResult spf, String mailFromDomain) {
        this(dkimPassingDomains, List.of(), spf, mailFromDomain);
    }
}
