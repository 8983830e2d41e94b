package org.tesjames.core.tlsrpt;

/**
 * Where the outbound delivery records the outcome of each TLS session attempt for SMTP TLS Reporting (RFC 8460):
 * a success or a failure, per policy. Implementations are thread-safe and never block the delivery.
 */
public interface TlsResultRecorder {
    /** Records nothing. */
    TlsResultRecorder NONE = new TlsResultRecorder() {
        @Override
        public void success(TlsPolicy policy) {
            // nothing recorded
        }

        @Override
        public void failure(TlsPolicy policy, FailureDetail detail) {
            // nothing recorded
        }
    };

    /**
     * A session that negotiated TLS as the policy asks.
     *
     * @param policy the policy applied
     */
    void success(TlsPolicy policy);

    /**
     * A session (or a policy discovery) that failed.
     *
     * @param policy the policy applied ({@link PolicyType#NO_POLICY_FOUND} for a failed discovery)
     * @param detail what failed
     */
    void failure(TlsPolicy policy, FailureDetail detail);

    /**
     * @param other a second recorder
     * @return a recorder that records into this one, then into {@code other}
     */
    default TlsResultRecorder andThen(TlsResultRecorder other) {
        TlsResultRecorder first = this;
        return new TlsResultRecorder() {
            @Override
            public void success(TlsPolicy policy) {
                first.success(policy);
                other.success(policy);
            }

            @Override
            public void failure(TlsPolicy policy, FailureDetail detail) {
                first.failure(policy, detail);
                other.failure(policy, detail);
            }
        };
    }
}
