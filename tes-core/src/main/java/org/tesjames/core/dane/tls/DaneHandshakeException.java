package org.tesjames.core.dane.tls;

import java.util.Optional;

import javax.net.ssl.SSLHandshakeException;

import org.tesjames.core.dane.DaneResult;
import org.tesjames.core.tlsrpt.ResultType;

/**
 * A TLS handshake made by {@link DaneTls} or {@link DaneSocketFactory} failed, or could not be attempted (no
 * connection policy for the host, no protocol at or above the minimum). An {@link java.io.IOException}, so
 * that James's RemoteDelivery treats it as a temporary failure (design, platform fact 6).
 *
 * <p>When DANE authentication failed, the message starts with the reason of the {@link DaneCertificateException}
 * (e.g. {@code certificate does not match TLSA: ...}) and {@link #daneResult()} holds the verifier's outcome.
 */
public final class DaneHandshakeException extends SSLHandshakeException {
    private static final long serialVersionUID = 1L;

    private final transient DaneResult daneResult;
    private final ResultType resultType;

    DaneHandshakeException(String message, DaneResult daneResult, Throwable cause) {
        this(message, daneResult, daneResult != null ? ResultType.TLSA_INVALID : ResultType.VALIDATION_FAILURE, cause);
    }

    DaneHandshakeException(String message, DaneResult daneResult, ResultType resultType, Throwable cause) {
        super(message);
        this.daneResult = daneResult;
        this.resultType = resultType;
        if (cause != null) {
            initCause(cause);
        }
    }

    /**
     * The failure as SMTP TLS Reporting names it (RFC 8460 section 4.3): {@code tlsa-invalid} for a DANE
     * mismatch, {@code certificate-expired}, {@code certificate-not-trusted} or {@code certificate-host-mismatch}
     * for an MTA-STS certificate check, {@code validation-failure} for anything else.
     *
     * @return the result type
     */
    public ResultType resultType() {
        return resultType;
    }

    /**
     * The failed DANE outcome, when the handshake got as far as DANE authentication and it failed.
     *
     * @return the outcome; empty for other failures (network, protocol, no policy)
     */
    public Optional<DaneResult> daneResult() {
        return Optional.ofNullable(daneResult);
    }
}
