package org.tesjames.core.dmarc;

/** The SPF result (RFC 7208 section 2.6) of the MAIL FROM identity; only {@link #PASS} can make DMARC pass. */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR
}
