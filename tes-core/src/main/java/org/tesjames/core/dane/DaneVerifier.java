package org.tesjames.core.dane;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matches a server's certificate chain against a TLSA RRset, offline, for SMTP (RFC 7671, RFC 7672).
 *
 * <p>Records are first selected by {@link TlsaSelection} (DANE-TA(2)/DANE-EE(3) only, digest agility of
 * RFC 7671 section 9); none usable gives {@link DaneResult.NoUsableRecords}. Then, in this order (the lowest
 * match depth wins, as in OpenSSL):
 * <ol>
 * <li><b>DANE-EE(3)</b> (RFC 7671 section 5.1, RFC 7672 sections 3.1.1 and 3.2.1): a record matching the leaf
 * certificate (selector Cert(0)) or its SubjectPublicKeyInfo (SPKI(1)) verifies at depth 0. Names, validity
 * dates and the rest of the chain are ignored.</li>
 * <li><b>DANE-TA(2) in the chain</b> (RFC 7671 section 5.2, RFC 7672 section 3.1.2): a record matching the
 * certificate at depth d &ge; 1 of the presented chain (leaf = depth 0) makes it the trust anchor. DANE-TA(2)
 * never matches the leaf itself.</li>
 * <li><b>DANE-TA(2) Full(0) not in the chain</b> (RFC 7671 section 5.2.3, "trust anchor public keys"): a Full(0)
 * record holding a certificate or a bare public key is a trust anchor if it signed the top certificate of the
 * chain (and, for a certificate, is named as its issuer). Depth, as in OpenSSL: the chain length for a
 * certificate (the anchor sits above the top), the top's depth for a bare key.</li>
 * </ol>
 * A DANE-TA(2) anchor then needs a valid path: every certificate below the anchor must be signed by the next one
 * up (names chained), every issuing certificate must be a CA (basicConstraints, or a version 1 certificate),
 * and every certificate below the anchor must be within its validity period at the verifier's clock. The
 * anchor's own validity dates are not checked: the TLSA record, not the certificate, vouches for the anchor
 * (a decision; RFC 7671 section 5.2 leaves it open, and the anchor may even be a bare key). Path length
 * constraints, key usage and revocation are not checked. If several anchors match, the first valid path (lowest
 * depth) wins; if none is valid the first problem is reported as {@link DaneResult.ChainInvalid}. Finally the
 * leaf's names must match a reference identifier ({@link CertificateNames}), unless the set of reference
 * identifiers is empty.
 *
 * <p>The chain is taken as presented, leaf first, each certificate issued by the next; no reordering and no
 * chain building from other sources.
 */
