package org.tesjames.core.tlsrpt;

/** The policy types of an SMTP TLS report (RFC 8460 section 4.4, {@code policy-type}). */
public enum PolicyType {
    TLSA("tlsa"),
    STS("sts"),
    NO_POLICY_FOUND("no-policy-found");

    private final String label;

    PolicyType(String label) {
        this.label = label;
    }

    /** @return the registered name */
    public String label() {
        return label;
    }

    /**
     * @param label a registered name
     * @return its constant
     * @throws IllegalArgumentException for an unknown name
     */
    public static PolicyType fromLabel(String label) {
        for (PolicyType value : values()) {
            if (value.label.equals(label)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown PolicyType '" + label + "'");
    }
}
