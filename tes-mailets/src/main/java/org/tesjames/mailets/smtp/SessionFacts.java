package org.tesjames.mailets.smtp;

import java.util.Optional;

import javax.net.ssl.SSLSession;

import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPSession;
import org.tesjames.core.session.SmtpSessionFacts;
import org.tesjames.core.session.TlsMode;

/** Reads the {@link SmtpSessionFacts} of a James SMTP session. */
public final class SessionFacts {
    private SessionFacts() {
    }

    /**
     * @param listener the listener name to record; {@code smtp-<local port>} when empty
     */
    public static SmtpSessionFacts of(SMTPSession session, Optional<String> listener) {
        String name = listener.orElseGet(() -> "smtp-" + session.getLocalAddress().getPort());
        Optional<String> user = Optional.ofNullable(session.getUsername()).map(Username::asString);
        Optional<SSLSession> ssl = session.getSSLSession();
        if (!session.isTLSStarted() || ssl.isEmpty()) {
            return SmtpSessionFacts.plaintext(name, user);
        }
        // On a STARTTLS listener TLS can only have started through the command; otherwise it was implicit.
        TlsMode mode = session.isStartTLSSupported() ? TlsMode.STARTTLS : TlsMode.IMPLICIT;
        return SmtpSessionFacts.tls(name, mode, ssl.get().getProtocol(), ssl.get().getCipherSuite(), user);
    }
}
