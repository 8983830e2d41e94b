package org.tesjames.core.policy;

import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerification;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.membership.DomainNames;

/**
 * What the TES member policy needs to know of a message's authentication: the compact form that travels in Mail
 * attributes from the SMTP hook to the processor chain.
 *
 * @param dkimPass the {@code d=} domains (normalised) of the signatures that verified
 * @param dkimTempError the {@code d=} domains of the signatures whose verification failed temporarily
 * @param dmarc the DMARC result
 * @param dmarcDisposition the disposition DMARC applies ({@link Policy#NONE} unless the result is a failure)
 * @param authorDomain the RFC5322.From domain DMARC evaluated, or a description of a malformed From
 */
public record AuthenticationOutcome(Set<String> dkimPass, Set<String> dkimTempError, DmarcResult.Result dmarc,
                                    Policy dmarcDisposition, String authorDomain) {
    public AuthenticationOutcome {
        dkimPass = Set.copyOf(dkimPass);
        dkimTempError = Set.copyOf(dkimTempError);
        Objects.requireNonNull(dmarc, "dmarc");
        Objects.requireNonNull(dmarcDisposition, "dmarcDisposition");
        Objects.requireNonNull(authorDomain, "authorDomain");
    }

    public static AuthenticationOutcome of(DkimVerification dkim, DmarcResult dmarc) {
        Set<String> pass = new HashSet<>();
        Set<String> tempError = new HashSet<>();
        for (DkimSignatureResult signature : dkim.signatures()) {
            if (signature.result() == DkimResult.PASS) {
                pass.add(normalise(signature.domain()));
            } else if (signature.result() == DkimResult.TEMPERROR) {
                tempError.add(normalise(signature.domain()));
            }
        }
        return new AuthenticationOutcome(pass, tempError, dmarc.result(), dmarc.disposition(),
            dmarc.authorDomain());
    }

    /** Whether a signature with {@code d=} equal to the domain verified. */
    public boolean dkimPassFor(String domain) {
        return dkimPass.contains(normalise(domain));
    }

    /** Whether the verification of a signature with {@code d=} equal to the domain failed temporarily. */
    public boolean dkimTempErrorFor(String domain) {
        return dkimTempError.contains(normalise(domain));
    }

    /**
     * Whether DMARC failed with the given disposition: a {@code fail}, or the {@code permerror} of a message whose
     * Author Domain is malformed (no From, several From domains, an unparsable From), which DMARC fails closed
     * with a disposition of its own.
     */
    public boolean dmarcFailsWith(Policy disposition) {
        boolean failed = dmarc == DmarcResult.Result.FAIL
            || dmarc == DmarcResult.Result.PERMERROR && dmarcDisposition != Policy.NONE;
        return failed && dmarcDisposition == disposition;
    }

    /** Whether any part failed temporarily (a DKIM key lookup, or DMARC): worth evaluating again later. */
    public boolean hasTemporaryError() {
        return !dkimTempError.isEmpty() || dmarc == DmarcResult.Result.TEMPERROR;
    }

    static String normalise(String domain) {
        return DomainNames.normalise(domain).domain().orElse(domain.toLowerCase(Locale.ROOT));
    }
}
