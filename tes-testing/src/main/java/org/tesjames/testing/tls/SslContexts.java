package org.tesjames.testing.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Factories of JSSE {@link SSLContext}s for tests (protocol {@code TLS}, default JDK provider).
 *
 * <pre>{@code
 * SSLContext server = SslContexts.server(cert);
 * SSLContext strictClient = SslContexts.clientTrusting(pki.rootCertificate());
 * SSLContext lenientClient = SslContexts.trustAll();
 * }</pre>
 *
 * <p>Protocol versions are not restricted here: callers choose them on the socket
 * ({@code setEnabledProtocols}); the JDK's {@code jdk.tls.disabledAlgorithms} still applies.
 */
public final class SslContexts {

    private static final char[] IN_MEMORY_PASSWORD = "changeit".toCharArray();

    private SslContexts() {
    }

    /**
     * A server-side context presenting the credential's {@link TestCertificate#chain()}.
     *
     * @param credential key and chain
     * @return a new SSL context
     */
    public static SSLContext server(TestCertificate credential) {
        return server(credential.privateKey(), credential.chain());
    }

    /**
     * A server-side context presenting the given key and chain.
     *
     * @param key the private key
     * @param chain the certificate chain, leaf first
     * @return a new SSL context
     */
    public static SSLContext server(PrivateKey key, List<X509Certificate> chain) {
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, IN_MEMORY_PASSWORD);
            return create(kmf.getKeyManagers(), null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot create server SSLContext", e);
        }
    }

    /**
     * A client-side context that trusts exactly the given certificates as trust anchors (PKIX validation:
     * chain, validity dates and key usage are checked; host names are only checked if the socket enables
     * endpoint identification).
     *
     * @param trustAnchors CA or self-signed certificates to trust
     * @return a new SSL context
     */
    public static SSLContext clientTrusting(X509Certificate... trustAnchors) {
        return create(null, new TrustManager[] {trustManager(trustAnchors)});
    }

    /**
     * A trust manager trusting exactly the given anchors.
     *
     * @param trustAnchors the trusted certificates
     * @return a PKIX trust manager
     */
    public static X509ExtendedTrustManager trustManager(X509Certificate... trustAnchors) {
        try {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            for (int i = 0; i < trustAnchors.length; i++) {
                trustStore.setCertificateEntry("anchor-" + i, trustAnchors[i]);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trustStore);
            return Arrays.stream(tmf.getTrustManagers())
                .filter(X509ExtendedTrustManager.class::isInstance)
                .map(X509ExtendedTrustManager.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No X509ExtendedTrustManager"));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot create trust manager", e);
        }
    }

    /**
     * A client-side context accepting any server certificate (like an opportunistic-TLS MTA).
     *
     * @return a new SSL context
     */
    public static SSLContext trustAll() {
        return create(null, new TrustManager[] {trustAllManager()});
    }

    /**
     * A trust manager that accepts every certificate chain, client or server, without any check.
     *
     * @return the trust manager
     */
    public static X509ExtendedTrustManager trustAllManager() {
        return TrustAll.INSTANCE;
    }

    /**
     * Creates and initialises a {@code TLS} context.
     *
     * @param keyManagers key managers, or {@code null}
     * @param trustManagers trust managers, or {@code null} for the JDK default trust store
     * @return the new context
     */
    public static SSLContext create(KeyManager[] keyManagers, TrustManager[] trustManagers) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot create SSLContext", e);
        }
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        static final TrustAll INSTANCE = new TrustAll();

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
