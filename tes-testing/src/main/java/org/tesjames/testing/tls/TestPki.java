package org.tesjames.testing.tls;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLContext;

/**
 * A test certification authority: a self-signed root and optionally one intermediate CA that issues the
 * leaf certificates. Leaves carry the chain {@code [leaf, intermediate]} (the root is the trust anchor and
 * is not presented unless {@link TestCertificate#withRootInChain()} is used).
 *
 * <pre>{@code
 * TestPki pki = TestPki.withIntermediate("Test Root", "Test Intermediate");
 * TestCertificate mx = pki.issue("mx.example.com");
 * TestCertificate old = pki.leaf("mx.example.com").expired().build();
 * SSLContext client = pki.clientSslContext(); // trusts the root only
 * }</pre>
 */
public final class TestPki {

    private final TestCertificate root;
    private final TestCertificate intermediate;

    private TestPki(TestCertificate root, TestCertificate intermediate) {
        this.root = root;
        this.intermediate = intermediate;
    }

    /**
     * A PKI with an RSA 2048 root named {@code TES Test Root CA} issuing leaves directly.
     *
     * @return the PKI
     */
    public static TestPki create() {
        return create("TES Test Root CA");
    }

    /**
     * A PKI with an RSA 2048 root issuing leaves directly.
     *
     * @param rootName CN of the root
     * @return the PKI
     */
    public static TestPki create(String rootName) {
        return create(rootName, null, KeyType.RSA_2048);
    }

    /**
     * A PKI with an RSA 2048 root and an intermediate CA that issues the leaves.
     *
     * @param rootName CN of the root
     * @param intermediateName CN of the intermediate
     * @return the PKI
     */
    public static TestPki withIntermediate(String rootName, String intermediateName) {
        return create(rootName, Objects.requireNonNull(intermediateName), KeyType.RSA_2048);
    }

    /**
     * A PKI with CA keys of the given type.
     *
     * @param rootName CN of the root
     * @param intermediateName CN of the intermediate, or {@code null} for none
     * @param caKeyType key type of the CA certificates
     * @return the PKI
     */
    public static TestPki create(String rootName, String intermediateName, KeyType caKeyType) {
        TestCertificate root = new CertificateBuilder(null).commonName(rootName).keyType(caKeyType)
            .certificateAuthority(null).build();
        TestCertificate intermediate = null;
        if (intermediateName != null) {
            intermediate = new CertificateBuilder(root).commonName(intermediateName).keyType(caKeyType)
                .certificateAuthority(0).build();
        }
        return new TestPki(root, intermediate);
    }

    /**
     * The root CA credential (self-signed).
     *
     * @return the root
     */
    public TestCertificate root() {
        return root;
    }

    /**
     * The root certificate, i.e. the trust anchor.
     *
     * @return the root certificate
     */
    public X509Certificate rootCertificate() {
        return root.certificate();
    }

    /**
     * The intermediate CA credential, if this PKI has one.
     *
     * @return the intermediate
     */
    public Optional<TestCertificate> intermediate() {
        return Optional.ofNullable(intermediate);
    }

    /**
     * The CA that signs leaves: the intermediate if present, else the root.
     *
     * @return the issuing CA
     */
    public TestCertificate issuer() {
        return intermediate != null ? intermediate : root;
    }

    /**
     * Issues an RSA 2048 leaf certificate with default validity for the given names.
     *
     * @param dnsNames subjectAltName entries; the first is also the CN
     * @return the leaf credential
     */
    public TestCertificate issue(String... dnsNames) {
        return leaf(dnsNames).build();
    }

    /**
     * A builder for a leaf certificate issued by {@link #issuer()}.
     *
     * @param dnsNames subjectAltName entries; the first is also the CN
     * @return the builder; call {@link CertificateBuilder#build()}
     */
    public CertificateBuilder leaf(String... dnsNames) {
        return new CertificateBuilder(issuer()).dnsNames(dnsNames);
    }

    /**
     * A client {@link SSLContext} trusting only this PKI's root.
     *
     * @return a new SSL context
     */
    public SSLContext clientSslContext() {
        return SslContexts.clientTrusting(root.certificate());
    }

    @Override
    public String toString() {
        return "TestPki[root=" + root.subject()
            + (intermediate != null ? ", intermediate=" + intermediate.subject() : "") + "]";
    }
}
