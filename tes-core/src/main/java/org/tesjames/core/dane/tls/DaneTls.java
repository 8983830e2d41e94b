package org.tesjames.core.dane.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.tls.TlsVersion;

/**
 * Client TLS for outbound SMTP, plain JSSE: one fresh {@link SSLContext} per connection, in one of two clearly
 * separate modes.
 * <ul>
 * <li><b>DANE</b> ({@link #sslContext(List, Set, DaneVerifier, TlsVersion)}): the server is authenticated by its
 * TLSA RRset only ({@link DaneTrustManager}); no trust store, no PKIX, no host name check.</li>
 * <li><b>Opportunistic, unauthenticated</b> ({@link #unauthenticated(TlsVersion)}): any certificate is accepted;
 * for hosts without a secure usable TLSA RRset. Encryption only.</li>
 * </ul>
 *
 * <p>Why fresh: an {@link SSLContext} caches client sessions; a TLS 1.3 (or 1.2) resumption with a cached
 * session never calls the trust manager, so a connection after the TLSA RRset changed would reuse the old
 * authentication. Every {@link DaneTlsContext} therefore has its own context, trust manager and (empty)
 * session cache, and serves one connection.
 *
 * <pre>{@code
 * // after "STARTTLS" was answered with 220 on the plaintext socket:
 * SSLSocket tls = DaneTls.sslContext(rrset, Set.of("example.com", "mx.example.com"), verifier, TlsVersion.TLS_V1_2)
 *     .startTls(plain, "mx.example.com", 25, true);
 * }</pre>
 * Every failure, including a DANE mismatch, is a {@link DaneHandshakeException} (an {@link IOException}).
 */
public final class DaneTls {

    private DaneTls() {
    }

    /**
     * A fresh DANE-authenticating context for one connection.
     *
     * @param rrset the TLSA RRset (DNSSEC-validated by the caller)
     * @param referenceIdentifiers names acceptable for DANE-TA(2) (RFC 7672 section 3.2.3)
     * @param verifier the matcher
     * @param minimumProtocol the oldest protocol offered
     * @return the context
     */
    public static DaneTlsContext sslContext(List<TlsaRecord> rrset, Set<String> referenceIdentifiers,
                                            DaneVerifier verifier, TlsVersion minimumProtocol) {
        return create(new DaneTrustManager(rrset, referenceIdentifiers, verifier), minimumProtocol);
    }

    /**
     * A fresh context for opportunistic, unauthenticated TLS (any certificate accepted) for one connection.
     *
     * @param minimumProtocol the oldest protocol offered
     * @return the context
     */
    public static DaneTlsContext unauthenticated(TlsVersion minimumProtocol) {
        return create(AcceptAnyServer.INSTANCE, minimumProtocol);
    }

    /**
     * A fresh context for one connection, as the policy says.
     *
     * @param policy DANE or unauthenticated (the MTA-STS modes need the host: {@link #sslContext(DaneConnectionPolicy,
     *               String)})
     * @return the context
     */
    public static DaneTlsContext sslContext(DaneConnectionPolicy policy) {
        if (policy.webPki().isPresent()) {
            throw new IllegalArgumentException("an MTA-STS policy checks the host name: give it");
        }
        return sslContext(policy, "");
    }

    /**
     * A fresh context for one connection to a host, as the policy says.
     *
     * @param policy DANE, unauthenticated, or MTA-STS
     * @param host the host connected to: the name an MTA-STS certificate must be valid for
     * @return the context
     */
    public static DaneTlsContext sslContext(DaneConnectionPolicy policy, String host) {
        return switch (policy.mode()) {
            case DANE -> sslContext(policy.tlsaRecords(), policy.referenceIdentifiers(), policy.verifier(),
                policy.minimumProtocol());
            case UNAUTHENTICATED -> unauthenticated(policy.minimumProtocol());
            case WEBPKI, WEBPKI_TESTING -> create(policy.webPki().orElseThrow().forHost(host,
                policy.mode() == DaneConnectionPolicy.Mode.WEBPKI, Clock.systemUTC()), policy.minimumProtocol());
        };
    }

    /**
     * STARTTLS with a fresh context: layers TLS over {@code plain} and completes the handshake
     * ({@link DaneTlsContext#startTls}).
     *
     * @param plain the connected plaintext socket, after the server's 220 reply to STARTTLS
     * @param sniHostName the SNI name: the TLSA base domain in DANE mode, the MX host name otherwise
     * @param port the server port
     * @param autoClose whether closing the TLS socket closes {@code plain}
     * @param policy DANE, unauthenticated or MTA-STS, with the minimum protocol
     * @return the TLS socket, handshake completed
     * @throws DaneHandshakeException if the handshake fails, naming the DANE reason if authentication failed
     */
    public static SSLSocket startTls(Socket plain, String sniHostName, int port, boolean autoClose,
                                     DaneConnectionPolicy policy) throws IOException {
        return sslContext(policy, sniHostName).startTls(plain, sniHostName, port, autoClose);
    }

    private static DaneTlsContext create(X509ExtendedTrustManager trustManager, TlsVersion minimumProtocol) {
        Objects.requireNonNull(minimumProtocol, "minimumProtocol");
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager}, null);
            return new DaneTlsContext(context, trustManager, minimumProtocol);
        } catch (GeneralSecurityException e) {
            // the JDK's own "TLS" provider is missing or broken: a broken installation, not a peer's fault
            throw new IllegalStateException("cannot create a TLS SSLContext", e);
        }
    }

    /** The trust manager of the unauthenticated mode: accepts every server, authenticates no client. */
    private static final class AcceptAnyServer extends X509ExtendedTrustManager {
        static final AcceptAnyServer INSTANCE = new AcceptAnyServer();

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // opportunistic TLS: encryption without authentication
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // opportunistic TLS: encryption without authentication
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // opportunistic TLS: encryption without authentication
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client side is not supported");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client side is not supported");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
            throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("client side is not supported");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
