package org.tesjames.testing.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

/**
 * Entry point for self-signed test certificates; see {@link TestPki} for CA-issued ones.
 *
 * <pre>{@code
 * TestCertificate cert = TestCertificates.selfSigned("mx.example.com", "mail.example.com");
 * TestCertificate ec = TestCertificates.selfSigned(KeyType.EC_P256, "mx.example.com");
 * TestCertificate custom = TestCertificates.builder().dnsNames("mx.example").expired().build();
 * }</pre>
 */
public final class TestCertificates {

    private TestCertificates() {
    }

    /**
     * A self-signed RSA 2048 server certificate for the given names, with a freshly generated key.
     *
     * @param dnsNames subjectAltName entries; the first is also the CN
     * @return the credential
     */
    public static TestCertificate selfSigned(String... dnsNames) {
        return builder().dnsNames(dnsNames).build();
    }

    /**
     * A self-signed server certificate of the given key type for the given names.
     *
     * @param keyType RSA 2048 or EC P-256
     * @param dnsNames subjectAltName entries; the first is also the CN
     * @return the credential
     */
    public static TestCertificate selfSigned(KeyType keyType, String... dnsNames) {
        return builder().keyType(keyType).dnsNames(dnsNames).build();
    }

    /**
     * A builder for a self-signed certificate.
     *
     * @return a new builder; {@link CertificateBuilder#build()} creates a self-signed certificate
     */
    public static CertificateBuilder builder() {
        return new CertificateBuilder(null);
    }

    /**
     * A new test CA with only a root; shorthand for {@link TestPki#create(String)}.
     *
     * @param rootName CN of the root
     * @return the PKI
     */
    public static TestPki newCa(String rootName) {
        return TestPki.create(rootName);
    }

    /**
     * Writes a PKCS12 trust store holding the given certificates as trusted entries (aliases
     * {@code anchor-0}, {@code anchor-1}, ...), e.g. for {@code javax.net.ssl.trustStore} of a system under test.
     *
     * @param file the target file (overwritten; parent directories are created)
     * @param password the store password
     * @param trustAnchors the certificates to trust
     * @return {@code file}
     * @throws IOException if the file cannot be written
     */
    public static Path writeTrustStore(Path file, String password, X509Certificate... trustAnchors)
        throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trustAnchors.length; i++) {
                store.setCertificateEntry("anchor-" + i, trustAnchors[i]);
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return file;
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot write trust store", e);
        }
    }
}
