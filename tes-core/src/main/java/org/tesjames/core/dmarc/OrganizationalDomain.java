package org.tesjames.core.dmarc;

import java.util.Locale;
import java.util.Optional;

import org.tesjames.core.util.BoundedMemo;

import com.google.common.net.InternetDomainName;

/**
 * The Organizational Domain of a domain (RFC 7489 section 3.2): the public suffix that matches the most labels
 * of the domain, plus the next label. The public suffix list is the snapshot embedded in Guava's
 * {@link InternetDomainName} (the Guava that James ships), ICANN and private sections alike (the list's
 * own conformance vectors count {@code uk.com}, a private entry, as a suffix).
 *
 * <p>A name under a top-level domain the list does not know gets the list's implicit {@code *} rule
 * (publicsuffix.org algorithm: "if no rules match, the prevailing rule is *"): its Organizational Domain is its
 * last two labels. Guava alone would find no suffix there; RFC 7489 section 3.2 step 3 presumes a match.
 *
 * <p>There is none for a name that is itself a public suffix ({@code com}, {@code uk.com}, {@code c.mm}), a
 * single label, or a syntactically invalid name (empty label, leading dot). Results are lower case; Unicode
 * and A-label (punycode) input are both accepted and answered in the form given. A trailing dot is ignored.
 */
public final class OrganizationalDomain {
    /** The answers kept for the domains seen often: the public suffix search costs more than a DMARC lookup. */
    private static final BoundedMemo<Optional<String>> KNOWN = new BoundedMemo<>(OrganizationalDomain::find, 4096,
        255);

    private OrganizationalDomain() {
    }

    /**
     * @param domain a domain name, in any case, U-labels or A-labels
     * @return its Organizational Domain, or empty when it has none (see the class documentation)
     */
    public static Optional<String> of(String domain) {
        if (domain == null || domain.isEmpty()) {
            return Optional.empty();
        }
        return KNOWN.apply(domain);
    }

    private static Optional<String> find(String domain) {
        String name = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (!InternetDomainName.isValid(name)) {
            return Optional.empty();
        }
        InternetDomainName parsed = InternetDomainName.from(name);
        if (parsed.isUnderPublicSuffix()) {
            return Optional.of(parsed.topPrivateDomain().toString());
        }
        if (parsed.hasPublicSuffix()) {
            return Optional.empty(); // the name is itself a public suffix
        }
        // no rule matches: the implicit "*" rule makes the top-level label the suffix
        var parts = parsed.parts();
        if (parts.size() < 2) {
            return Optional.empty();
        }
        return Optional.of((parts.get(parts.size() - 2) + "." + parts.get(parts.size() - 1)).toLowerCase(Locale.ROOT));
    }

    /**
     * The Organizational Domain, or the domain itself (lower case, no trailing dot) when it has none: what
     * relaxed alignment compares (RFC 7489 section 3.1).
     */
    static String ofOrSelf(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        String self = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        return of(self).orElse(self);
    }
}
