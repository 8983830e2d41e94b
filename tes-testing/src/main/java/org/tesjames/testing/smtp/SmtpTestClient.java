package org.tesjames.testing.smtp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.testing.tls.SslContexts;

/**
 * A blocking, line-oriented SMTP client for asserting server behaviour precisely.
 *
 * <p>Every command returns the server's {@link SmtpReply}; 4xx/5xx replies are results, never exceptions.
 * Exceptions ({@link IOException}) signal I/O problems only: connection refused or closed
 * ({@link EOFException}), timeouts, malformed replies ({@link SmtpProtocolException}) and failed TLS
 * handshakes ({@link javax.net.ssl.SSLException} subclasses). Not thread-safe.
 *
 * <pre>{@code
 * try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", port)
 *         .tlsProtocols("TLSv1.2").connect()) {
 *     client.ehlo("client.example");
 *     assertThat(client.supports("STARTTLS")).isTrue();
 *     client.starttls();                      // handshake; throws SSLHandshakeException on failure
 *     assertThat(client.tlsProtocol()).contains("TLSv1.2");
 *     client.ehlo("client.example");
 *     client.mailFrom("a@example.com");
 *     assertThat(client.rcptTo("b@example.net").code()).isEqualTo(250);
 *     client.data();
 *     SmtpReply end = client.message("Subject: test\r\n\r\nbody\r\n");
 *     client.quit();
 * }
 * }</pre>
 *
 * <p>By default TLS trusts every certificate and sends no SNI; protocols and cipher suites are the
 * JDK defaults unless restricted with the builder (which simply calls {@code setEnabledProtocols} /
 * {@code setEnabledCipherSuites}; {@code jdk.tls.disabledAlgorithms} still applies).
 */
public final class SmtpTestClient implements AutoCloseable {

    /** Default connect and read timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(SmtpTestClient.class);
    private static final int MAX_LINE = 64 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    private final Builder config;
    private final List<String> transcript = Collections.synchronizedList(new ArrayList<>());
    private Socket socket;
    private SSLSocket sslSocket;
    private SSLSession session;
    private LineReader reader;
    private OutputStream out;
    private SmtpReply greeting;
    private InetSocketAddress localAddress;
    private InetSocketAddress remoteAddress;
    private List<String> capabilities = List.of();
    private boolean closed;

    private SmtpTestClient(Builder config) {
        this.config = config;
    }

    /**
     * A builder for a connection to {@code host:port}.
     *
     * @param host host name or IP literal
     * @param port TCP port
     * @return the builder
     */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /**
     * Connects in plaintext with default settings and reads the greeting.
     *
     * @param host host name or IP literal
     * @param port TCP port
     * @return the connected client
     * @throws IOException if the connection fails
     */
    public static SmtpTestClient connect(String host, int port) throws IOException {
        return builder(host, port).connect();
    }

    /**
     * Connects with implicit TLS (TLS from the first byte, trusting any certificate) and reads the greeting.
     *
     * @param host host name or IP literal
     * @param port TCP port
     * @return the connected client
     * @throws IOException if the connection or the handshake fails
     */
    public static SmtpTestClient connectImplicitTls(String host, int port) throws IOException {
        return builder(host, port).implicitTls(true).connect();
    }

    private void open() throws IOException {
        Socket plain = new Socket();
        try {
            plain.setSoTimeout(timeoutMillis());
            if (config.localAddress != null) {
                plain.bind(new InetSocketAddress(InetAddress.getByName(config.localAddress), 0));
            }
            plain.connect(new InetSocketAddress(config.host, config.port), timeoutMillis());
            localAddress = (InetSocketAddress) plain.getLocalSocketAddress();
            remoteAddress = (InetSocketAddress) plain.getRemoteSocketAddress();
            LOG.debug("Connected to {}:{} from {}", config.host, config.port, plain.getLocalSocketAddress());
            transcript.add("*: connected to " + plain.getRemoteSocketAddress());
            setSocket(plain);
            if (config.implicitTls) {
                handshake();
            }
            greeting = readReply();
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    private void setSocket(Socket s) throws IOException {
        socket = s;
        reader = new LineReader(s.getInputStream());
        out = new BufferedOutputStream(s.getOutputStream());
    }

    private int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, config.timeout.toMillis());
    }

    // ------------------------------------------------------------------ commands

    /**
     * The greeting read on connect.
     *
     * @return the 220 (or other) greeting reply
     */
    public SmtpReply greeting() {
        return greeting;
    }

