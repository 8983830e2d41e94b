package org.tesjames.core.dane.tls;

import java.security.cert.CertificateException;
import java.util.Objects;
import java.util.Optional;

import org.tesjames.core.dane.DaneResult;

/**
 * A server certificate chain failed DANE authentication ({@link DaneTrustManager}). The message states why, in
 * one of these forms: {@code certificate does not match TLSA: ...}, {@code no usable TLSA record ...},
 * {@code name mismatch: ...}, {@code invalid chain to the DANE-TA(2) trust anchor: ...}.
 */
public final class DaneCertificateException extends CertificateException {
    private static final long serialVersionUID = 1L;

    private final transient DaneResult result;

    DaneCertificateException(String message, DaneResult result) {
        super(Objects.requireNonNull(message, "message"));
        this.result = result;
    }

    /**
     * The verifier's outcome, when the verifier ran (not for an empty chain or a verifier error).
     *
     * @return the failed outcome
     */
    public Optional<DaneResult> result() {
        return Optional.ofNullable(result);
    }
}
