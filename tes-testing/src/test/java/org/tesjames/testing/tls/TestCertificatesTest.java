package org.tesjames.testing.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCertificatesTest {

    @Test
    void selfSignedCertificateCarriesTheNamesAndIsSignedByItsOwnKey() throws Exception {
        TestCertificate cert = TestCertificates.selfSigned("mx.example.com", "mail.example.com", "127.0.0.1");

        X509Certificate x509 = cert.certificate();
        x509.verify(cert.publicKey());
        x509.checkValidity();
        assertThat(x509.getSubjectX500Principal()).isEqualTo(x509.getIssuerX500Principal());
        assertThat(cert.subject()).contains("CN=mx.example.com");
        assertThat(x509.getSubjectAlternativeNames()).containsExactly(
            List.of(2, "mx.example.com"), List.of(2, "mail.example.com"), List.of(7, "127.0.0.1"));
        assertThat(x509.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(x509.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.publicKey()).isInstanceOf(RSAPublicKey.class);
        assertThat(((RSAPublicKey) cert.publicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(cert.chain()).containsExactly(x509);
        assertThat(cert.root()).isEqualTo(x509);
        assertThat(cert.firstDnsName()).contains("mx.example.com");
    }

    @Test
    void ecKeyTypeProducesAnEcdsaP256Certificate() throws Exception {
        TestCertificate cert = TestCertificates.selfSigned(KeyType.EC_P256, "mx.example.com");

        assertThat(cert.publicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) cert.publicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(cert.certificate().getSigAlgName()).isEqualToIgnoringCase("SHA256withECDSA");
        cert.certificate().verify(cert.publicKey());
    }

    @Test
    void freshKeysDifferWhileTheSharedKeyIsReused() {
        TestCertificate a = TestCertificates.builder().dnsNames("a.example").sharedKey().build();
        TestCertificate b = TestCertificates.builder().dnsNames("b.example").sharedKey().build();
        TestCertificate c = TestCertificates.selfSigned("c.example");

        assertThat(a.spki()).isEqualTo(b.spki());
        assertThat(c.spki()).isNotEqualTo(a.spki());
        assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
    }

    @Test
    void pkcs12KeystoreIsWrittenAndLoadableWithItsPassword(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.withIntermediate("Root", "Intermediate");
        TestCertificate leaf = pki.issue("mx.example.com");

        Path file = leaf.writePkcs12(dir.resolve("conf/keystore.p12"), "s3cret", "james");

        KeyStore loaded = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            loaded.load(in, "s3cret".toCharArray());
        }
        assertThat(loaded.isKeyEntry("james")).isTrue();
        Key key = loaded.getKey("james", "s3cret".toCharArray());
        assertThat(key).isInstanceOf(PrivateKey.class);
        assertThat(key.getEncoded()).isEqualTo(leaf.privateKey().getEncoded());
        Certificate[] chain = loaded.getCertificateChain("james");
        assertThat(chain).containsExactly(leaf.certificate(), pki.intermediate().orElseThrow().certificate());

        KeyStore wrongPassword = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            assertThatThrownBy(() -> wrongPassword.load(in, "wrong".toCharArray())).isInstanceOf(Exception.class);
        }
    }

    @Test
    void trustStoreIsWrittenWithTheAnchorsAsTrustedEntries(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create();

        Path file = TestCertificates.writeTrustStore(dir.resolve("trust.p12"), "changeit", pki.rootCertificate());

        KeyStore loaded = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            loaded.load(in, "changeit".toCharArray());
        }
        assertThat(loaded.isCertificateEntry("anchor-0")).isTrue();
        assertThat(loaded.getCertificate("anchor-0")).isEqualTo(pki.rootCertificate());
    }

    @Test
    void leafIssuedThroughAnIntermediateValidatesUpToTheRoot() throws Exception {
        TestPki pki = TestPki.withIntermediate("TES Root", "TES Intermediate");
        TestCertificate leaf = pki.issue("mx.example.com");

        assertThat(leaf.chain()).hasSize(2);
        assertThat(leaf.root()).isEqualTo(pki.rootCertificate());
        assertThat(leaf.certificate().getIssuerX500Principal())
            .isEqualTo(pki.intermediate().orElseThrow().certificate().getSubjectX500Principal());
        assertThat(pki.intermediate().orElseThrow().certificate().getBasicConstraints()).isEqualTo(0);
        validate(leaf.chain(), pki.rootCertificate());

        TestPki other = TestPki.create("Other Root");
        assertThatThrownBy(() -> validate(leaf.chain(), other.rootCertificate()))
            .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void leafIssuedDirectlyByTheRootHasAOneElementChain() throws Exception {
        TestPki pki = TestPki.create();
        TestCertificate leaf = pki.leaf("mx.example.com").keyType(KeyType.EC_P256).build();

        assertThat(leaf.chain()).containsExactly(leaf.certificate());
        assertThat(leaf.withRootInChain().chain()).containsExactly(leaf.certificate(), pki.rootCertificate());
        assertThat(pki.issuer()).isSameAs(pki.root());
        validate(leaf.chain(), pki.rootCertificate());
    }

    @Test
    void expiredLeafIsReallyExpiredAndNotYetValidLeafIsNotYetValid() {
        TestPki pki = TestPki.create();
        TestCertificate expired = pki.leaf("old.example.com").expired().build();
        TestCertificate future = pki.leaf("new.example.com").notYetValid().build();

        assertThatThrownBy(() -> expired.certificate().checkValidity())
            .isInstanceOf(CertificateExpiredException.class);
        assertThatThrownBy(() -> future.certificate().checkValidity())
            .isInstanceOf(CertificateNotYetValidException.class);
        assertThatThrownBy(() -> validate(expired.chain(), pki.rootCertificate()))
            .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void spkiAndDerEncodingsAndTheirDigestsMatchTheCertificate() throws Exception {
        TestCertificate cert = TestCertificates.selfSigned(KeyType.EC_P256, "mx.example.com");

        assertThat(cert.spki()).isEqualTo(cert.certificate().getPublicKey().getEncoded());
        assertThat(cert.der()).isEqualTo(cert.certificate().getEncoded());
        assertThat(cert.spkiSha256()).isEqualTo(sha("SHA-256", cert.spki()));
        assertThat(cert.spkiSha512()).isEqualTo(sha("SHA-512", cert.spki()));
        assertThat(cert.certificateSha256()).isEqualTo(sha("SHA-256", cert.der()));
        assertThat(cert.certificateSha512()).isEqualTo(sha("SHA-512", cert.der()));
        assertThat(cert.tlsaAssociationData(0, 0)).isEqualTo(cert.der());
        assertThat(cert.tlsaAssociationData(1, 1)).isEqualTo(cert.spkiSha256());
        assertThat(cert.tlsaAssociationData(1, 2)).isEqualTo(cert.spkiSha512());
        assertThat(cert.tlsaAssociationData(0, 1)).isEqualTo(cert.certificateSha256());
        assertThatThrownBy(() -> cert.tlsaAssociationData(2, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pemFilesContainTheChainAndAUsablePrivateKey(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.withIntermediate("Root", "Intermediate");
        TestCertificate leaf = pki.issue("mx.example.com");

        leaf.writePem(dir.resolve("chain.pem"), dir.resolve("key.pem"));

        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(dir.resolve("chain.pem"))) {
            List<Certificate> parsed = List.copyOf(factory.generateCertificates(in));
            assertThat(parsed).containsExactly(leaf.chain().toArray(new Certificate[0]));
        }
        String keyPem = Files.readString(dir.resolve("key.pem"));
        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(leaf.privateKey());
        signature.update(new byte[] {1, 2, 3});
        byte[] signed = signature.sign();
        signature.initVerify(leaf.publicKey());
        signature.update(new byte[] {1, 2, 3});
        assertThat(signature.verify(signed)).isTrue();
    }

    private static void validate(List<X509Certificate> chain, X509Certificate root) throws Exception {
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    private static byte[] sha(String algorithm, byte[] data) throws Exception {
        return MessageDigest.getInstance(algorithm).digest(data);
    }
}