    /**
     * Sends {@code EHLO name}; on a 2xx reply the capability list is replaced by the advertised one.
     *
     * @param name the client's host name
     * @return the reply
     * @throws IOException on I/O errors
     */
    public SmtpReply ehlo(String name) throws IOException {
        SmtpReply reply = command("EHLO " + name);
        if (reply.isPositiveCompletion()) {
            capabilities = List.copyOf(reply.lines().subList(1, reply.lines().size()));
        }
        return reply;
    }

    /**
     * Sends {@code HELO name}.
     *
     * @param name the client's host name
     * @return the reply
     * @throws IOException on I/O errors
     */
    public SmtpReply helo(String name) throws IOException {
        SmtpReply reply = command("HELO " + name);
        if (reply.isPositiveCompletion()) {
            capabilities = List.of();
        }
        return reply;
    }

    /**
     * The capability lines of the last successful EHLO (e.g. {@code "SIZE 10240000"}, {@code "STARTTLS"});
     * empty before EHLO and after STARTTLS.
     *
     * @return unmodifiable list of capability lines
     */
    public List<String> capabilities() {
        return capabilities;
    }

    /**
     * Whether the last EHLO advertised the keyword (case-insensitive, first word of a capability line).
     *
     * @param keyword e.g. {@code "STARTTLS"}, {@code "8BITMIME"}, {@code "AUTH"}
     * @return true if advertised
     */
    public boolean supports(String keyword) {
        return capability(keyword).isPresent();
    }

    /**
     * The parameters of an advertised capability (e.g. {@code "10240000"} for {@code SIZE 10240000},
     * {@code ""} for {@code STARTTLS}).
     *
     * @param keyword the capability keyword (case-insensitive)
     * @return the parameters, or empty if not advertised
     */
    public Optional<String> capability(String keyword) {
        String wanted = keyword.toUpperCase(Locale.ROOT);
        for (String line : capabilities) {
            String trimmed = line.trim();
            int space = trimmed.indexOf(' ');
            String kw = space < 0 ? trimmed : trimmed.substring(0, space);
            if (kw.toUpperCase(Locale.ROOT).equals(wanted)) {
                return Optional.of(space < 0 ? "" : trimmed.substring(space + 1).trim());
            }
        }
        return Optional.empty();
    }

    /**
     * Sends {@code MAIL FROM:<address>} with optional ESMTP parameters.
     *
     * @param address the reverse path; {@code ""} sends the null sender {@code <>}
     * @param parameters e.g. {@code "BODY=8BITMIME"}, {@code "SIZE=1000"}
     * @return the reply
     * @throws IOException on I/O errors
     */
    public SmtpReply mailFrom(String address, String... parameters) throws IOException {
        return command("MAIL FROM:<" + address + ">" + joinParameters(parameters));
    }

    /**
     * Sends {@code RCPT TO:<address>} with optional ESMTP parameters.
     *
     * @param address the forward path
     * @param parameters e.g. {@code "NOTIFY=NEVER"}
     * @return the reply
     * @throws IOException on I/O errors
     */
    public SmtpReply rcptTo(String address, String... parameters) throws IOException {
        return command("RCPT TO:<" + address + ">" + joinParameters(parameters));
    }

    /**
     * Sends {@code DATA}; follow with {@link #message(String)} when the reply is 354.
     *
     * @return the reply (354 expected)
     * @throws IOException on I/O errors
     */
    public SmtpReply data() throws IOException {
        return command("DATA");
    }

