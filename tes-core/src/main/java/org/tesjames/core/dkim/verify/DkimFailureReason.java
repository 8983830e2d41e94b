package org.tesjames.core.dkim.verify;

/** Why a signature did not pass; {@link #NONE} for a pass. Each reason belongs to one {@link DkimResult}. */
public enum DkimFailureReason {
    NONE(DkimResult.PASS),
    /** The canonicalised body (up to {@code l=}) does not hash to {@code bh=}. */
    BODY_HASH_MISMATCH(DkimResult.FAIL),
    /** {@code b=} does not verify over the canonicalised header data with the published key. */
    SIGNATURE_MISMATCH(DkimResult.FAIL),
    /** The key record has an empty {@code p=} (RFC 6376 section 3.6.1). */
    KEY_REVOKED(DkimResult.FAIL),
    /** An RSA key of fewer than 1024 bits (RFC 8301 section 3.2). */
    KEY_TOO_SHORT(DkimResult.FAIL),
    /** {@code x=} is in the past by the verifier's clock. */
    SIGNATURE_EXPIRED(DkimResult.FAIL),
    /** {@code h=} does not list {@code From} (RFC 6376 section 5.4). */
    FROM_NOT_SIGNED(DkimResult.FAIL),
    /** The key bytes of the record are not a key the algorithm of {@code a=} can use. */
    KEY_ALGORITHM_MISMATCH(DkimResult.FAIL),
    /** {@code l=} is larger than the canonicalised body (RFC 6376 section 3.4.5): the signature cannot hold. */
    BODY_SHORTER_THAN_LENGTH(DkimResult.FAIL),
    /** {@code v=} is not {@code 1}. */
    UNSUPPORTED_VERSION(DkimResult.NEUTRAL),
    /** {@code a=} names an algorithm we do not know. */
    UNSUPPORTED_ALGORITHM(DkimResult.NEUTRAL),
    /** {@code c=} names a canonicalisation we do not know. */
    UNSUPPORTED_CANONICALIZATION(DkimResult.NEUTRAL),
    /** {@code q=} does not offer {@code dns/txt}. */
    UNSUPPORTED_QUERY_METHOD(DkimResult.NEUTRAL),
    /** {@code a=rsa-sha1}: RFC 8301 section 3.1, verifiers must not consider SHA-1 signatures valid. */
    SHA1_NOT_ACCEPTED(DkimResult.PERMERROR),
    /** The key lookup failed temporarily (SERVFAIL, REFUSED, timeout, network error). */
    DNS_TEMPORARY_FAILURE(DkimResult.TEMPERROR),
    /** The signature's tag list, or a tag value, is malformed. */
    MALFORMED_SIGNATURE(DkimResult.PERMERROR),
    /** A required tag ({@code v a b bh d h s}) is missing. */
    MISSING_TAG(DkimResult.PERMERROR),
    /** {@code i=} is not {@code d=} or a subdomain of it, or {@code x=} is before {@code t=}. */
    INCONSISTENT_TAGS(DkimResult.PERMERROR),
    /** No TXT record at {@code <s>._domainkey.<d>} (NXDOMAIN or NODATA). */
    NO_KEY_RECORD(DkimResult.PERMERROR),
    /** The key record is malformed (tag list, {@code v=}, {@code p=}, key encoding). */
    MALFORMED_KEY_RECORD(DkimResult.PERMERROR),
    /** The key record is larger than the configured maximum. */
    KEY_RECORD_TOO_LARGE(DkimResult.PERMERROR),
    /**
     * The key record's {@code k=} is not the key type of {@code a=} (RFC 6376 section 6.1.2: the key record is
     * ignored, "inappropriate key algorithm").
     */
    KEY_TYPE_MISMATCH(DkimResult.PERMERROR),
    /**
     * The key record's {@code h=} does not list the hash of {@code a=} (RFC 6376 section 6.1.2: the key record
     * is ignored, "inappropriate hash algorithm").
     */
    KEY_HASH_NOT_ALLOWED(DkimResult.PERMERROR),
    /**
     * The key record's {@code s=} lists neither {@code email} nor {@code *} (RFC 6376 section 3.6.1: the key is
     * not for email, so it is ignored).
     */
    KEY_SERVICE_NOT_EMAIL(DkimResult.PERMERROR);

    private final DkimResult result;

    DkimFailureReason(DkimResult result) {
        this.result = result;
    }

    /** The result this reason gives. */
    public DkimResult result() {
        return result;
    }
}
