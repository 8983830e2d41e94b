package org.tesjames.core.dane;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Server name checks for DANE-TA(2) (RFC 7672 sections 3.2.2 and 3.2.3, with the rules of RFC 6125 section 6.4).
 *
 * <ul>
 * <li>The certificate's DNS names are its subjectAltName dNSName entries; only a certificate with no dNSName
 * entry falls back to the subject's common name (CN) attributes.</li>
 * <li>Comparison is ASCII case-insensitive and ignores one trailing dot.</li>
 * <li>A wildcard is allowed only as the whole leftmost label ({@code *.example.com}), with at least two labels
 * after it, and matches exactly one label: {@code mx.example.com}, not {@code example.com} nor
 * {@code a.mx.example.com}. Partial wildcards ({@code mx*.example.com}) match nothing.</li>
 * </ul>
 */
public final class CertificateNames {
    private static final int DNS_NAME = 2;

    private CertificateNames() {
    }

    /**
     * The DNS names of a certificate: subjectAltName dNSNames, or the CN values when there is no dNSName.
     *
     * @param certificate the certificate
     * @return the names, lower-cased, in certificate order
     */
    public static Set<String> dnsNames(X509Certificate certificate) {
        Set<String> names = new LinkedHashSet<>();
        Collection<List<?>> alternativeNames;
        try {
            alternativeNames = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return names; // an unparsable subjectAltName matches nothing; the CN is no substitute for it
        }
        if (alternativeNames != null) {
            for (List<?> entry : alternativeNames) {
                if (entry.size() >= 2 && Integer.valueOf(DNS_NAME).equals(entry.get(0))
                    && entry.get(1) instanceof String name) {
                    names.add(normalise(name));
                }
            }
        }
        if (names.isEmpty()) {
            names.addAll(commonNames(certificate.getSubjectX500Principal()));
        }
        return names;
    }

    /**
     * Whether a certificate name matches a reference identifier.
     *
     * @param certificateName a DNS name from a certificate, possibly a wildcard
     * @param referenceIdentifier the name the client expects
     * @return true if it matches
     */
    public static boolean matches(String certificateName, String referenceIdentifier) {
        String presented = normalise(certificateName);
        String reference = normalise(referenceIdentifier);
        if (presented.isEmpty() || reference.isEmpty() || reference.contains("*")) {
            return false;
        }
        if (!presented.contains("*")) {
            return presented.equals(reference);
        }
        if (!presented.startsWith("*.") || presented.indexOf('*', 1) >= 0) {
            return false;
        }
        String suffix = presented.substring(1); // ".example.com"
        if (suffix.indexOf('.', 1) < 0) {
            return false; // "*.com": at least two labels after the wildcard
        }
        if (!reference.endsWith(suffix)) {
            return false;
        }
        String label = reference.substring(0, reference.length() - suffix.length());
        return !label.isEmpty() && label.indexOf('.') < 0;
    }

    /**
     * Whether any certificate name matches any reference identifier.
     *
     * @param certificateNames names from {@link #dnsNames(X509Certificate)}
     * @param referenceIdentifiers acceptable names
     * @return true on a match
     */
    public static boolean anyMatches(Collection<String> certificateNames, Collection<String> referenceIdentifiers) {
        for (String name : certificateNames) {
            for (String reference : referenceIdentifiers) {
                if (matches(name, reference)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String normalise(String name) {
        String lower = name.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static Set<String> commonNames(X500Principal subject) {
        Set<String> names = new LinkedHashSet<>();
        try {
            for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
                    names.add(normalise(cn));
                }
            }
        } catch (InvalidNameException e) {
            // an RFC 2253 name the JDK itself produced always parses; no CN otherwise
        }
        return names;
    }
}
