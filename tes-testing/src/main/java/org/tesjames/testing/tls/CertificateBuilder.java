package org.tesjames.testing.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Fluent builder of a test certificate, either self-signed ({@link TestCertificates#builder()}) or issued
 * by a {@link TestPki} ({@link TestPki#leaf(String...)}).
 *
 * <p>Defaults: RSA 2048 with a freshly generated key, valid from one day ago for 365 days, subject
 * {@code CN=<first name>, O=TES Test}, subjectAltName with every given name (IP literals become
 * iPAddress entries), end-entity extensions (basicConstraints CA:false, keyUsage, extendedKeyUsage
 * serverAuth + clientAuth).
 *
 * <pre>{@code
 * TestCertificate ec = TestCertificates.builder().dnsNames("mx.example").keyType(KeyType.EC_P256).build();
 * TestCertificate expired = pki.leaf("mx.example").expired().build();
 * }</pre>
 */
public final class CertificateBuilder {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final TestCertificate issuer;
    private final List<String> names = new ArrayList<>();
    private String commonName;
    private KeyType keyType = KeyType.RSA_2048;
    private KeyPair keyPair;
    private boolean sharedKey;
    private Instant notBefore;
    private Instant notAfter;
    private boolean ca;
    private Integer pathLength;

    CertificateBuilder(TestCertificate issuer) {
        this.issuer = issuer;
    }

    /**
     * Adds DNS names (or IP literals) to the subjectAltName; the first also becomes the default CN.
     *
     * @param dnsNames host names such as {@code mx.example.com}, wildcards such as {@code *.example.com},
     *                 or IP literals
     * @return this builder
     */
    public CertificateBuilder dnsNames(String... dnsNames) {
        names.addAll(Arrays.asList(dnsNames));
        return this;
    }

    /**
     * Sets the subject common name (default: the first DNS name, or {@code TES Test} without names).
     *
     * @param cn the common name
     * @return this builder
     */
    public CertificateBuilder commonName(String cn) {
        this.commonName = Objects.requireNonNull(cn);
        return this;
    }

    /**
     * Uses a freshly generated key of the given type (default {@link KeyType#RSA_2048}).
     *
     * @param type the key type
     * @return this builder
     */
    public CertificateBuilder keyType(KeyType type) {
        this.keyType = Objects.requireNonNull(type);
        this.keyPair = null;
        return this;
    }

    /**
     * Uses the given key pair (RSA or EC) for the certificate.
     *
     * @param pair the key pair
     * @return this builder
     */
    public CertificateBuilder keyPair(KeyPair pair) {
        this.keyPair = Objects.requireNonNull(pair);
        this.keyType = KeyType.of(pair);
        return this;
    }

    /**
     * Uses the JVM-wide shared key of the chosen key type ({@link KeyType#shared()}) instead of generating
     * one: faster, but every certificate built this way with that key type has the same SPKI.
     *
     * @return this builder
     */
    public CertificateBuilder sharedKey() {
        this.sharedKey = true;
        return this;
    }

    /**
     * Sets the validity window.
     *
     * @param from notBefore
     * @param until notAfter
     * @return this builder
     */
    public CertificateBuilder validity(Instant from, Instant until) {
        if (until.isBefore(from)) {
            throw new IllegalArgumentException("notAfter before notBefore");
        }
        this.notBefore = from;
        this.notAfter = until;
        return this;
    }

    /**
     * Makes the certificate valid from one day ago for the given duration from now.
     *
     * @param duration remaining validity
     * @return this builder
     */
    public CertificateBuilder validFor(Duration duration) {
        Instant now = Instant.now();
        return validity(now.minus(1, ChronoUnit.DAYS), now.plus(duration));
    }

    /**
     * Makes the certificate already expired: valid from 30 days ago until 1 day ago.
     *
     * @return this builder
     */
    public CertificateBuilder expired() {
        Instant now = Instant.now();
        return validity(now.minus(30, ChronoUnit.DAYS), now.minus(1, ChronoUnit.DAYS));
    }

    /**
     * Makes the certificate not yet valid: valid from 1 day ahead for 30 days.
     *
     * @return this builder
     */
    public CertificateBuilder notYetValid() {
        Instant now = Instant.now();
        return validity(now.plus(1, ChronoUnit.DAYS), now.plus(31, ChronoUnit.DAYS));
    }

    CertificateBuilder certificateAuthority(Integer maxPathLength) {
        this.ca = true;
        this.pathLength = maxPathLength;
        return this;
    }

    /**
     * Creates the certificate: self-signed when this builder came from {@link TestCertificates#builder()},
     * otherwise signed by the issuing {@link TestPki} CA (the chain then contains the intermediates).
     *
     * @return the new credential
     */
    public TestCertificate build() {
        KeyPair pair = keyPair != null ? keyPair : sharedKey ? keyType.shared() : keyType.generate();
        Instant now = Instant.now();
        Instant from = notBefore != null ? notBefore : now.minus(1, ChronoUnit.DAYS);
        Instant until = notAfter != null ? notAfter : now.plus(ca ? 3650 : 365, ChronoUnit.DAYS);

        X500NameBuilder subjectBuilder = new X500NameBuilder(BCStyle.INSTANCE);
        String cn = commonName != null ? commonName : names.isEmpty() ? "TES Test" : names.get(0);
        subjectBuilder.addRDN(BCStyle.O, "TES Test");
        subjectBuilder.addRDN(BCStyle.CN, cn);
        X500Name subject = subjectBuilder.build();

        X500Name issuerName = issuer == null ? subject
            : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        KeyPair signer = issuer == null ? pair : issuer.keyPair();

        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                new BigInteger(63, RANDOM).add(BigInteger.ONE),
                Date.from(from.truncatedTo(ChronoUnit.SECONDS)),
                Date.from(until.truncatedTo(ChronoUnit.SECONDS)),
                subject, pair.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                utils.createSubjectKeyIdentifier(pair.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                utils.createAuthorityKeyIdentifier(signer.getPublic()));
            if (ca) {
                builder.addExtension(Extension.basicConstraints, true,
                    pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength));
                builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                int usage = KeyUsage.digitalSignature;
                if (keyType == KeyType.RSA_2048) {
                    usage |= KeyUsage.keyEncipherment;
                }
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            }
            if (!names.isEmpty()) {
                List<GeneralName> generalNames = new ArrayList<>();
                for (String name : names) {
                    generalNames.add(isIpLiteral(name)
                        ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name));
                }
                builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(generalNames.toArray(new GeneralName[0])));
            }
            ContentSigner contentSigner = new JcaContentSignerBuilder(
                KeyType.of(signer).signatureAlgorithm()).build(signer.getPrivate());
            X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(contentSigner));

            if (issuer == null) {
                return new TestCertificate(pair, List.of(certificate), certificate);
            }
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(certificate);
            for (X509Certificate c : issuer.chain()) {
                if (!c.equals(issuer.root())) {
                    chain.add(c);
                }
            }
            return new TestCertificate(pair, chain, issuer.root());
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("Cannot create test certificate for " + names, e);
        }
    }

    private static boolean isIpLiteral(String name) {
        if (IPV4.matcher(name).matches()) {
            return true;
        }
        if (name.indexOf(':') >= 0) {
            try {
                InetAddress.getByName(name); // literal only: no lookup for strings containing ':'
                return true;
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }
}
