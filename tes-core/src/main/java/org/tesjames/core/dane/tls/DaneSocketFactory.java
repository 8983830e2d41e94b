package org.tesjames.core.dane.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.sts.WebPkiTrustManager;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.core.tlsrpt.SessionOutcomes;

/**
 * The JavaMail side of DANE: an {@link SSLSocketFactory} that JavaMail loads by class name, and that secures each
 * connection as the {@link DaneConnectionPolicies} entry for the host says, with a fresh {@link SSLContext}.
 *
 * <p>Wiring (James 3.8.1 RemoteDelivery, design platform fact 6): RemoteDelivery copies every {@code mail.*}
 * init parameter into its JavaMail session, so the delivery code sets
 * <pre>{@code
 * mail.smtp.ssl.socketFactory.class = org.tesjames.core.dane.tls.DaneSocketFactory
 * mail.smtp.ssl.checkserveridentity = false   (JavaMail's PKIX name check would reject valid DANE-EE peers)
 * mail.smtp.starttls.enable = true, mail.smtp.starttls.required = true (for DANE hosts)
 * }</pre>
 * and connects by host name ({@code startTLS} and {@code verifyServerIdentity} true in RemoteDelivery), so that
 * JavaMail's STARTTLS calls {@link #createSocket(Socket, String, int, boolean)} with the MX host name (with an IP
 * address no policy is found and the connection fails closed). Only the class name works: an object-valued
 * {@code mail.smtp.ssl.socketFactory} is invisible to James's pooled sessions. JavaMail calls the static
 * {@link #getDefault()} through reflection. Before connecting, the delivery code registers the policy of each
 * MX host ({@link DaneConnectionPolicies#bindToCurrentThread} or {@link DaneConnectionPolicies#register}) and
 * closes the registration afterwards ({@code org.tesjames.core.dane.delivery.DeliveryPlans} does both for
 * James's RemoteDelivery). JavaMail loads this class through the thread's context class loader, and James's
 * delivery threads carry the application class loader, which cannot see {@code extensions-jars/}: the delivery
 * code must make the extension's class loader the context class loader first ({@code TesRemoteDelivery} does).
 *
 * <p>Failures are {@link DaneHandshakeException}s ({@link IOException}): James then retries later, whereas a
 * {@link RuntimeException} would bounce the mail. A host without a policy fails closed. The returned socket's
 * handshake is complete; JavaMail's own {@code startHandshake()} and protocol settings are then no-ops.
 */
public final class DaneSocketFactory extends SSLSocketFactory {
    private static final Logger LOGGER = LoggerFactory.getLogger(DaneSocketFactory.class);

    private static final DaneSocketFactory INSTANCE = new DaneSocketFactory();

    /** Use {@link #getDefault()}. */
    private DaneSocketFactory() {
    }

    /**
     * The factory, as JavaMail's {@code mail.smtp.ssl.socketFactory.class} obtains it (static, by reflection).
     *
     * @return the shared, stateless factory
     */
    public static DaneSocketFactory getDefault() {
        return INSTANCE;
    }

    /**
     * STARTTLS: secures a connected socket as the policy of {@code host} says and completes the handshake.
     *
     * @param socket the connected plaintext socket
     * @param host the host name connected to; its policy is looked up in {@link DaneConnectionPolicies}
     * @param port the server port
     * @param autoClose whether closing the TLS socket closes {@code socket}
     * @return a TLS socket whose handshake is complete
     * @throws DaneHandshakeException if no policy is registered for {@code host} (fail closed), or the
     *                                handshake fails
     */
    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        DaneConnectionPolicy policy = DaneConnectionPolicies.lookup(host).orElse(null);
        if (policy == null) {
            LOGGER.warn("TES DANE: no connection policy registered for host {} port {}: refusing TLS (fail closed)",
                host, port);
            if (autoClose) {
                socket.close();
            }
            DaneFailures.record(host, "no DANE connection policy registered: refusing TLS (fail closed)");
            throw new DaneHandshakeException("no DANE connection policy registered for host '" + host
                + "': refusing TLS (fail closed)", null, null);
        }
        String sni = policy.tlsaBaseDomain().orElse(host);
        SSLSocket tls;
        DaneTlsContext context = DaneTls.sslContext(policy, sni);
        try {
            tls = context.startTls(socket, sni, port, autoClose);
        } catch (IOException e) {
            LOGGER.info("TES DANE: {} TLS with host {} port {} failed: {}", policy.mode(), host, port,
                e.getMessage());
            DaneFailures.record(host, e.getMessage());
            SessionOutcomes.failure(host, address(socket), e instanceof DaneHandshakeException handshake
                ? handshake.resultType() : ResultType.VALIDATION_FAILURE, e.getMessage());
            throw e;
        }
        LOGGER.info("TES DANE: {} TLS with host {} port {}: {} {}", policy.mode(), host, port,
            tls.getSession().getProtocol(), tls.getSession().getCipherSuite());
        Optional<WebPkiTrustManager.WebPkiFailure> testing = context.trustManager() instanceof WebPkiTrustManager webPki
            && !webPki.enforcing() ? webPki.failure() : Optional.empty();
        if (testing.isPresent()) {
            SessionOutcomes.failure(host, address(socket), testing.get().type(), "MTA-STS testing: " + testing.get());
        } else {
            SessionOutcomes.success(host);
        }
        return new CompletedHandshakeSocket(tls);
    }

    /**
     * Implicit TLS: connects to {@code host} and secures the connection as its policy says.
     *
     * @param host the host name; its policy is looked up in {@link DaneConnectionPolicies}
     * @param port the port
     * @return a TLS socket whose handshake is complete
     * @throws IOException if connecting fails, no policy is registered, or the handshake fails
     */
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port));
        } catch (IOException e) {
            plain.close();
            throw e;
        }
        return createSocket(plain, host, port, true);
    }

    /**
     * Implicit TLS from a local address: as {@link #createSocket(String, int)}.
     *
     * @param host the host name
     * @param port the port
     * @param localHost the local address
     * @param localPort the local port
     * @return a TLS socket whose handshake is complete
     * @throws IOException on failure
     */
    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket plain = new Socket();
        try {
            plain.bind(new InetSocketAddress(localHost, localPort));
            plain.connect(new InetSocketAddress(host, port));
        } catch (IOException e) {
            plain.close();
            throw e;
        }
        return createSocket(plain, host, port, true);
    }

    /**
     * Not supported: DANE needs the host name, not only an address.
     *
     * @throws IOException always (fail closed)
     */
    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        throw new DaneHandshakeException("DANE needs the host name, got only the address " + address, null, null);
    }

    /**
     * Not supported: DANE needs the host name, not only an address.
     *
     * @throws IOException always (fail closed)
     */
    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
        throw new DaneHandshakeException("DANE needs the host name, got only the address " + address, null, null);
    }

    private static Optional<String> address(Socket socket) {
        return Optional.ofNullable(socket.getInetAddress()).map(InetAddress::getHostAddress);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return jdkDefault().getDefaultSSLParameters().getCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return jdkDefault().getSupportedSSLParameters().getCipherSuites();
    }

    private static SSLContext jdkDefault() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default SSLContext", e);
        }
    }
}
