package org.tesjames.core.dane;

/**
 * What the DNS says about DANE for one MX host (RFC 7672 section 2.2), the vocabulary
 * {@code secure-usable / secure-unusable / insecure / bogus} of RFC 7672 with "bogus" widened to every
 * lookup failure.
 */
public enum DaneHostOutcome {
    /**
     * The TLSA RRset is secure and has at least one record an SMTP client can use ({@link TlsaSelection}): TLS
     * is mandatory and the server must be authenticated by one of those records (RFC 7672 sections 2.2 and 3).
     */
    SECURE_USABLE,
    /**
     * The TLSA RRset is secure but no record in it is usable (RFC 7672 section 2.2: "unusable" TLSA records, e.g.
     * only PKIX-TA/PKIX-EE or unknown parameters): TLS is mandatory, without authentication.
     */
    SECURE_UNUSABLE,
    /**
     * No DANE for this host: the address records or the TLSA RRset are insecure, or TLSA records are securely
     * denied (NXDOMAIN or NODATA; RFC 7672 section 2.2.2). Opportunistic TLS applies.
     */
    INSECURE,
    /**
     * The lookups failed: bogus data (the validator's SERVFAIL), a timeout, SERVFAIL, REFUSED, a network error.
     * The host must not be used when DANE is required (RFC 7672 section 2.2: a server whose TLSA lookup fails
     * must not be contacted as if it had none); the delivery is deferred or goes to another host.
     */
    INDETERMINATE
}
