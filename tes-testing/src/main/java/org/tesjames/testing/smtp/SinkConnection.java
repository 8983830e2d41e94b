package org.tesjames.testing.smtp;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link RecordingSmtpSink} saw on one connection: addresses, every line the client sent outside
 * message data (including AUTH exchanges), TLS parameters or TLS failure. Updated while the connection is
 * open; getters are thread-safe.
 */
public final class SinkConnection {

    private final int id;
    private final InetSocketAddress clientAddress;
    private final InetSocketAddress serverAddress;
    private final Instant openedAt = Instant.now();
    private final List<String> commands = new ArrayList<>();
    private String heloName;
    private String tlsProtocol;
    private String tlsCipherSuite;
    private String sniHostName;
    private String tlsFailure;
    private String authenticatedUser;
    private boolean closed;

    SinkConnection(int id, InetSocketAddress clientAddress, InetSocketAddress serverAddress) {
        this.id = id;
        this.clientAddress = clientAddress;
        this.serverAddress = serverAddress;
    }

    /**
     * The connection number, 1-based in accept order.
     *
     * @return the id
     */
    public int id() {
        return id;
    }

    /**
     * The client's address and port.
     *
     * @return the remote address
     */
    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    /**
     * The sink's local address of this connection.
     *
     * @return the local address
     */
    public InetSocketAddress serverAddress() {
        return serverAddress;
    }

    /**
     * When the connection was accepted.
     *
     * @return the time
     */
    public Instant openedAt() {
        return openedAt;
    }

    /**
     * Every line received outside message data, in order.
     *
     * @return a snapshot copy
     */
    public synchronized List<String> commands() {
        return List.copyOf(commands);
    }

    /**
     * The last EHLO/HELO name.
     *
     * @return the name, empty before HELO/EHLO
     */
    public synchronized Optional<String> heloName() {
        return Optional.ofNullable(heloName);
    }

    /**
     * Whether a TLS handshake completed on this connection.
     *
     * @return true with TLS
     */
    public synchronized boolean tls() {
        return tlsProtocol != null;
    }

    /**
     * The negotiated TLS protocol.
     *
     * @return the protocol, empty without TLS
     */
    public synchronized Optional<String> tlsProtocol() {
        return Optional.ofNullable(tlsProtocol);
    }

    /**
     * The negotiated cipher suite.
     *
     * @return the suite, empty without TLS
     */
    public synchronized Optional<String> tlsCipherSuite() {
        return Optional.ofNullable(tlsCipherSuite);
    }

    /**
     * The SNI host name requested by the client.
     *
     * @return the name, empty without TLS or SNI
     */
    public synchronized Optional<String> sniHostName() {
        return Optional.ofNullable(sniHostName);
    }

    /**
     * The description of the exception that ended a failed TLS handshake (e.g. the client's alert).
     *
     * @return the failure, empty if no handshake failed
     */
    public synchronized Optional<String> tlsFailure() {
        return Optional.ofNullable(tlsFailure);
    }

    /**
     * The user authenticated with AUTH.
     *
     * @return the user, empty without AUTH
     */
    public synchronized Optional<String> authenticatedUser() {
        return Optional.ofNullable(authenticatedUser);
    }

    /**
     * Whether the connection is closed.
     *
     * @return true once closed
     */
    public synchronized boolean closed() {
        return closed;
    }

    synchronized void addCommand(String line) {
        commands.add(line);
    }

    synchronized void heloName(String name) {
        this.heloName = name;
    }

    synchronized void tlsEstablished(String protocol, String cipherSuite, String sni) {
        this.tlsProtocol = protocol;
        this.tlsCipherSuite = cipherSuite;
        this.sniHostName = sni;
    }

    synchronized void tlsFailed(String failure) {
        this.tlsFailure = failure;
    }

    synchronized void authenticated(String user) {
        this.authenticatedUser = user;
    }

    synchronized void markClosed() {
        this.closed = true;
    }

    @Override
    public synchronized String toString() {
        return "SinkConnection#" + id + "[client=" + clientAddress
            + (tlsProtocol != null ? ", " + tlsProtocol : "")
            + (tlsFailure != null ? ", tlsFailure=" + tlsFailure : "")
            + ", commands=" + commands + (closed ? ", closed" : "") + "]";
    }
}
