package org.tesjames.core.dane.tls;

import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.dane.DaneResult;
import org.tesjames.core.sts.WebPkiTrustManager;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.core.tls.TlsVersion;

/**
 * The client side of ONE TLS connection: a fresh {@link SSLContext} (so no session can be resumed: TLS 1.3
 * resumption would skip the trust manager), its trust manager and the minimum protocol. Created by
 * {@link DaneTls}; {@link #startTls} may be called once.
 */
public final class DaneTlsContext {
    private static final Logger LOGGER = LoggerFactory.getLogger(DaneTlsContext.class);

    private final SSLContext sslContext;
    private final X509ExtendedTrustManager trustManager;
    private final TlsVersion minimumProtocol;
    private final AtomicBoolean used = new AtomicBoolean();

    DaneTlsContext(SSLContext sslContext, X509ExtendedTrustManager trustManager, TlsVersion minimumProtocol) {
        this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
        this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
        this.minimumProtocol = Objects.requireNonNull(minimumProtocol, "minimumProtocol");
    }

    /**
     * The fresh context; use it for one connection only.
     *
     * @return the SSL context
     */
    public SSLContext sslContext() {
        return sslContext;
    }

    /**
     * The trust manager of {@link #sslContext()}.
     *
     * @return a {@link DaneTrustManager}, or the accept-all manager of the unauthenticated mode
     */
    public X509ExtendedTrustManager trustManager() {
        return trustManager;
    }

    /**
     * The DANE trust manager, whose {@link DaneTrustManager#lastResult()} tells how the server was authenticated.
     *
     * @return the DANE trust manager; empty in unauthenticated mode
     */
    public Optional<DaneTrustManager> daneTrustManager() {
        return trustManager instanceof DaneTrustManager dane ? Optional.of(dane) : Optional.empty();
    }

    /**
     * Whether the server is authenticated (DANE mode).
     *
     * @return false in the opportunistic, unauthenticated mode
     */
    public boolean authenticating() {
        return trustManager instanceof DaneTrustManager
            || trustManager instanceof WebPkiTrustManager webPki && webPki.enforcing();
    }

    /**
     * The oldest protocol version offered.
     *
     * @return the minimum
     */
    public TlsVersion minimumProtocol() {
        return minimumProtocol;
    }

    /**
     * Layers TLS over a connected socket (after the server's 220 reply to STARTTLS) and performs the handshake:
     * client mode, SNI {@code sniHostName}, protocols restricted to the minimum and newer, endpoint
     * identification off (DANE decides, not the host name).
     *
     * @param plain the connected plaintext socket
     * @param sniHostName the name sent as SNI and used as the session's peer host: the TLSA base domain in DANE
     *                    mode; in unauthenticated mode an IP literal is accepted (then no SNI is sent)
     * @param port the server port
     * @param autoClose whether closing the TLS socket closes {@code plain}
     * @return the TLS socket, handshake completed
     * @throws DaneHandshakeException (an {@link IOException}) on any failure, with the DANE reason when
     *                                authentication failed; the TLS socket is then closed
     * @throws IllegalStateException if this context was used before (a programming error)
     */
    public SSLSocket startTls(Socket plain, String sniHostName, int port, boolean autoClose) throws IOException {
        Objects.requireNonNull(plain, "plain");
        Objects.requireNonNull(sniHostName, "sniHostName");
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("a DaneTlsContext serves one connection: create a fresh one");
        }
        String peer = sniHostName.endsWith(".") ? sniHostName.substring(0, sniHostName.length() - 1)
            : sniHostName;
        peer = peer.toLowerCase(Locale.ROOT);
        List<SNIServerName> serverNames = serverNames(peer);
        String[] protocols;
        SSLSocket tls = (SSLSocket) sslContext.getSocketFactory().createSocket(plain, peer, port, autoClose);
        try {
            tls.setUseClientMode(true);
            protocols = Arrays.stream(tls.getEnabledProtocols()).filter(minimumProtocol::isSatisfiedBy)
                .toArray(String[]::new);
            if (protocols.length == 0) {
                throw new DaneHandshakeException("no enabled TLS protocol is " + minimumProtocol.jsseName()
                    + " or newer (enabled: " + Arrays.toString(tls.getEnabledProtocols()) + ")", null, null);
            }
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setProtocols(protocols);
            parameters.setServerNames(serverNames);
            parameters.setEndpointIdentificationAlgorithm(null);
            tls.setSSLParameters(parameters);
            tls.startHandshake();
        } catch (DaneHandshakeException e) {
            closeQuietly(tls);
            throw e;
        } catch (IOException | RuntimeException e) {
            // a RuntimeException from JSSE is mapped too: James makes it a permanent failure (platform fact 6)
            closeQuietly(tls);
            throw failure(peer, port, e);
        }
        LOGGER.debug("TLS with {}:{} established: {} {}, {}", peer, port, tls.getSession().getProtocol(),
            tls.getSession().getCipherSuite(), daneTrustManager().flatMap(DaneTrustManager::lastResult)
                .map(Object::toString).orElse(authenticating() ? "MTA-STS" : "unauthenticated"));
        return tls;
    }

    private List<SNIServerName> serverNames(String peer) throws DaneHandshakeException {
        if (isIpLiteral(peer)) {
            if (authenticating()) {
                throw new DaneHandshakeException("DANE needs the TLSA base domain as SNI name, got the address "
                    + peer, null, null);
            }
            return List.of();
        }
        try {
            return List.of(new SNIHostName(peer));
        } catch (IllegalArgumentException e) {
            throw new DaneHandshakeException("'" + peer + "' is not a valid SNI host name: " + e.getMessage(),
                null, e);
        }
    }

    private DaneHandshakeException failure(String peer, int port, Exception e) {
        Optional<DaneResult> failed = daneTrustManager().flatMap(DaneTrustManager::lastResult)
            .filter(r -> !r.verified());
        Optional<WebPkiTrustManager.WebPkiFailure> webPkiFailure = trustManager instanceof WebPkiTrustManager webPki
            && webPki.enforcing() ? webPki.failure() : Optional.empty();
        String reason = failed.map(DaneTrustManager::failureMessage).or(() -> webPkiFailure.map(f -> "MTA-STS: " + f))
            .orElseGet(() -> e.getMessage() != null ? e.getMessage() : e.toString());
        LOGGER.debug("TLS handshake with {}:{} failed: {}", peer, port, reason);
        ResultType type = failed.isPresent() ? ResultType.TLSA_INVALID
            : webPkiFailure.map(WebPkiTrustManager.WebPkiFailure::type).orElse(ResultType.VALIDATION_FAILURE);
        return new DaneHandshakeException(reason + " (TLS handshake with " + peer + ":" + port + ")",
            failed.orElse(null), type, e);
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOGGER.trace("closing the TLS socket failed", e);
        }
    }

    @Override
    public String toString() {
        return "DaneTlsContext[" + (authenticating() ? "DANE" : "unauthenticated") + ", minimum "
            + minimumProtocol.jsseName() + "]";
    }
}
