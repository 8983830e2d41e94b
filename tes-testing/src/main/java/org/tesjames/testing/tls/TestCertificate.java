package org.tesjames.testing.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLContext;

/**
 * A test credential: an X.509 certificate, its private key and the chain a server presents
 * (leaf first, followed by any intermediates; the root is only included when asked for).
 *
 * <p>Instances are immutable. Besides the JCA objects they expose the DER encodings and digests needed
 * to compute DANE TLSA records, and can be written as a PKCS12 keystore or PEM files.
 *
 * <pre>{@code
 * TestCertificate cert = TestCertificates.selfSigned("mx.example.com");
 * Path p12 = cert.writePkcs12(dir.resolve("keystore.p12"), "secret", "james");
 * byte[] tlsa311 = cert.tlsaAssociationData(1, 1); // DANE-EE SPKI SHA-256
 * SSLContext server = cert.serverSslContext();
 * }</pre>
 */
public final class TestCertificate {

    private final KeyPair keyPair;
    private final List<X509Certificate> chain;
    private final X509Certificate root;

    TestCertificate(KeyPair keyPair, List<X509Certificate> chain, X509Certificate root) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty chain");
        }
        this.keyPair = Objects.requireNonNull(keyPair);
        this.chain = List.copyOf(chain);
        this.root = root;
    }

    /**
     * The certificate itself (first element of {@link #chain()}).
     *
     * @return the end-entity (or CA) certificate
     */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /**
     * The chain presented by a server using this credential: this certificate followed by the issuing
     * intermediates. The self-signed root of a {@link TestPki} is not included unless
     * {@link #withRootInChain()} was used.
     *
     * @return an unmodifiable list, leaf first
     */
    public List<X509Certificate> chain() {
        return chain;
    }

    /**
     * The root (trust anchor) this certificate chains to; for a self-signed certificate, the certificate itself.
     *
     * @return the root certificate
     */
    public X509Certificate root() {
        return root;
    }

    /**
     * The key pair of this certificate.
     *
     * @return the key pair
     */
    public KeyPair keyPair() {
        return keyPair;
    }

    /**
     * The private key of this certificate.
     *
     * @return the private key
     */
    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /**
     * The public key of this certificate.
     *
     * @return the public key
     */
    public PublicKey publicKey() {
        return certificate().getPublicKey();
    }

    /**
     * The DER encoding of the certificate (TLSA selector 0, "Cert").
     *
     * @return a fresh copy of the DER bytes
     */
    public byte[] der() {
        try {
            return certificate().getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The DER encoding of the SubjectPublicKeyInfo (TLSA selector 1, "SPKI").
     *
     * @return a fresh copy of the SPKI bytes
     */
    public byte[] spki() {
        return certificate().getPublicKey().getEncoded();
    }

    /**
     * SHA-256 of the certificate DER encoding.
     *
     * @return the digest
     */
    public byte[] certificateSha256() {
        return digest("SHA-256", der());
    }

    /**
     * SHA-512 of the certificate DER encoding.
     *
     * @return the digest
     */
    public byte[] certificateSha512() {
        return digest("SHA-512", der());
    }

    /**
     * SHA-256 of the SubjectPublicKeyInfo DER encoding.
     *
     * @return the digest
     */
    public byte[] spkiSha256() {
        return digest("SHA-256", spki());
    }

    /**
     * SHA-512 of the SubjectPublicKeyInfo DER encoding.
     *
     * @return the digest
     */
    public byte[] spkiSha512() {
        return digest("SHA-512", spki());
    }

    /**
     * The certificate association data of a TLSA record (RFC 6698) for this certificate.
     *
     * @param selector 0 (full certificate) or 1 (SubjectPublicKeyInfo)
     * @param matchingType 0 (exact), 1 (SHA-256) or 2 (SHA-512)
     * @return the association data bytes
     * @throws IllegalArgumentException for other selector or matching type values
     */
    public byte[] tlsaAssociationData(int selector, int matchingType) {
        byte[] data;
        switch (selector) {
            case 0: data = der(); break;
            case 1: data = spki(); break;
            default: throw new IllegalArgumentException("selector must be 0 or 1: " + selector);
        }
        switch (matchingType) {
            case 0: return data;
            case 1: return digest("SHA-256", data);
            case 2: return digest("SHA-512", data);
            default: throw new IllegalArgumentException("matching type must be 0, 1 or 2: " + matchingType);
        }
    }

    /**
     * Returns a copy of this credential whose {@link #chain()} also ends with the root certificate
     * (needed for DANE-TA(2) tests, where the server must present the trust anchor).
     * If the root is already the last chain element, returns {@code this}.
     *
     * @return a credential presenting the chain including the root
     */
    public TestCertificate withRootInChain() {
        if (chain.get(chain.size() - 1).equals(root)) {
            return this;
        }
        List<X509Certificate> extended = new ArrayList<>(chain);
        extended.add(root);
        return new TestCertificate(keyPair, extended, root);
    }

    /**
     * Returns a copy of this credential presenting an arbitrary chain (for example a wrong order or a
     * missing intermediate). The first element should be a certificate for this credential's key.
     *
     * @param presentedChain the chain to present, leaf first
     * @return a new credential with the same key and root
     */
    public TestCertificate withChain(List<X509Certificate> presentedChain) {
        return new TestCertificate(keyPair, presentedChain, root);
    }

    /**
     * Builds an in-memory PKCS12 keystore holding the private key and {@link #chain()} under {@code alias}.
     *
     * @param password the keystore and key password
     * @param alias the key entry alias
     * @return the keystore
     */
    public KeyStore toKeyStore(String password, String alias) {
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(alias, keyPair.getPrivate(), password.toCharArray(),
                chain.toArray(new X509Certificate[0]));
            return keyStore;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot build PKCS12 keystore", e);
        }
    }

    /**
     * Writes a PKCS12 keystore file (as read by Apache James with {@code <keystoreType>PKCS12</keystoreType>},
     * {@code <keystore>file://...</keystore>} and {@code <secret>}); the same password protects store and key.
     *
     * @param file the target file (overwritten; parent directories are created)
     * @param password the keystore and key password
     * @param alias the key entry alias
     * @return {@code file}
     * @throws IOException if the file cannot be written
     */
    public Path writePkcs12(Path file, String password, String alias) throws IOException {
        KeyStore keyStore = toKeyStore(password, alias);
        createParent(file);
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore.store(out, password.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot store PKCS12 keystore", e);
        }
        return file;
    }

    /**
     * PEM encoding of {@link #chain()} (concatenated {@code CERTIFICATE} blocks, leaf first).
     *
     * @return the PEM text
     */
    public String chainPem() {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : chain) {
            try {
                sb.append(pem("CERTIFICATE", c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }

    /**
     * PEM encoding of the private key as unencrypted PKCS#8 ({@code PRIVATE KEY}).
     *
     * @return the PEM text
     */
    public String privateKeyPem() {
        return pem("PRIVATE KEY", keyPair.getPrivate().getEncoded());
    }

    /**
     * Writes {@link #chainPem()} and {@link #privateKeyPem()} to two files (e.g. for an external MTA).
     *
     * @param chainFile target of the certificate chain
     * @param keyFile target of the private key
     * @throws IOException if a file cannot be written
     */
    public void writePem(Path chainFile, Path keyFile) throws IOException {
        createParent(chainFile);
        createParent(keyFile);
        Files.writeString(chainFile, chainPem(), StandardCharsets.US_ASCII);
        Files.writeString(keyFile, privateKeyPem(), StandardCharsets.US_ASCII);
    }

    /**
     * An {@link SSLContext} for the server side presenting this credential.
     *
     * @return a new server SSL context
     */
    public SSLContext serverSslContext() {
        return SslContexts.server(this);
    }

    /**
     * An {@link SSLContext} for clients that trust exactly this certificate's root (the certificate itself
     * when self-signed).
     *
     * @return a new client SSL context
     */
    public SSLContext clientSslContextTrustingRoot() {
        return SslContexts.clientTrusting(root);
    }

    /**
     * The subject DN of the certificate in RFC 2253 form.
     *
     * @return the subject name
     */
    public String subject() {
        return certificate().getSubjectX500Principal().getName();
    }

    /**
     * The first DNS subject alternative name, if any.
     *
     * @return the first DNS name
     */
    public Optional<String> firstDnsName() {
        try {
            var sans = certificate().getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        return Optional.of((String) san.get(1));
                    }
                }
            }
            return Optional.empty();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "TestCertificate[" + subject() + ", chain=" + chain.size() + ", key="
            + keyPair.getPublic().getAlgorithm() + "]";
    }

    static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
