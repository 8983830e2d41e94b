package org.tesjames.core.dkim.sign;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.tesjames.core.membership.DomainNames;

/**
 * Whether an authenticated user may have mail signed for a signing domain (the RFC 5322 From domain).
 *
 * <p>A user may sign for the domain of its own address (the part after the last {@code @}, compared as
 * normalised domains: case-insensitive, Unicode and A-labels alike) and for the extra domains the map grants to
 * its domain. A user name without a domain may sign for nothing.
 *
 * @param extraDomains normalised user domain to the normalised signing domains its users may also sign for
 */
public record SigningAuthorisation(Map<String, Set<String>> extraDomains) {
    public SigningAuthorisation {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        extraDomains.forEach((user, domains) -> copy.put(user, Set.copyOf(domains)));
        extraDomains = Map.copyOf(copy);
    }

    /** Only the user's own domain. */
    public static SigningAuthorisation ownDomainOnly() {
        return new SigningAuthorisation(Map.of());
    }

    /**
     * Parses {@code signing-domain:user-domain,signing-domain:user-domain}: each entry lets the users of
     * {@code user-domain} sign for {@code signing-domain}. Empty or blank: {@link #ownDomainOnly()}.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static SigningAuthorisation parse(String text) {
        Map<String, Set<String>> extra = new LinkedHashMap<>();
        if (text.isBlank()) {
            return ownDomainOnly();
        }
        for (String item : text.split(",", -1)) {
            String[] parts = item.split(":", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("'" + item.strip() + "' is not signing-domain:user-domain");
            }
            String signing = domain(parts[0], item);
            String user = domain(parts[1], item);
            if (signing.equals(user)) {
                throw new IllegalArgumentException("'" + item.strip() + "' maps a domain to itself");
            }
            if (!extra.computeIfAbsent(user, u -> new TreeSet<>()).add(signing)) {
                throw new IllegalArgumentException("'" + item.strip() + "' is given twice");
            }
        }
        return new SigningAuthorisation(extra);
    }

    private static String domain(String text, String item) {
        DomainNames.Normalised normalised = DomainNames.normalise(text.strip());
        return normalised.domain().orElseThrow(() -> new IllegalArgumentException("'" + item.strip()
            + "': " + normalised.problem()));
    }

    /** The normalised domain of a user name (after its last {@code @}), empty when it has none. */
    public static Optional<String> userDomain(String user) {
        Objects.requireNonNull(user, "user");
        int at = user.lastIndexOf('@');
        if (at < 0 || at == user.length() - 1) {
            return Optional.empty();
        }
        return DomainNames.normalise(user.substring(at + 1)).domain();
    }

    /**
     * Whether the user may sign for the domain.
     *
     * @param user the authenticated user name
     * @param signingDomain the normalised signing domain
     */
    public boolean allows(String user, String signingDomain) {
        Optional<String> own = userDomain(user);
        if (own.isEmpty()) {
            return false;
        }
        return own.get().equals(signingDomain)
            || extraDomains.getOrDefault(own.get(), Set.of()).contains(signingDomain);
    }
}