    /**
     * Sends message content after a 354 reply, then the terminating {@code CRLF.CRLF}, and returns the
     * final reply. Bare LF line endings are converted to CRLF, the text is encoded as UTF-8, then
     * {@link #message(byte[])} applies.
     *
     * @param message the message (headers, blank line, body)
     * @return the final reply to the DATA transaction
     * @throws IOException on I/O errors
     */
    public SmtpReply message(String message) throws IOException {
        return message(toCrlf(message).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends raw message bytes after a 354 reply: lines starting with {@code '.'} are dot-stuffed (a line
     * starts at the beginning and after every LF), a CRLF is appended unless the content ends with LF,
     * then {@code .CRLF} is sent. Other bytes (8-bit, bare LF/CR) are sent unchanged.
     *
     * @param message the raw message
     * @return the final reply to the DATA transaction
     * @throws IOException on I/O errors
     */
    public SmtpReply message(byte[] message) throws IOException {
        byte[] stuffed = dotStuff(message);
        out.write(stuffed);
        if (stuffed.length > 0 && stuffed[stuffed.length - 1] != '\n') {
            out.write(CRLF);
        }
        out.write(new byte[] {'.', '\r', '\n'});
        out.flush();
        trace("C: <message " + message.length + " bytes>");
        trace("C: .");
        return readReply();
    }

    /**
     * Sends {@code RSET}.
     *
     * @return the reply
     * @throws IOException on I/O errors
     */
    public SmtpReply rset() throws IOException {
        return command("RSET");
    }

    /**
     * Sends {@code NOOP}.
     *
     * @return the reply
     * @throws IOException on I/O errors
     */
    public SmtpReply noop() throws IOException {
        return command("NOOP");
    }

    /**
     * Sends {@code QUIT}, reads the reply and closes the connection.
     *
     * @return the reply
     * @throws IOException on I/O errors
     */
    public SmtpReply quit() throws IOException {
        try {
            return command("QUIT");
        } finally {
            close();
        }
    }

    /**
     * Sends an arbitrary command line (CRLF is appended) and reads the reply.
     *
     * @param commandLine e.g. {@code "VRFY postmaster"} or {@code "MAIL FROM: <a@b> SMTPUTF8"}
     * @return the reply
     * @throws IOException on I/O errors
     */
    public SmtpReply raw(String commandLine) throws IOException {
        return command(commandLine);
    }

    /**
     * Writes a line (CRLF appended, UTF-8) without reading a reply, e.g. to pipeline commands; read the
     * replies afterwards with {@link #readReply()}.
     *
     * @param line the line
     * @throws IOException on I/O errors
     */
    public void writeLine(String line) throws IOException {
        trace("C: " + line);
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
        out.flush();
    }

    /**
     * Writes raw bytes as they are (no CRLF, no dot-stuffing) without reading a reply.
     *
     * @param bytes the bytes
     * @throws IOException on I/O errors
     */
    public void writeRaw(byte[] bytes) throws IOException {
        trace("C: <raw " + bytes.length + " bytes>");
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads one (possibly multi-line) reply.
     *
     * @return the reply
     * @throws EOFException if the server closed the connection
     * @throws SmtpProtocolException if a line is malformed
     * @throws IOException on other I/O errors, including a read timeout
     */
    public SmtpReply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = reader.readTextLine(MAX_LINE);
            if (line == null) {
                trace("S: <connection closed>");
                throw new EOFException("Connection closed by server while waiting for a reply"
                    + (lines.isEmpty() ? "" : " (partial reply " + lines + ")"));
            }
            trace("S: " + line);
            SmtpReply.lineCode(line);
            lines.add(line);
            if (SmtpReply.isLastLine(line)) {
                return SmtpReply.parse(lines);
            }
        }
    }

    /**
     * Sends {@code STARTTLS}; on a 220 reply performs the TLS handshake with the builder's TLS settings.
     * The capability list is cleared: send EHLO again.
     *
     * @return the STARTTLS reply
     * @throws javax.net.ssl.SSLException if the handshake fails (the connection is then closed)
     * @throws SmtpProtocolException if the server sent data after its 220 reply
     * @throws IOException on other I/O errors
     */
    public SmtpReply starttls() throws IOException {
        if (sslSocket != null) {
            throw new IllegalStateException("TLS is already active");
        }
        SmtpReply reply = command("STARTTLS");
        if (reply.code() == 220) {
            startTlsHandshake();
        }
        return reply;
    }

    /**
     * The TLS handshake of {@link #starttls()}, for a test that wrote {@code STARTTLS} itself (pipelined behind other
     * commands) and has read the server's 220 reply to it. The capability list is cleared: send EHLO again.
     *
     * @throws javax.net.ssl.SSLException if the handshake fails (the connection is then closed)
     * @throws SmtpProtocolException if the server sent data after its 220 reply
     * @throws IOException on other I/O errors
     */
    public void startTlsHandshake() throws IOException {
        if (sslSocket != null) {
            throw new IllegalStateException("TLS is already active");
        }
        if (reader.hasBufferedBytes()) {
            closeQuietly();
            throw new SmtpProtocolException("Server sent data after its 220 reply to STARTTLS");
        }
        try {
            handshake();
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    private void handshake() throws IOException {
        SSLContext context = config.sslContext != null ? config.sslContext : SslContexts.trustAll();
        SSLSocket tls = (SSLSocket) context.getSocketFactory()
            .createSocket(socket, config.host, config.port, true);
        tls.setUseClientMode(true);
        if (config.protocols != null) {
            tls.setEnabledProtocols(config.protocols);
        }
        if (config.cipherSuites != null) {
            tls.setEnabledCipherSuites(config.cipherSuites);
        }
        SSLParameters params = tls.getSSLParameters();
        params.setServerNames(config.sni == null ? List.of() : List.of(new SNIHostName(config.sni)));
        if (config.verifyHostname) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        tls.setSSLParameters(params);
        tls.setSoTimeout(timeoutMillis());
        trace("*: TLS handshake");
        try {
            tls.startHandshake();
        } catch (IOException e) {
            trace("*: TLS handshake failed: " + e);
            throw e;
        }
        sslSocket = tls;
        session = tls.getSession();
        setSocket(tls);
        capabilities = List.of();
        trace("*: TLS established " + tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite());
    }

    /**
     * {@code AUTH PLAIN} with an initial response ({@code base64("\0user\0password")}, UTF-8).
     *
     * @param user the authentication identity
     * @param password the password
     * @return the final reply (235 on success)
     * @throws IOException on I/O errors
     */
    public SmtpReply authPlain(String user, String password) throws IOException {
        return command("AUTH PLAIN " + base64("\0" + user + "\0" + password));
    }

    /**
     * {@code AUTH LOGIN}: answers the two 334 challenges with base64 user name and password. If the server
     * replies anything other than 334 at a step, that reply is returned.
     *
     * @param user the user name
     * @param password the password
     * @return the final reply (235 on success)
     * @throws IOException on I/O errors
     */
    public SmtpReply authLogin(String user, String password) throws IOException {
        SmtpReply reply = command("AUTH LOGIN");
        if (reply.code() != 334) {
            return reply;
        }
        reply = command(base64(user));
        if (reply.code() != 334) {
            return reply;
        }
        return command(base64(password));
    }

    // ------------------------------------------------------------------ state

    /**
     * Whether TLS is active (after implicit TLS or a successful STARTTLS).
     *
     * @return true if the connection is encrypted
     */
    public boolean isTls() {
        return sslSocket != null;
    }

    /**
     * The negotiated TLS protocol, e.g. {@code "TLSv1.3"}.
     *
     * @return the protocol, empty without TLS
     */
    public Optional<String> tlsProtocol() {
        return tlsSession().map(SSLSession::getProtocol);
    }

    /**
     * The negotiated cipher suite, e.g. {@code "TLS_AES_256_GCM_SHA384"}.
     *
     * @return the cipher suite, empty without TLS
     */
    public Optional<String> tlsCipherSuite() {
        return tlsSession().map(SSLSession::getCipherSuite);
    }

    /**
     * The TLS session.
     *
     * @return the session, empty without TLS
     */
    public Optional<SSLSession> tlsSession() {
        return Optional.ofNullable(session);
    }

    /**
     * The certificate chain the server presented.
     *
     * @return the chain, leaf first; empty without TLS
     */
    public List<X509Certificate> peerCertificates() {
        if (session == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : session.getPeerCertificates()) {
                chain.add((X509Certificate) c);
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /**
     * The local address of the connection (still available after close).
     *
     * @return the client-side socket address
     */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The remote address of the connection (still available after close).
     *
     * @return the server-side socket address
     */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * Every line exchanged so far, prefixed {@code "C: "} (sent), {@code "S: "} (received) or {@code "*: "}
     * (events); message content is summarised. Useful in assertion messages.
     *
     * @return a snapshot copy
     */
    public List<String> transcript() {
        synchronized (transcript) {
            return List.copyOf(transcript);
        }
    }

    /**
     * Whether {@link #close()} (or {@link #quit()}) was called or the connection was closed after an error.
     *
     * @return true if closed
     */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the connection without sending QUIT. Idempotent. */
    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            LOG.debug("Error closing socket", e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private SmtpReply command(String line) throws IOException {
        writeLine(line);
        return readReply();
    }

    private void trace(String line) {
        transcript.add(line);
        LOG.trace("{}", line);
    }

    private static String joinParameters(String... parameters) {
        StringBuilder sb = new StringBuilder();
        for (String p : parameters) {
            sb.append(' ').append(p);
        }
        return sb.toString();
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String toCrlf(String text) {
        return text.replaceAll("\r?\n", "\r\n");
    }

    static byte[] dotStuff(byte[] message) {
        ByteArrayOutputStream stuffed = new ByteArrayOutputStream(message.length + 16);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                stuffed.write('.');
            }
            stuffed.write(b);
            lineStart = b == '\n';
        }
        return stuffed.toByteArray();
    }

    /**
     * Connection settings of an {@link SmtpTestClient}. Reusable: every {@link #connect()} opens a new
     * connection with the current settings.
     */
    public static final class Builder {
        private final String host;
        private final int port;
        private Duration timeout = DEFAULT_TIMEOUT;
        private String localAddress;
        private boolean implicitTls;
        private SSLContext sslContext;
        private String[] protocols;
        private String[] cipherSuites;
        private String sni;
        private boolean verifyHostname;

        private Builder(String host, int port) {
            this.host = Objects.requireNonNull(host);
            this.port = port;
        }

        /**
         * Connect and read timeout (default 30 s).
         *
         * @param value the timeout
         * @return this builder
         */
        public Builder timeout(Duration value) {
            this.timeout = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Binds the client socket to a local address, e.g. {@code "127.0.0.2"}, to appear from that IP.
         *
         * @param address a local IP address
         * @return this builder
         */
        public Builder localAddress(String address) {
            this.localAddress = address;
            return this;
        }

        /**
         * Implicit TLS (SMTPS, RFC 8314): the handshake happens before the greeting.
         *
         * @param enabled true for implicit TLS
         * @return this builder
         */
        public Builder implicitTls(boolean enabled) {
            this.implicitTls = enabled;
            return this;
        }

        /**
         * The SSL context used for STARTTLS and implicit TLS (default: trusts all certificates).
         *
         * @param context the context
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * Trust only the given certificates as trust anchors (PKIX validation).
         *
         * @param trustAnchors CA or self-signed certificates
         * @return this builder
         */
        public Builder trust(X509Certificate... trustAnchors) {
            return sslContext(SslContexts.clientTrusting(trustAnchors));
        }

        /**
         * Trust every certificate (the default).
         *
         * @return this builder
         */
        public Builder trustAll() {
            return sslContext(null);
        }

        /**
         * Restricts the TLS protocols offered, e.g. {@code "TLSv1.2"}; default: JDK defaults.
         *
         * @param enabledProtocols protocol names
         * @return this builder
         */
        public Builder tlsProtocols(String... enabledProtocols) {
            this.protocols = enabledProtocols.length == 0 ? null : enabledProtocols.clone();
            return this;
        }

        /**
         * Restricts the cipher suites offered; default: JDK defaults.
         *
         * @param suites cipher suite names
         * @return this builder
         */
        public Builder cipherSuites(String... suites) {
            this.cipherSuites = suites.length == 0 ? null : suites.clone();
            return this;
        }

        /**
         * Sends this SNI host name in the ClientHello (default: no SNI).
         *
         * @param hostName the server name, or {@code null} for none
         * @return this builder
         */
        public Builder sni(String hostName) {
            this.sni = hostName;
            return this;
        }

        /**
         * Verifies the server certificate's names against the SNI name (or the connect host) using HTTPS
         * rules (default: off). Only meaningful with a validating trust, see {@link #trust}.
         *
         * @param enabled true to verify
         * @return this builder
         */
        public Builder verifyHostname(boolean enabled) {
            this.verifyHostname = enabled;
            return this;
        }

        /**
         * Opens the connection (and the implicit TLS handshake) and reads the greeting.
         *
         * @return the connected client
         * @throws IOException if connecting, the handshake or reading the greeting fails
         */
        public SmtpTestClient connect() throws IOException {
            SmtpTestClient client = new SmtpTestClient(copy());
            client.open();
            return client;
        }

        /**
         * Connects and runs the transaction, see {@link SmtpTransaction#send(Builder)}.
         *
         * @param transaction the transaction
         * @return the transcript
         * @throws IOException on I/O errors
         */
        public SmtpTranscript send(SmtpTransaction transaction) throws IOException {
            return transaction.send(this);
        }

        private Builder copy() {
            Builder b = new Builder(host, port);
            b.timeout = timeout;
            b.localAddress = localAddress;
            b.implicitTls = implicitTls;
            b.sslContext = sslContext;
            b.protocols = protocols;
            b.cipherSuites = cipherSuites;
            b.sni = sni;
            b.verifyHostname = verifyHostname;
            return b;
        }
    }
}
