package org.tesjames.core.dnssec;

import java.util.Objects;

import org.tesjames.core.dns.DnsResult;

/**
 * The DNSSEC security status of one DNS outcome (RFC 4033 section 5, RFC 4035 section 4.3), as the validating
 * resolver reported it through the AD flag.
 *
 * <ul>
 * <li>{@link #SECURE}: an answer, NXDOMAIN or NODATA with {@code authenticated} (AD) set: the data or its
 * denial was validated up to a trust anchor.</li>
 * <li>{@link #INSECURE}: an answer, NXDOMAIN or NODATA without AD: provably unsigned (or, with an upstream that
 * does not validate, unknown; see {@code dnssec.mode}).</li>
 * <li>{@link #INDETERMINATE}: any {@link DnsResult.Failure}: SERVFAIL (which is what a validator answers for
 * bogus data), REFUSED, a timeout, a network error, a malformed answer. Never folded into
 * {@link #INSECURE}: an attacker who can make a lookup fail must not thereby downgrade a secure
 * destination.</li>
 * </ul>
 */
public enum DnssecStatus {
    SECURE,
    INSECURE,
    INDETERMINATE;

    /**
     * The status of an outcome.
     *
     * @param result a DNS outcome
     * @return its status, never null
     */
    public static DnssecStatus of(DnsResult result) {
        Objects.requireNonNull(result, "result");
        if (result instanceof DnsResult.Answer answer) {
            return answer.authenticated() ? SECURE : INSECURE;
        }
        if (result instanceof DnsResult.NxDomain nxDomain) {
            return nxDomain.authenticated() ? SECURE : INSECURE;
        }
        if (result instanceof DnsResult.NoData noData) {
            return noData.authenticated() ? SECURE : INSECURE;
        }
        return INDETERMINATE;
    }

    /**
     * The weaker of two statuses, for data that depends on both: {@link #INDETERMINATE} before
     * {@link #INSECURE} before {@link #SECURE}.
     *
     * @param other the other status
     * @return the weaker one
     */
    public DnssecStatus and(DnssecStatus other) {
        Objects.requireNonNull(other, "other");
        return ordinal() >= other.ordinal() ? this : other;
    }
}
