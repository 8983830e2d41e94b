package org.tesjames.matchers;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.policy.AuthenticationOutcome;
import org.tesjames.core.session.SmtpSessionFacts;
import org.tesjames.core.session.TlsMode;

/**
 * The {@code tes.*} Mail attributes: how facts and verdicts travel from the SMTP hooks to the processor chain,
 * so that the chain never repeats what the hooks already established. Every attribute holds a string.
 *
 * <table>
 *   <caption>SMTP session facts (written by {@code SessionFactsHook} at the end of DATA)</caption>
 *   <tr><th>attribute</th><th>value</th></tr>
 *   <tr><td>{@code tes.smtp.listener}</td><td>name of the SMTP listener the message came in on</td></tr>
 *   <tr><td>{@code tes.smtp.tls}</td><td>{@code none}, {@code starttls} or {@code implicit}</td></tr>
 *   <tr><td>{@code tes.smtp.tls.protocol}</td><td>negotiated protocol, e.g. {@code TLSv1.3}; absent without TLS</td></tr>
 *   <tr><td>{@code tes.smtp.tls.cipher}</td><td>negotiated cipher suite; absent without TLS</td></tr>
 *   <tr><td>{@code tes.smtp.auth.user}</td><td>SASL-authenticated user; absent when the client did not authenticate</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Sender membership (written by the inbound policy hook at the end of DATA, or by the matchers)</caption>
 *   <tr><th>attribute</th><th>value</th></tr>
 *   <tr><td>{@code tes.sender.membership}</td><td>{@code member} or {@code non-member}</td></tr>
 *   <tr><td>{@code tes.sender.domain}</td><td>the envelope sender domain it applies to (absent for the null
 *       sender)</td></tr>
 *   <tr><td>{@code tes.sender.master}</td><td>the TES master of a member domain</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Message authentication (written by the inbound authentication hook at the end of DATA, or by the
 *   {@code TesAuthenticate} mailet)</caption>
 *   <tr><th>attribute</th><th>value</th></tr>
 *   <tr><td>{@code tes.auth.dkim.pass}</td><td>the {@code d=} domains of the DKIM signatures that verified,
 *       space-separated (empty: none)</td></tr>
 *   <tr><td>{@code tes.auth.dkim.temperror}</td><td>the {@code d=} domains of the signatures whose key lookup
 *       failed temporarily, space-separated</td></tr>
 *   <tr><td>{@code tes.auth.dmarc}</td><td>the DMARC result: {@code pass}, {@code fail}, {@code none},
 *       {@code temperror} or {@code permerror}</td></tr>
 *   <tr><td>{@code tes.auth.dmarc.disposition}</td><td>{@code none}, {@code quarantine} or
 *       {@code reject}</td></tr>
 *   <tr><td>{@code tes.auth.dmarc.domain}</td><td>the RFC5322.From domain DMARC evaluated (or a description of a
 *       malformed From)</td></tr>
 * </table>
 */
public final class TesMailAttributes {
    public static final AttributeName LISTENER = AttributeName.of("tes.smtp.listener");
    public static final AttributeName TLS = AttributeName.of("tes.smtp.tls");
    public static final AttributeName TLS_PROTOCOL = AttributeName.of("tes.smtp.tls.protocol");
    public static final AttributeName TLS_CIPHER = AttributeName.of("tes.smtp.tls.cipher");
    public static final AttributeName AUTH_USER = AttributeName.of("tes.smtp.auth.user");
    public static final AttributeName SENDER_MEMBERSHIP = AttributeName.of("tes.sender.membership");
    public static final AttributeName SENDER_DOMAIN = AttributeName.of("tes.sender.domain");
    public static final AttributeName SENDER_MASTER = AttributeName.of("tes.sender.master");
    public static final AttributeName AUTH_DKIM_PASS = AttributeName.of("tes.auth.dkim.pass");
    public static final AttributeName AUTH_DKIM_TEMPERROR = AttributeName.of("tes.auth.dkim.temperror");
    public static final AttributeName AUTH_DMARC = AttributeName.of("tes.auth.dmarc");
    public static final AttributeName AUTH_DMARC_DISPOSITION = AttributeName.of("tes.auth.dmarc.disposition");
    public static final AttributeName AUTH_DMARC_DOMAIN = AttributeName.of("tes.auth.dmarc.domain");
    public static final String MEMBER = "member";
    public static final String NON_MEMBER = "non-member";

    private TesMailAttributes() {
    }

    /** Records the session facts on the mail, replacing any value set before (a client cannot pre-set them). */
    public static void writeSessionFacts(Mail mail, SmtpSessionFacts facts) {
        mail.setAttribute(new Attribute(LISTENER, AttributeValue.of(facts.listener())));
        mail.setAttribute(new Attribute(TLS, AttributeValue.of(facts.tlsMode().token())));
        setOrRemove(mail, TLS_PROTOCOL, facts.tlsProtocol());
        setOrRemove(mail, TLS_CIPHER, facts.cipherSuite());
        setOrRemove(mail, AUTH_USER, facts.authenticatedUser());
    }