public final class DaneVerifier {
    private static final Logger LOGGER = LoggerFactory.getLogger(DaneVerifier.class);
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "DSA",
        "RSASSA-PSS");

    private final Clock clock;

    /**
     * A verifier checking DANE-TA(2) validity dates against the given clock.
     *
     * @param clock the time source
     */
    public DaneVerifier(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Matches a chain against a TLSA RRset.
     *
     * @param chain the server's certificates, leaf first, not empty
     * @param rrset the TLSA records (any, usable or not)
     * @param referenceIdentifiers acceptable server names for DANE-TA(2) (RFC 7672 section 3.2.3: the next-hop
     *                             domain, the MX host name, ...); empty for no name check
     * @return the outcome
     */
    public DaneResult verify(List<X509Certificate> chain, Collection<TlsaRecord> rrset,
                             Set<String> referenceIdentifiers) {
        Objects.requireNonNull(rrset, "rrset");
        Objects.requireNonNull(referenceIdentifiers, "referenceIdentifiers");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
        DaneResult result = match(List.copyOf(chain), TlsaSelection.of(rrset).usable(),
            Set.copyOf(referenceIdentifiers));
        LOGGER.debug("DANE {} for {} with {} TLSA records, reference identifiers {}", result,
            chain.get(0).getSubjectX500Principal(), rrset.size(), referenceIdentifiers);
        return result;
    }

    private DaneResult match(List<X509Certificate> chain, List<TlsaRecord> usable, Set<String> references) {
        if (usable.isEmpty()) {
            return new DaneResult.NoUsableRecords();
        }
        X509Certificate leaf = chain.get(0);
        for (TlsaRecord record : usable) {
            if (record.usage() == TlsaRecord.DANE_EE && matches(record, leaf)) {
                return new DaneResult.Verified(record, 0);
            }
        }
        List<TlsaRecord> anchors = usable.stream().filter(r -> r.usage() == TlsaRecord.DANE_TA).toList();
        List<String> pathProblems = new ArrayList<>();
        for (int depth = 1; depth < chain.size(); depth++) {
            for (TlsaRecord record : anchors) {
                if (matches(record, chain.get(depth))) {
                    Optional<String> problem = pathProblem(chain, depth);
                    if (problem.isEmpty()) {
                        return checkNames(leaf, record, depth, references);
                    }
                    pathProblems.add(problem.get());
                }
            }
        }
        X509Certificate top = chain.get(chain.size() - 1);
        for (TlsaRecord record : anchors) {
            if (record.matchingType() != TlsaRecord.MATCH_FULL) {
                continue;
            }
            Optional<PublicKey> key;
            int depth;
            if (record.selector() == TlsaRecord.SELECTOR_CERT) {
                Optional<X509Certificate> anchor = certificate(record.data());
                key = anchor.filter(a -> a.getSubjectX500Principal().equals(top.getIssuerX500Principal()))
                    .filter(DaneVerifier::isCa).map(X509Certificate::getPublicKey);
                depth = chain.size();
            } else {
                key = publicKey(record.data());
                depth = chain.size() - 1;
            }
            if (key.isPresent() && signedBy(top, key.get())) {
                Optional<String> problem = pathProblem(chain, chain.size());
                if (problem.isEmpty()) {
                    return checkNames(leaf, record, depth, references);
                }
                pathProblems.add(problem.get());
            }
        }
        if (!pathProblems.isEmpty()) {
            return new DaneResult.ChainInvalid(pathProblems.get(0));
        }
        return new DaneResult.NoMatch("none of the " + usable.size() + " usable TLSA records matches: "
            + "DANE-EE(3) records were compared with the leaf, DANE-TA(2) records with the " + (chain.size() - 1)
            + " certificates above it and, for Full(0), as a trust anchor of the top certificate");
    }

    /**
     * The first problem on the path from the leaf up to a trust anchor, with {@code below} certificates of the
     * chain below the anchor: the anchor is the chain's certificate at depth {@code below}, or, when
     * {@code below} is the chain length, an anchor from DNS whose signature on the top the caller checked.
     */
    private Optional<String> pathProblem(List<X509Certificate> chain, int below) {
        Date now = Date.from(clock.instant());
        for (int i = 0; i < below; i++) {
            X509Certificate certificate = chain.get(i);
            String where = "certificate at depth " + i + " (" + certificate.getSubjectX500Principal().getName()
                + ")";
            try {
                certificate.checkValidity(now);
            } catch (CertificateExpiredException e) {
                return Optional.of(where + " expired on " + certificate.getNotAfter().toInstant());
            } catch (CertificateNotYetValidException e) {
                return Optional.of(where + " is not valid before " + certificate.getNotBefore().toInstant());
            }
            if (i > 0 && !isCa(certificate)) {
                return Optional.of(where + " issues a certificate but is not a CA");
            }
            if (i + 1 < chain.size()) {
                X509Certificate issuer = chain.get(i + 1);
                if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                    return Optional.of(where + " is issued by " + certificate.getIssuerX500Principal().getName()
                        + ", not by the next certificate (" + issuer.getSubjectX500Principal().getName() + ")");
                }
                if (i + 1 == below && !isCa(issuer)) {
                    return Optional.of("trust anchor at depth " + below + " ("
                        + issuer.getSubjectX500Principal().getName() + ") is not a CA");
                }
                if (!signedBy(certificate, issuer.getPublicKey())) {
                    return Optional.of(where + " has a signature that does not verify with the key of the "
                        + "certificate at depth " + (i + 1));
                }
            }
        }
        return Optional.empty();
    }

    private static DaneResult checkNames(X509Certificate leaf, TlsaRecord record, int depth,
                                         Set<String> references) {
        if (references.isEmpty()) {
            return new DaneResult.Verified(record, depth);
        }
        Set<String> names = CertificateNames.dnsNames(leaf);
        if (CertificateNames.anyMatches(names, references)) {
            return new DaneResult.Verified(record, depth);
        }
        return new DaneResult.NameMismatch(names, references.stream().map(CertificateNames::normalise)
            .collect(Collectors.toSet()));
    }

    /**
     * Whether a record matches a certificate (RFC 6698 section 2.1: selector, then matching type), regardless of
     * the record's usage.
     *
     * @param record the record
     * @param certificate the certificate
     * @return true if the selected content, or its digest, equals the association data
     */
    public static boolean matches(TlsaRecord record, X509Certificate certificate) {
        byte[] selected;
        try {
            byte[] der = certificate.getEncoded();
            selected = switch (record.selector()) {
                case TlsaRecord.SELECTOR_CERT -> der;
                case TlsaRecord.SELECTOR_SPKI -> Der.subjectPublicKeyInfo(der);
                default -> null;
            };
        } catch (CertificateEncodingException | IllegalArgumentException e) {
            return false;
        }
        if (selected == null) {
            return false;
        }
        byte[] compared = switch (record.matchingType()) {
            case TlsaRecord.MATCH_FULL -> selected;
            case TlsaRecord.MATCH_SHA256 -> digest("SHA-256", selected);
            case TlsaRecord.MATCH_SHA512 -> digest("SHA-512", selected);
            default -> null;
        };
        return compared != null && MessageDigest.isEqual(compared, record.data());
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }

    private static boolean isCa(X509Certificate certificate) {
        return certificate.getBasicConstraints() >= 0 || certificate.getVersion() < 3;
    }

    private static boolean signedBy(X509Certificate certificate, PublicKey key) {
        try {
            certificate.verify(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Optional<X509Certificate> certificate(byte[] der) {
        try {
            return Optional.of((X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der)));
        } catch (CertificateException e) {
            return Optional.empty();
        }
    }

    private static Optional<PublicKey> publicKey(byte[] spki) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return Optional.of(KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki)));
            } catch (GeneralSecurityException e) {
                // not a key of this algorithm: try the next
            }
        }
        return Optional.empty();
    }
}
