package org.tesjames.core.session;

import java.util.Objects;
import java.util.Optional;

/**
 * What the SMTP server knew about the session a message arrived on: the listener, whether and how TLS
 * protected it, the negotiated protocol and cipher suite, and the SASL-authenticated user.
 *
 * <p>The policies decide from these facts; the SMTP layer only collects them. A session with
 * {@link TlsMode#NONE} never has a protocol or cipher suite; a TLS session always has both.
 */
public record SmtpSessionFacts(String listener,
                               TlsMode tlsMode,
                               Optional<String> tlsProtocol,
                               Optional<String> cipherSuite,
                               Optional<String> authenticatedUser) {

    public SmtpSessionFacts {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(tlsMode, "tlsMode");
        Objects.requireNonNull(tlsProtocol, "tlsProtocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        Objects.requireNonNull(authenticatedUser, "authenticatedUser");
        if (listener.isBlank()) {
            throw new IllegalArgumentException("listener must not be blank");
        }
        boolean tls = tlsMode != TlsMode.NONE;
        if (tls != tlsProtocol.isPresent() || tls != cipherSuite.isPresent()) {
            throw new IllegalArgumentException("TLS mode " + tlsMode.token()
                + " is inconsistent with protocol " + tlsProtocol + " and cipher suite " + cipherSuite);
        }
    }

    /** Facts of a plaintext session. */
    public static SmtpSessionFacts plaintext(String listener, Optional<String> authenticatedUser) {
        return new SmtpSessionFacts(listener, TlsMode.NONE, Optional.empty(), Optional.empty(), authenticatedUser);
    }

    /** Facts of a TLS session (STARTTLS or implicit). */
    public static SmtpSessionFacts tls(String listener, TlsMode mode, String protocol, String cipherSuite,
                                       Optional<String> authenticatedUser) {
        if (mode == TlsMode.NONE) {
            throw new IllegalArgumentException("a TLS session needs mode starttls or implicit");
        }
        return new SmtpSessionFacts(listener, mode, Optional.of(protocol), Optional.of(cipherSuite), authenticatedUser);
    }

    public boolean tlsStarted() {
        return tlsMode != TlsMode.NONE;
    }

    public boolean authenticated() {
        return authenticatedUser.isPresent();
    }
}
