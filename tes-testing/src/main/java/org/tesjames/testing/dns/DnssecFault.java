package org.tesjames.testing.dns;

/**
 * A deliberate DNSSEC defect, set on a whole zone with {@link TestZone#dnssecFault(DnssecFault)} or on a
 * single RRset with {@link TestZone#dnssecFault(String, int, DnssecFault)}.
 *
 * <p>What a validating resolver (checked against dnsjava's {@code ValidatingResolver}) concludes is given
 * for each constant: <em>bogus</em> means the validator answers {@code SERVFAIL} (with an extended DNS
 * error); <em>insecure</em> means it answers normally, without the AD flag.
 */
public enum DnssecFault {
    /** No defect: the zone is signed correctly (the default). */
    NONE(false),
    /**
     * Every RRSIG's signature bytes are corrupted (one bit flipped), so the signatures do not verify.
     * Zone-wide, the DNSKEY RRset keeps a valid signature so the key chain itself is sound and the data
     * is what fails. Validator result: bogus.
     */
    BAD_SIGNATURE(false),
    /**
     * The RRSIGs are made with a validity window entirely in the past (inception 30 days ago, expiration
     * 1 day ago). Zone-wide, the DNSKEY RRset keeps a valid signature. Validator result: bogus.
     */
    EXPIRED_SIGNATURE(false),
    /**
     * No RRSIG is published for the affected data (zone-wide: every RRset except the DNSKEY RRset),
     * although the parent publishes a DS and the zone a DNSKEY. Validator result: bogus.
     */
    MISSING_SIGNATURE(false),
    /**
     * Zone-level only. The zone is signed but its parent publishes no DS at the delegation; the parent's
     * NSEC at the delegation proves that no DS exists. This is an "island of security": per RFC 4035 the
     * validator cannot build a chain of trust and treats the zone as provably <em>insecure</em> (answers
     * without AD, not SERVFAIL). Validator result: insecure.
     */
    MISSING_DS(true),
    /**
     * Zone-level only. The parent publishes a DS whose digest matches none of the zone's DNSKEYs (same key
     * tag and algorithm, digest altered). Validator result: bogus.
     */
    WRONG_DS(true);

    private final boolean zoneLevelOnly;

    DnssecFault(boolean zoneLevelOnly) {
        this.zoneLevelOnly = zoneLevelOnly;
    }

    /**
     * Tells whether this defect only makes sense for a whole zone (it concerns the delegation from the
     * parent) and cannot be set on a single RRset.
     *
     * @return {@code true} for {@link #MISSING_DS} and {@link #WRONG_DS}
     */
    public boolean isZoneLevelOnly() {
        return zoneLevelOnly;
    }
}
