package org.tesjames.core.tlsrpt;

/**
 * The failure result types of SMTP TLS Reporting (RFC 8460 section 4.3), by their registered names.
 */
public enum ResultType {
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    CERTIFICATE_EXPIRED("certificate-expired"),
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    VALIDATION_FAILURE("validation-failure"),
    TLSA_INVALID("tlsa-invalid"),
    DNSSEC_INVALID("dnssec-invalid"),
    DANE_REQUIRED("dane-required"),
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    STS_POLICY_INVALID("sts-policy-invalid"),
    STS_WEBPKI_INVALID("sts-webpki-invalid");

    private final String label;

    ResultType(String label) {
        this.label = label;
    }

    /** @return the registered name, e.g. {@code certificate-host-mismatch} */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * @param label a registered name
     * @return its constant
     * @throws IllegalArgumentException for an unknown name
     */
    public static ResultType fromLabel(String label) {
        for (ResultType value : values()) {
            if (value.label.equals(label)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown ResultType '" + label + "'");
    }
}
