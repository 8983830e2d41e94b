package org.tesjames.core.dane;

import java.util.Objects;
import java.util.Set;

/**
 * The outcome of matching a server's certificate chain against a TLSA RRset ({@link DaneVerifier}).
 *
 * <p>Only {@link Verified} authenticates the server. {@link NoUsableRecords} is RFC 7672 section 2.2's
 * "secure, but unusable" RRset (the SMTP client proceeds as with mandatory unauthenticated TLS), which differs
 * from the authentication failures {@link NoMatch}, {@link NameMismatch} and {@link ChainInvalid}.
 */
public sealed interface DaneResult {

    /**
     * Whether the chain is DANE-authenticated.
     *
     * @return true only for {@link Verified}
     */
    default boolean verified() {
        return this instanceof Verified;
    }

    /**
     * The chain is authenticated.
     *
     * @param matchedRecord the TLSA record that matched
     * @param matchDepth where it matched, OpenSSL's convention: 0 the leaf (DANE-EE(3)); n &ge; 1 the n-th
     *                   certificate above the leaf in the presented chain (DANE-TA(2)); for a DANE-TA(2) Full(0)
     *                   trust anchor absent from the chain, the depth of the certificate it signed when the
     *                   record is a bare key (SPKI), or one above the top of the chain when it is a certificate
     */
    record Verified(TlsaRecord matchedRecord, int matchDepth) implements DaneResult {
        public Verified {
            Objects.requireNonNull(matchedRecord, "matchedRecord");
            if (matchDepth < 0) {
                throw new IllegalArgumentException("matchDepth < 0");
            }
        }
    }

    /** No record of the RRset is usable for SMTP (RFC 7672 sections 2.2 and 3.1.3; see {@link TlsaSelection}). */
    record NoUsableRecords() implements DaneResult {
    }

    /**
     * Usable records exist but none matches the chain.
     *
     * @param reason what was tried
     */
    record NoMatch(String reason) implements DaneResult {
        public NoMatch {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A DANE-TA(2) record matched and the chain is valid, but no name of the leaf matches a reference identifier
     * (RFC 7672 sections 3.2.2 and 3.2.3).
     *
     * @param certificateNames the DNS names of the leaf (subjectAltName dNSNames, or its CN when it has none)
     * @param referenceIdentifiers the names that were acceptable
     */
    record NameMismatch(Set<String> certificateNames, Set<String> referenceIdentifiers) implements DaneResult {
        public NameMismatch {
            certificateNames = Set.copyOf(certificateNames);
            referenceIdentifiers = Set.copyOf(referenceIdentifiers);
        }
    }

    /**
     * A DANE-TA(2) record matched, but the path from the leaf to that trust anchor is invalid (a signature does
     * not verify, an issuer is not a CA, or a certificate below the trust anchor is outside its validity period).
     *
     * @param reason the first problem found
     */
    record ChainInvalid(String reason) implements DaneResult {
        public ChainInvalid {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
