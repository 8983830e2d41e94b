package org.tesjames.core.dmarc;

import java.util.Locale;

/**
 * Identifier alignment (RFC 7489 section 3.1): whether a DKIM signing domain ({@code d=}, section 3.1.1) or
 * an SPF-authenticated MAIL FROM domain (section 3.1.2) aligns with the RFC5322.From domain. Strict: the
 * domains are equal, ignoring case and a trailing dot. Relaxed: their Organizational Domains are equal (a
 * domain without one, such as a public suffix, stands for itself). A null or empty domain never aligns.
 */
public final class Alignment {
    private Alignment() {
    }

    public static boolean aligned(AlignmentMode mode, String authenticatedDomain, String fromDomain) {
        if (authenticatedDomain == null || fromDomain == null || authenticatedDomain.isBlank()
            || fromDomain.isBlank()) {
            return false;
        }
        return switch (mode) {
            case STRICT -> canonical(authenticatedDomain).equals(canonical(fromDomain));
            case RELAXED -> OrganizationalDomain.ofOrSelf(canonical(authenticatedDomain))
                .equals(OrganizationalDomain.ofOrSelf(canonical(fromDomain)));
        };
    }

    public static boolean strictlyAligned(String authenticatedDomain, String fromDomain) {
        return aligned(AlignmentMode.STRICT, authenticatedDomain, fromDomain);
    }

    public static boolean relaxedAligned(String authenticatedDomain, String fromDomain) {
        return aligned(AlignmentMode.RELAXED, authenticatedDomain, fromDomain);
    }

    private static String canonical(String domain) {
        String lower = domain.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
