package org.tesjames.core.policy;

import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.session.SmtpSessionFacts;
import org.tesjames.core.tls.TlsVersion;

/**
 * The TES policies on SMTP sessions (TES draft v0.4):
 * <ul>
 *   <li>server policy (inbound, port 25): a member sender domain must use TLS 1.2 or newer; a lookup that
 *       failed temporarily defers the transaction;</li>
 *   <li>client policy (submission, port 587): the client must use TLS 1.1 or newer and be SASL-authenticated.</li>
 * </ul>
 */
public final class TesPolicies {
    public static final String MEMBER_NOT_COMPLIANT = "Member is not TES compliant";
    public static final String CLIENT_NOT_COMPLIANT = "Client is not TES compliant";
    public static final String LOOKUP_FAILED = "TES lookup failed";
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