    /**
     * Reads the session facts back; empty when the mail did not come through a listener with the facts hook
     * (for example mail generated by a mailet).
     *
     * @throws IllegalStateException when the attributes are present but inconsistent
     */
    public static Optional<SmtpSessionFacts> readSessionFacts(Mail mail) {
        Optional<String> listener = string(mail, LISTENER);
        if (listener.isEmpty()) {
            return Optional.empty();
        }
        try {
            TlsMode mode = TlsMode.fromToken(string(mail, TLS).orElse(""));
            return Optional.of(new SmtpSessionFacts(listener.get(), mode, string(mail, TLS_PROTOCOL),
                string(mail, TLS_CIPHER), string(mail, AUTH_USER)));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Inconsistent tes.smtp.* attributes on mail " + mail.getName()
                + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records the sender's membership. Only definite verdicts are recorded: a temporary failure is never turned
     * into an attribute (the transaction is deferred instead).
     *
     * @throws IllegalArgumentException for a temporary failure
     */
    public static void writeSenderMembership(Mail mail, Optional<String> senderDomain, MembershipVerdict verdict) {
        if (verdict instanceof MembershipVerdict.TemporaryFailure) {
            throw new IllegalArgumentException("a temporary failure is not a membership: " + verdict);
        }
        boolean member = verdict instanceof MembershipVerdict.Member;
        mail.setAttribute(new Attribute(SENDER_MEMBERSHIP, AttributeValue.of(member ? MEMBER : NON_MEMBER)));
        setOrRemove(mail, SENDER_DOMAIN, senderDomain);
        setOrRemove(mail, SENDER_MASTER, verdict instanceof MembershipVerdict.Member m
            ? Optional.of(m.master().toString(true)) : Optional.empty());
    }

    /** The sender membership recorded earlier, if any: {@code true} for a member. */
    public static Optional<Boolean> readSenderMembership(Mail mail) {
        return string(mail, SENDER_MEMBERSHIP).map(value -> {
            if (!value.equals(MEMBER) && !value.equals(NON_MEMBER)) {
                throw new IllegalStateException("Invalid " + SENDER_MEMBERSHIP.asString() + " '" + value
                    + "' on mail " + mail.getName());
            }
            return value.equals(MEMBER);
        });
    }

    /** Records the message authentication outcome, replacing any value set before. */
    public static void writeAuthentication(Mail mail, AuthenticationOutcome outcome) {
        mail.setAttribute(new Attribute(AUTH_DKIM_PASS, AttributeValue.of(String.join(" ", outcome.dkimPass()))));
        mail.setAttribute(new Attribute(AUTH_DKIM_TEMPERROR,
            AttributeValue.of(String.join(" ", outcome.dkimTempError()))));
        mail.setAttribute(new Attribute(AUTH_DMARC, AttributeValue.of(outcome.dmarc().token())));
        mail.setAttribute(new Attribute(AUTH_DMARC_DISPOSITION, AttributeValue.of(outcome.dmarcDisposition().token())));
        mail.setAttribute(new Attribute(AUTH_DMARC_DOMAIN, AttributeValue.of(outcome.authorDomain())));
    }

    /**
     * The message authentication outcome recorded earlier, if any.
     *
     * @throws IllegalStateException when the attributes are present but incomplete or invalid
     */
    public static Optional<AuthenticationOutcome> readAuthentication(Mail mail) {
        Optional<String> dmarc = string(mail, AUTH_DMARC);
        if (dmarc.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new AuthenticationOutcome(
                domains(required(mail, AUTH_DKIM_PASS)),
                domains(required(mail, AUTH_DKIM_TEMPERROR)),
                DmarcResult.Result.valueOf(dmarc.get().toUpperCase(Locale.ROOT)),
                Policy.valueOf(required(mail, AUTH_DMARC_DISPOSITION).toUpperCase(Locale.ROOT)),
                required(mail, AUTH_DMARC_DOMAIN)));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Inconsistent tes.auth.* attributes on mail " + mail.getName() + ": "
                + e.getMessage(), e);
        }
    }

    private static String required(Mail mail, AttributeName name) {
        return string(mail, name).orElseThrow(() -> new IllegalArgumentException(name.asString() + " is missing"));
    }

    private static Set<String> domains(String spaceSeparated) {
        return spaceSeparated.isBlank() ? Set.of() : Set.of(spaceSeparated.trim().split(" +"));
    }

    private static void setOrRemove(Mail mail, AttributeName name, Optional<String> value) {
        if (value.isPresent()) {
            mail.setAttribute(new Attribute(name, AttributeValue.of(value.get())));
        } else {
            mail.removeAttribute(name);
        }
    }

    static Optional<String> string(Mail mail, AttributeName name) {
        return mail.getAttribute(name)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(String.class::isInstance)
            .map(String.class::cast);
    }
}
