package org.tesjames.core.policy;

import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.Policy;

import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.session.SmtpSessionFacts;
import org.tesjames.core.tls.TlsVersion;

/**
 * The TES policies on SMTP sessions (TES draft v0.4):
 * <ul>
 *   <li>server policy (inbound, port 25): a member sender domain must use TLS 1.2 or newer; a lookup that
 *       failed temporarily defers the transaction;</li>
 *   <li>client policy (submission, port 587): the client must use TLS 1.1 or newer and be SASL-authenticated.</li>
 *   <li>message authentication policy (inbound, end of DATA): a member sender domain S must have signed the
 *       message (a passing DKIM signature with {@code d=} S) and the message must not fail DMARC with the
 *       disposition {@code reject}; temporary DNS errors in either defer.</li>
 * </ul>
 */
public final class TesPolicies {
    public static final String MEMBER_NOT_COMPLIANT = "Member is not TES compliant";
    public static final String CLIENT_NOT_COMPLIANT = "Client is not TES compliant";
    public static final String LOOKUP_FAILED = "TES lookup failed";
    public static final String NOT_DKIM_SIGNED = "The message is not DKIM signed by policy of %s (%s)";
    public static final String VIOLATES_DMARC = "The message violates the DMARC policy of %s (%s)";
    public static final String DKIM_LOOKUP_FAILED = "TES lookup failed: DKIM key of %s (%s)";
    public static final String DMARC_LOOKUP_FAILED = "TES lookup failed: DMARC policy (%s)";
    public static final TlsVersion MEMBER_MINIMUM_TLS = TlsVersion.TLS_V1_2;
    public static final TlsVersion CLIENT_MINIMUM_TLS = TlsVersion.TLS_V1_1;

    private TesPolicies() {
    }

    /** The inbound server policy for a transaction whose envelope sender domain has this membership. */
    public static Verdict server(SmtpSessionFacts facts, MembershipVerdict sender) {
        if (sender instanceof MembershipVerdict.TemporaryFailure) {
            return Verdict.defer(LOOKUP_FAILED);
        }
        if (sender instanceof MembershipVerdict.Member && !tlsAtLeast(facts, MEMBER_MINIMUM_TLS)) {
            return Verdict.reject(MEMBER_NOT_COMPLIANT);
        }
        return Verdict.accept();
    }

    /**
     * The message authentication policy at the end of DATA, for a message whose envelope sender domain has this
     * (definite) membership.
     * <ul>
     *   <li>Member S, temporary errors first (a verdict must not rest on a lookup that failed): no passing DKIM
     *       signature with {@code d=} S but one of S whose key lookup failed temporarily, or DMARC
     *       {@code temperror}: defer. Then no passing DKIM signature with {@code d=} S: reject
     *       ({@link #NOT_DKIM_SIGNED}); DMARC {@code fail} with the disposition {@code reject}: reject
     *       ({@link #VIOLATES_DMARC}).</li>
     *   <li>Any other sender: accepted, unless {@code dmarcForEveryone}, which holds it to DMARC as a member
     *       (the reply then names the From domain).</li>
     * </ul>
     *
     * @param senderDomain the envelope sender domain (empty for the null sender)
     * @param messageId the Message-ID quoted in the reply, e.g. {@code <id@example.com>}
     */
    public static Verdict messageAuthentication(MembershipVerdict sender, String senderDomain,
                                                AuthenticationOutcome outcome, String messageId,
                                                boolean dmarcForEveryone) {
        if (sender instanceof MembershipVerdict.TemporaryFailure) {
            return Verdict.defer(LOOKUP_FAILED);
        }
        boolean member = sender instanceof MembershipVerdict.Member;
        boolean dmarcApplies = member || dmarcForEveryone;
        if (member && !outcome.dkimPassFor(senderDomain) && outcome.dkimTempErrorFor(senderDomain)) {
            return Verdict.defer(DKIM_LOOKUP_FAILED.formatted(senderDomain, messageId));
        }
        if (dmarcApplies && outcome.dmarc() == DmarcResult.Result.TEMPERROR) {
            return Verdict.defer(DMARC_LOOKUP_FAILED.formatted(messageId));
        }
        if (member && !outcome.dkimPassFor(senderDomain)) {
            return Verdict.reject(NOT_DKIM_SIGNED.formatted(senderDomain, messageId));
        }
        if (dmarcApplies && outcome.dmarcFailsWith(Policy.REJECT)) {
            return Verdict.reject(VIOLATES_DMARC.formatted(member ? senderDomain : outcome.authorDomain(), messageId));
        }
        return Verdict.accept();
    }

    /** The submission client policy. */
    public static Verdict client(SmtpSessionFacts facts) {
        if (!facts.authenticated() || !tlsAtLeast(facts, CLIENT_MINIMUM_TLS)) {
            return Verdict.reject(CLIENT_NOT_COMPLIANT);
        }
        return Verdict.accept();
    }

    static boolean tlsAtLeast(SmtpSessionFacts facts, TlsVersion minimum) {
        return facts.tlsProtocol().map(minimum::isSatisfiedBy).orElse(false);
    }
}
