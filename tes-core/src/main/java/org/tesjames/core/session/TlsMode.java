package org.tesjames.core.session;

/**
 * How TLS protected an SMTP session.
 */
public enum TlsMode {
    /** Plaintext: no TLS at all. */
    NONE("none"),
    /** TLS negotiated with the STARTTLS command (RFC 3207). */
    STARTTLS("starttls"),
    /** TLS from the first byte of the connection (RFC 8314 "implicit TLS"). */
    IMPLICIT("implicit");

    private final String token;

    TlsMode(String token) {
        this.token = token;
    }

    /** The lower-case token used in Mail attributes and logs. */
    public String token() {
        return token;
    }

    /**
     * Parses a token written by {@link #token()}.
     *
     * @throws IllegalArgumentException naming the value when it is not a known token
     */
    public static TlsMode fromToken(String token) {
        for (TlsMode mode : values()) {
            if (mode.token.equals(token)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Unknown TLS mode '" + token + "' (expected none, starttls or implicit)");
    }
}
