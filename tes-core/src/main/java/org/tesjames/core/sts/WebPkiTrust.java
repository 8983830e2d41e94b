package org.tesjames.core.sts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.Collection;
import java.util.Objects;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities MTA-STS trusts (RFC 8461 section 4.1: "a root CA that is trusted by the sending
 * MTA"), for the policy fetch and for the MX hosts: the JDK's trust store ({@code cacerts}), or the CA
 * certificates of a PEM file.
 */
public final class WebPkiTrust {
    private final X509TrustManager pkix;
    private final String description;

    private WebPkiTrust(X509TrustManager pkix, String description) {
        this.pkix = pkix;
        this.description = description;
    }

    /** @return the JDK's default trust store */
    public static WebPkiTrust jdk() {
        return new WebPkiTrust(pkix(null), "jdk");
    }

    /**
     * The CA certificates of a PEM file (one or more {@code CERTIFICATE} blocks).
     *
     * @param file the file
     * @return the trust
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it holds no certificate or something else than certificates
     */
    public static WebPkiTrust pemFile(Path file) throws IOException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the trust store " + file + " is not a PEM file of certificates: "
                + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("the trust store " + file + " holds no certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
            return new WebPkiTrust(pkix(store), file + " (" + certificates.size() + " certificates)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a trust store", e);
        }
    }

    private static X509TrustManager pkix(KeyStore store) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK's TrustManagerFactory has no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the trust store", e);
        }
    }

    /**
     * A trust manager for one connection to {@code host}.
     *
     * @param host the name the certificate must be valid for
     * @param enforcing whether a failure fails the handshake (else it is only recorded: {@code testing} mode)
     * @param clock the clock of the expiry check
     * @return a fresh trust manager
     */
    public WebPkiTrustManager forHost(String host, boolean enforcing, Clock clock) {
        return new WebPkiTrustManager(pkix, Objects.requireNonNull(host, "host"), enforcing, clock);
    }

    @Override
    public String toString() {
        return description;
    }
}
