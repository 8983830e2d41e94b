package org.tesjames.core.tlsrpt;

import java.util.Objects;
import java.util.Optional;

/**
 * What identifies one kind of failed session in a TLS report (RFC 8460 section 4.4, {@code failure-details}): the
 * sessions that fail alike are counted together.
 *
 * @param resultType the result type
 * @param sendingMtaIp the local address the session came from, if known
 * @param receivingMxHostname the MX host name
 * @param receivingIp the address of the MX host, if known
 * @param additionalInformation a URI with more information, if any
 * @param failureReasonCode free text describing the failure, if any
 */
public record FailureDetail(ResultType resultType, Optional<String> sendingMtaIp, String receivingMxHostname,
                            Optional<String> receivingIp, Optional<String> additionalInformation,
                            Optional<String> failureReasonCode) {
    public FailureDetail {
        Objects.requireNonNull(resultType, "resultType");
        Objects.requireNonNull(sendingMtaIp, "sendingMtaIp");
        Objects.requireNonNull(receivingMxHostname, "receivingMxHostname");
        Objects.requireNonNull(receivingIp, "receivingIp");
        Objects.requireNonNull(additionalInformation, "additionalInformation");
        Objects.requireNonNull(failureReasonCode, "failureReasonCode");
    }

    /**
     * A failure with the MX host and its address.
     *
     * @param resultType the result type
     * @param mxHost the MX host name
     * @param mxIp its address, if known
     * @param reason free text, if any
     * @return the detail
     */
    public static FailureDetail of(ResultType resultType, String mxHost, Optional<String> mxIp,
                                   Optional<String> reason) {
        return new FailureDetail(resultType, Optional.empty(), mxHost, mxIp, Optional.empty(), reason);
    }
}
