package org.tesjames.core.dkim.verify;

import java.util.Locale;

/** The DKIM result of one signature, in the RFC 8601 section 2.7.1 vocabulary. */
public enum DkimResult {
    /** The signature verified. */
    PASS,
    /** The signature did not verify, or verified with a key or under conditions that may not be accepted. */
    FAIL,
    /** The signature could not be processed: a version, algorithm, canonicalisation or query method we do not know. */
    NEUTRAL,
    /** A temporary failure fetching the key: trying again later may give another result. */
    TEMPERROR,
    /** An unrecoverable error: malformed signature, missing tag, malformed or missing key record. */
    PERMERROR;

    private final String keyword = name().toLowerCase(Locale.ROOT);

    /** The keyword of an {@code Authentication-Results} header: {@code pass}, {@code fail}, ... */
    public String keyword() {
        return keyword;
    }
}
