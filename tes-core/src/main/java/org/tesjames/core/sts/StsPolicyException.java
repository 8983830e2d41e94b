package org.tesjames.core.sts;

/** A policy text that is not a valid MTA-STS policy ({@code sts-policy-invalid} in RFC 8460 terms). */
public final class StsPolicyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param reason one line */
    public StsPolicyException(String reason) {
        super(reason);
    }
}
