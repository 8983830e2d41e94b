package org.tesjames.core.sts;

import java.util.Objects;

import org.tesjames.core.tlsrpt.ResultType;

/**
 * A policy that could not be fetched: {@link ResultType#STS_POLICY_FETCH_ERROR} (no address, connection, HTTP
 * status, redirect, size, media type, time) or {@link ResultType#STS_WEBPKI_INVALID} (the policy host's certificate
 * failed the PKIX check).
 */
public final class StsFetchException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ResultType type;

    /**
     * @param type the RFC 8460 result type
     * @param reason one line
     * @param cause the underlying exception, or null
     */
    public StsFetchException(ResultType type, String reason, Throwable cause) {
        super(reason, cause);
        this.type = Objects.requireNonNull(type, "type");
    }

    /** @return the RFC 8460 result type */
    public ResultType type() {
        return type;
    }
}
