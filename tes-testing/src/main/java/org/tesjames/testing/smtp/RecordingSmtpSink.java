package org.tesjames.testing.smtp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

/**
 * A small SMTP server on a loopback address that records every message it accepts: a stand-in remote MX
 * for outbound delivery tests. One thread per connection; {@link AutoCloseable}.
 *
 * <pre>{@code
 * try (RecordingSmtpSink sink = RecordingSmtpSink.builder()
 *         .bindAddress("127.0.0.2")
 *         .startTls(TestCertificates.selfSigned("mx.example.com"))
 *         .tlsProtocols("TLSv1.2", "TLSv1.3")
 *         .start()) {
 *     sink.rejectRecipient("nobody@example.com", "550 5.1.1 No such user");
 *     // ... let the system under test deliver to sink.host():sink.port() ...
 *     ReceivedMessage m = sink.awaitMessages(1, Duration.ofSeconds(10)).get(0);
 *     assertThat(m.tlsProtocol()).contains("TLSv1.3");
 *     assertThat(m.header("Subject")).contains("hello");
 * }
 * }</pre>
 *
 * <p>Protocol: EHLO advertises {@code 8BITMIME} (unless turned off, to play a server without it), {@code SIZE}, {@code ENHANCEDSTATUSCODES}, optionally
 * {@code PIPELINING}, {@code STARTTLS} (when offered and not yet active), {@code AUTH PLAIN LOGIN} (when
 * credentials are configured) and any extra keywords. Commands are answered strictly in order, so
 * pipelined clients work. Supported: EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT, DATA (dot-unstuffing), RSET,
 * NOOP, VRFY (252), HELP, QUIT; anything else gets 500. ESMTP parameters are recorded, SIZE is enforced.
 * Replies can be overridden per {@link SmtpStage} with {@link SinkRule}s.
 */
public final class RecordingSmtpSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingSmtpSink.class);
    private static final int MAX_LINE = 64 * 1024;
    private static final Pattern PATH = Pattern.compile("^(FROM|TO):\\s*<([^>]*)>\\s*(.*)$",
        Pattern.CASE_INSENSITIVE);

    private final Builder config;
    private final SSLContext sslContext;
    private final TestCertificate certificate;
    private final ServerSocket serverSocket;
    private final ExecutorService workers;
    private final Thread acceptThread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final List<SinkRule> rules = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final AtomicInteger messageIds = new AtomicInteger();

    private final Object lock = new Object();
    private final List<ReceivedMessage> messages = new ArrayList<>();
    private final List<ReceivedMessage> rejectedMessages = new ArrayList<>();
    private final List<SinkConnection> connections = new ArrayList<>();
    private int tlsFailures;

    private RecordingSmtpSink(Builder config) throws IOException {
        this.config = config;
        boolean tlsNeeded = config.startTls || config.implicitTls;
        TestCertificate cert = config.certificate;
        SSLContext context = config.sslContext;
        if (tlsNeeded && context == null) {
            if (cert == null) {
                cert = TestCertificates.builder().dnsNames(config.hostname).sharedKey().build();
            }
            context = cert.serverSslContext();
        }
        this.certificate = cert;
        this.sslContext = context;
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(InetAddress.getByName(config.bindAddress), config.port), 50);
        AtomicInteger threadIds = new AtomicInteger();
        int port = serverSocket.getLocalPort();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "smtp-sink-" + port + "-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptThread = new Thread(this::acceptLoop, "smtp-sink-" + port + "-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
        LOG.debug("SMTP sink listening on {}", serverSocket.getLocalSocketAddress());
    }

    /**
     * A builder with defaults: bind 127.0.0.1, ephemeral port, plaintext only, host name {@code sink.test}.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a plaintext sink on 127.0.0.1 with an ephemeral port.
     *
     * @return the running sink
     * @throws IOException if binding fails
     */
    public static RecordingSmtpSink start() throws IOException {
        return builder().start();
    }

    // ------------------------------------------------------------------ addresses

    /**
     * The bound IP address as text, e.g. {@code "127.0.0.2"}.
     *
     * @return the host address
     */
    public String host() {
        return serverSocket.getInetAddress().getHostAddress();
    }

    /**
     * The bound port.
     *
     * @return the port
     */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /**
     * The bound socket address.
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    /**
     * The certificate presented with TLS, when the sink created it or was given a {@link TestCertificate}.
     *
     * @return the certificate, empty without TLS or when an {@link SSLContext} was given
     */
    public java.util.Optional<TestCertificate> certificate() {
        return java.util.Optional.ofNullable(certificate);
    }

    // ------------------------------------------------------------------ programmable replies

    /**
     * Adds a rule; rules are consulted in order and the first non-null action wins.
     *
     * @param rule the rule
     * @return this sink
     */
    public RecordingSmtpSink addRule(SinkRule rule) {
        rules.add(Objects.requireNonNull(rule));
        return this;
    }

    /**
     * Answers every command at the stage with the given reply, e.g.
     * {@code reply(SmtpStage.DATA_END, "451 4.3.0 Try again later")}.
     *
     * @param stage the stage
     * @param reply reply text, see {@link SinkAction#reply(String)}
     * @return this sink
     */
    public RecordingSmtpSink reply(SmtpStage stage, String reply) {
        SinkAction action = SinkAction.reply(reply);
        return addRule(cmd -> cmd.stage() == stage ? action : null);
    }

    /**
     * Answers only the next command at the stage with the given reply (e.g. a temporary failure followed by
     * success on retry).
     *
     * @param stage the stage
     * @param reply reply text, see {@link SinkAction#reply(String)}
     * @return this sink
     */
    public RecordingSmtpSink replyOnce(SmtpStage stage, String reply) {
        SinkAction action = SinkAction.reply(reply);
        AtomicBoolean used = new AtomicBoolean();
        return addRule(cmd -> cmd.stage() == stage && used.compareAndSet(false, true) ? action : null);
    }

    /**
     * Rejects RCPT TO for one address (case-insensitive).
     *
     * @param address the recipient
     * @param reply reply text, e.g. {@code "550 5.1.1 No such user"}
     * @return this sink
     */
    public RecordingSmtpSink rejectRecipient(String address, String reply) {
        SinkAction action = SinkAction.reply(reply);
        return addRule(cmd -> cmd.stage() == SmtpStage.RCPT && cmd.argument().equalsIgnoreCase(address)
            ? action : null);
    }

    /**
     * Drops the connection without reply at every command of the stage (at {@link SmtpStage#DATA_END}:
     * after the whole message was read).
     *
     * @param stage the stage
     * @return this sink
     */
    public RecordingSmtpSink disconnectAt(SmtpStage stage) {
        SinkAction action = SinkAction.disconnect();
        return addRule(cmd -> cmd.stage() == stage ? action : null);
    }

    /**
     * Removes all rules: default behaviour again.
     *
     * @return this sink
     */
    public RecordingSmtpSink clearRules() {
        rules.clear();
        return this;
    }

    // ------------------------------------------------------------------ recordings

    /**
     * The accepted messages so far (2xx at end of data), in order.
     *
     * @return a snapshot copy
     */
    public List<ReceivedMessage> messages() {
        synchronized (lock) {
            return List.copyOf(messages);
        }
    }

    /**
     * Messages whose data was received completely but answered with a 4xx/5xx by a rule (or for size).
     *
     * @return a snapshot copy
     */
    public List<ReceivedMessage> rejectedMessages() {
        synchronized (lock) {
            return List.copyOf(rejectedMessages);
        }
    }

    /**
     * The connections accepted so far, in order.
     *
     * @return a snapshot copy
     */
    public List<SinkConnection> connections() {
        synchronized (lock) {
            return List.copyOf(connections);
        }
    }

    /**
     * The number of connections accepted so far.
     *
     * @return the count
     */
    public int connectionCount() {
        synchronized (lock) {
            return connections.size();
        }
    }

    /**
     * The number of failed TLS handshakes (e.g. the client rejected the certificate or no common protocol).
     *
     * @return the count
     */
    public int tlsHandshakeFailures() {
        synchronized (lock) {
            return tlsFailures;
        }
    }

    /**
     * Waits until at least {@code count} messages were accepted.
     *
     * @param count the number of messages
     * @param timeout the maximum wait
     * @return all accepted messages (at least {@code count})
     * @throws AssertionError on timeout, describing what the sink saw
     */
    public List<ReceivedMessage> awaitMessages(int count, Duration timeout) {
        await(count, timeout, () -> messages.size(), "messages");
        return messages();
    }

    /**
     * Waits for the first accepted message.
     *
     * @param timeout the maximum wait
     * @return the first message
     * @throws AssertionError on timeout
     */
    public ReceivedMessage awaitMessage(Duration timeout) {
        return awaitMessages(1, timeout).get(0);
    }

    /**
     * Waits until at least {@code count} connections were accepted.
     *
     * @param count the number of connections
     * @param timeout the maximum wait
     * @return all connections
     * @throws AssertionError on timeout
     */
    public List<SinkConnection> awaitConnections(int count, Duration timeout) {
        await(count, timeout, () -> connections.size(), "connections");
        return connections();
    }

    /**
     * Waits until at least {@code count} TLS handshakes failed.
     *
     * @param count the number of failures
     * @param timeout the maximum wait
     * @return the current failure count
     * @throws AssertionError on timeout
     */
    public int awaitTlsHandshakeFailures(int count, Duration timeout) {
        await(count, timeout, () -> tlsFailures, "TLS handshake failures");
        return tlsHandshakeFailures();
    }

    private void await(int count, Duration timeout, IntSupplier current, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (current.getAsInt() < count) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new AssertionError("Expected at least " + count + " " + what + " within " + timeout
                        + " but got " + current.getAsInt() + "; " + describe());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted while waiting for " + what, e);
                }
            }
        }
    }

    private String describe() {
        return "sink " + address() + ": messages=" + messages.size() + ", rejected messages="
            + rejectedMessages.size() + ", TLS handshake failures=" + tlsFailures + ", connections=" + connections;
    }

    /** Forgets messages, connections and counters (rules are kept, see {@link #clearRules()}). */
    public void clear() {
        synchronized (lock) {
            messages.clear();
            rejectedMessages.clear();
            connections.clear();
            tlsFailures = 0;
        }
    }

    /** Stops listening and closes all connections. Idempotent. */
    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        try {
            serverSocket.close();
        } catch (IOException e) {
            LOG.debug("Error closing server socket", e);
        }
        for (Socket s : openSockets) {
            closeQuietly(s);
        }
        workers.shutdownNow();
        try {
            acceptThread.join(5000);
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "RecordingSmtpSink[" + address() + "]";
    }

    // ------------------------------------------------------------------ server

    private void acceptLoop() {
        while (running.get()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (running.get()) {
                    LOG.warn("SMTP sink accept failed", e);
                }
                continue;
            }
            SinkConnection connection = new SinkConnection(connectionIds.incrementAndGet(),
                (InetSocketAddress) socket.getRemoteSocketAddress(),
                (InetSocketAddress) socket.getLocalSocketAddress());
            synchronized (lock) {
                connections.add(connection);
                lock.notifyAll();
            }
            openSockets.add(socket);
            try {
                workers.execute(new Session(socket, connection));
            } catch (RejectedExecutionException e) {
                openSockets.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // ignore
        }
    }

    /** Signals that the connection must be dropped without a reply. */
    private static final class Disconnect extends Exception {
        Disconnect() {
            super(null, null, false, false);
        }
    }

    /** One SMTP connection. */
    private final class Session implements Runnable {
        private final SinkConnection connection;
        private Socket socket;
        private LineReader reader;
        private OutputStream out;
        private SSLSession tlsSession;
        private String sniHostName;
        private boolean rejectedAtGreeting;
        private String heloName;
        private String authenticatedUser;
        private String mailFrom;
        private List<String> mailParameters = List.of();
        private final List<String> recipients = new ArrayList<>();

        Session(Socket socket, SinkConnection connection) {
            this.socket = socket;
            this.connection = connection;
        }

        @Override
        public void run() {
            Socket original = socket;
            try {
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout.toMillis()));
                setStreams(socket);
                if (config.implicitTls && !upgradeToTls()) {
                    return;
                }
                SmtpReply greetingReply = reply(SmtpStage.CONNECT, "", "",
                    SmtpReply.of(220, config.hostname + " ESMTP TES recording sink"));
                rejectedAtGreeting = !greetingReply.isPositiveCompletion();
                commandLoop();
            } catch (Disconnect e) {
                LOG.debug("Sink connection #{} dropped by rule", connection.id());
            } catch (IOException | RuntimeException e) {
                LOG.debug("Sink connection #{} ended: {}", connection.id(), e.toString());
            } finally {
                closeQuietly(socket);
                closeQuietly(original);
                openSockets.remove(original);
                connection.markClosed();
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        }

        private void setStreams(Socket s) throws IOException {
            socket = s;
            reader = new LineReader(s.getInputStream());
            out = new BufferedOutputStream(s.getOutputStream());
        }

        private void commandLoop() throws IOException, Disconnect {
            while (true) {
                String line = reader.readTextLine(MAX_LINE);
                if (line == null) {
                    return;
                }
                connection.addCommand(line);
                int space = line.indexOf(' ');
                String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
                String arg = space < 0 ? "" : line.substring(space + 1).trim();
                if (rejectedAtGreeting && !verb.equals("QUIT")) {
                    send(503, "5.5.1 Bad sequence of commands");
                    continue;
                }
                switch (verb) {
                    case "EHLO":
                    case "HELO":
                        helo(verb, arg, line);
                        break;
                    case "STARTTLS":
                        if (!starttls(line)) {
                            return;
                        }
                        break;
                    case "AUTH":
                        auth(arg);
                        break;
                    case "MAIL":
                        mail(arg, line);
                        break;
                    case "RCPT":
                        rcpt(arg, line);
                        break;
                    case "DATA":
                        data(line);
                        break;
                    case "RSET":
                        resetTransaction();
                        reply(SmtpStage.RSET, "", line, SmtpReply.of(250, "2.0.0 Ok"));
                        break;
                    case "NOOP":
                        reply(SmtpStage.NOOP, arg, line, SmtpReply.of(250, "2.0.0 Ok"));
                        break;
                    case "VRFY":
                        send(252, "2.5.0 Cannot VRFY user, but will accept message");
                        break;
                    case "HELP":
                        send(214, "2.0.0 TES recording sink");
                        break;
                    case "QUIT":
                        reply(SmtpStage.QUIT, "", line, SmtpReply.of(221, "2.0.0 Bye"));
                        return;
                    default:
                        send(500, "5.5.1 Command unrecognized");
                }
            }
        }

        private void helo(String verb, String arg, String line) throws IOException, Disconnect {
            if (arg.isEmpty()) {
                send(501, "5.5.4 Syntax: " + verb + " hostname");
                return;
            }
            SmtpReply defaultReply;
            if (verb.equals("HELO")) {
                defaultReply = SmtpReply.of(250, config.hostname);
            } else {
                List<String> lines = new ArrayList<>();
                lines.add(config.hostname + " greets " + arg);
                if (config.eightBitMime) {
                    lines.add("8BITMIME");
                }
                if (config.pipelining) {
                    lines.add("PIPELINING");
                }
                lines.add("SIZE " + config.maxMessageSize);
                lines.add("ENHANCEDSTATUSCODES");
                if (config.startTls && tlsSession == null) {
                    lines.add("STARTTLS");
                }
                if (config.authUser != null) {
                    lines.add("AUTH PLAIN LOGIN");
                }
                lines.addAll(config.extraCapabilities);
                defaultReply = SmtpReply.of(250, lines.toArray(new String[0]));
            }
            SmtpReply sent = reply(SmtpStage.HELO, arg, line, defaultReply);
            if (sent.isPositiveCompletion()) {
                resetTransaction();
                heloName = arg;
                connection.heloName(arg);
            }
        }

        /** Returns false if the connection must end. */
        private boolean starttls(String line) throws IOException, Disconnect {
            if (tlsSession != null) {
                send(503, "5.5.1 TLS already active");
                return true;
            }
            if (!config.startTls) {
                send(502, "5.5.1 STARTTLS not supported");
                return true;
            }
            SmtpReply sent = reply(SmtpStage.STARTTLS, "", line, SmtpReply.of(220, "2.0.0 Ready to start TLS"));
            if (sent.code() != 220) {
                return true;
            }
            // bytes pipelined after STARTTLS are discarded (no command injection)
            if (!upgradeToTls()) {
                return false;
            }
            heloName = null;
            authenticatedUser = null;
            resetTransaction();
            return true;
        }

        /** Performs the server handshake; returns false (failure recorded) if it fails. */
        private boolean upgradeToTls() throws IOException {
            SSLSocket tls = (SSLSocket) sslContext.getSocketFactory().createSocket(socket, null, true);
            tls.setUseClientMode(false);
            if (config.protocols != null) {
                tls.setEnabledProtocols(config.protocols);
            }
            if (config.cipherSuites != null) {
                tls.setEnabledCipherSuites(config.cipherSuites);
            }
            try {
                tls.startHandshake();
            } catch (IOException e) {
                LOG.debug("Sink connection #{} TLS handshake failed: {}", connection.id(), e.toString());
                connection.tlsFailed(e.toString());
                synchronized (lock) {
                    tlsFailures++;
                    lock.notifyAll();
                }
                closeQuietly(tls);
                return false;
            }
            SSLSession session = tls.getSession();
            if (session instanceof ExtendedSSLSession) {
                for (SNIServerName name : ((ExtendedSSLSession) session).getRequestedServerNames()) {
                    if (name instanceof SNIHostName) {
                        sniHostName = ((SNIHostName) name).getAsciiName();
                    }
                }
            }
            tlsSession = session;
            connection.tlsEstablished(session.getProtocol(), session.getCipherSuite(), sniHostName);
            setStreams(tls);
            return true;
        }

        private void auth(String arg) throws IOException {
            if (config.authUser == null) {
                send(502, "5.5.1 AUTH not supported");
                return;
            }
            if (authenticatedUser != null) {
                send(503, "5.5.1 Already authenticated");
                return;
            }
            if (mailFrom != null) {
                send(503, "5.5.1 AUTH not permitted during a mail transaction");
                return;
            }
            String[] parts = arg.split("\\s+", 2);
            String mechanism = parts[0].toUpperCase(Locale.ROOT);
            String initial = parts.length > 1 ? parts[1].trim() : null;
            String user;
            String password;
            try {
                if (mechanism.equals("PLAIN")) {
                    String response = initial != null ? initial : challenge("");
                    if (response == null) {
                        return;
                    }
                    String[] fields = decodeBase64(response).split("\0", -1);
                    if (fields.length != 3) {
                        send(501, "5.5.2 Invalid PLAIN response");
                        return;
                    }
                    user = fields[1];
                    password = fields[2];
                } else if (mechanism.equals("LOGIN")) {
                    String userResponse = initial != null ? initial : challenge("VXNlcm5hbWU6");
                    if (userResponse == null) {
                        return;
                    }
                    user = decodeBase64(userResponse);
                    String passwordResponse = challenge("UGFzc3dvcmQ6");
                    if (passwordResponse == null) {
                        return;
                    }
                    password = decodeBase64(passwordResponse);
                } else {
                    send(504, "5.5.4 Unrecognized authentication type");
                    return;
                }
            } catch (IllegalArgumentException e) {
                send(501, "5.5.2 Invalid base64");
                return;
            }
            if (config.authUser.equals(user) && config.authPassword.equals(password)) {
                authenticatedUser = user;
                connection.authenticated(user);
                send(235, "2.7.0 Authentication successful");
            } else {
                send(535, "5.7.8 Authentication credentials invalid");
            }
        }

        /** Sends a 334 challenge and returns the response, or null if the client cancelled (reply sent). */
        private String challenge(String challenge) throws IOException {
            send(SmtpReply.of(334, challenge));
            String response = reader.readTextLine(MAX_LINE);
            if (response == null) {
                throw new IOException("Connection closed during AUTH");
            }
            connection.addCommand(response);
            if (response.trim().equals("*")) {
                send(501, "5.7.0 Authentication cancelled");
                return null;
            }
            return response.trim();
        }

        private void mail(String arg, String line) throws IOException, Disconnect {
            if (heloName == null) {
                send(503, "5.5.1 Send HELO/EHLO first");
                return;
            }
            if (mailFrom != null) {
                send(503, "5.5.1 Nested MAIL command");
                return;
            }
            if (config.requireTls && tlsSession == null) {
                send(530, "5.7.0 Must issue a STARTTLS command first");
                return;
            }
            Matcher m = PATH.matcher(arg);
            if (!m.matches() || !m.group(1).equalsIgnoreCase("FROM")) {
                send(501, "5.5.4 Syntax: MAIL FROM:<address>");
                return;
            }
            List<String> params = parameters(m.group(3));
            for (String p : params) {
                if (p.toUpperCase(Locale.ROOT).startsWith("SIZE=")) {
                    try {
                        if (Long.parseLong(p.substring(5)) > config.maxMessageSize) {
                            send(552, "5.3.4 Message size exceeds fixed limit");
                            return;
                        }
                    } catch (NumberFormatException e) {
                        send(501, "5.5.4 Invalid SIZE parameter");
                        return;
                    }
                }
            }
            String sender = m.group(2);
            if (reply(SmtpStage.MAIL, sender, line, SmtpReply.of(250, "2.1.0 Sender OK")).isPositiveCompletion()) {
                mailFrom = sender;
                mailParameters = params;
            }
        }

        private void rcpt(String arg, String line) throws IOException, Disconnect {
            if (mailFrom == null) {
                send(503, "5.5.1 Need MAIL before RCPT");
                return;
            }
            Matcher m = PATH.matcher(arg);
            if (!m.matches() || !m.group(1).equalsIgnoreCase("TO") || m.group(2).isEmpty()) {
                send(501, "5.5.4 Syntax: RCPT TO:<address>");
                return;
            }
            String recipient = m.group(2);
            if (reply(SmtpStage.RCPT, recipient, line, SmtpReply.of(250, "2.1.5 Recipient OK"))
                .isPositiveCompletion()) {
                recipients.add(recipient);
            }
        }

        private void data(String line) throws IOException, Disconnect {
            if (mailFrom == null) {
                send(503, "5.5.1 Need MAIL command");
                return;
            }
            if (recipients.isEmpty()) {
                send(554, "5.5.1 No valid recipients");
                return;
            }
            SmtpReply go = reply(SmtpStage.DATA, "", line,
                SmtpReply.of(354, "End data with <CR><LF>.<CR><LF>"));
            if (go.code() != 354) {
                return;
            }
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            boolean tooBig = false;
            boolean lineStart = true;
            while (true) {
                byte[] dataLine = reader.readLine(MAX_LINE);
                if (dataLine == null) {
                    throw new IOException("Connection closed during DATA");
                }
                if (lineStart && isTerminator(dataLine)) {
                    break;
                }
                int offset = lineStart && dataLine.length > 0 && dataLine[0] == '.' ? 1 : 0;
                lineStart = dataLine[dataLine.length - 1] == '\n';
                if (!tooBig) {
                    content.write(dataLine, offset, dataLine.length - offset);
                    if (content.size() > config.maxMessageSize) {
                        tooBig = true;
                        content.reset();
                    }
                }
            }
            byte[] message = content.toByteArray();
            SmtpReply finalReply;
            if (tooBig) {
                finalReply = send(552, "5.3.4 Message size exceeds fixed limit");
            } else {
                String id = String.format("%s-%d", serverSocket.getLocalPort(), messageIds.incrementAndGet());
                finalReply = reply(SmtpStage.DATA_END, "", "", message,
                    SmtpReply.of(250, "2.0.0 Ok: queued as " + id));
            }
            ReceivedMessage received = new ReceivedMessage(connection.id(), heloName, mailFrom, mailParameters,
                recipients, message,
                tlsSession == null ? null : tlsSession.getProtocol(),
                tlsSession == null ? null : tlsSession.getCipherSuite(),
                sniHostName, authenticatedUser, connection.clientAddress(), connection.serverAddress(),
                finalReply);
            synchronized (lock) {
                (finalReply.isPositiveCompletion() ? messages : rejectedMessages).add(received);
                lock.notifyAll();
            }
            resetTransaction();
        }

        private boolean isTerminator(byte[] line) {
            return (line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n')
                || (line.length == 2 && line[0] == '.' && line[1] == '\n');
        }

        private void resetTransaction() {
            mailFrom = null;
            mailParameters = List.of();
            recipients.clear();
        }

        private SinkAction decide(SmtpStage stage, String argument, String line, byte[] message) {
            if (rules.isEmpty()) {
                return null;
            }
            SinkCommand command = new SinkCommand(stage, argument, line, heloName, mailFrom,
                List.copyOf(recipients), message, tlsSession != null, connection.id());
            for (SinkRule rule : rules) {
                SinkAction action = rule.decide(command);
                if (action != null) {
                    return action;
                }
            }
            return null;
        }

        private SmtpReply reply(SmtpStage stage, String argument, String line, SmtpReply defaultReply)
            throws IOException, Disconnect {
            return reply(stage, argument, line, null, defaultReply);
        }

        /** Sends the rule's reply (or the default) and returns what was sent. */
        private SmtpReply reply(SmtpStage stage, String argument, String line, byte[] message,
                                SmtpReply defaultReply) throws IOException, Disconnect {
            SinkAction action = decide(stage, argument, line, message);
            if (action == null) {
                return send(defaultReply);
            }
            sleep(action.delay());
            if (action.isDisconnect()) {
                throw new Disconnect();
            }
            return send(action.reply().orElseThrow());
        }

        private SmtpReply send(int code, String text) throws IOException {
            return send(SmtpReply.of(code, text));
        }

        private SmtpReply send(SmtpReply reply) throws IOException {
            StringBuilder sb = new StringBuilder();
            List<String> lines = reply.lines();
            for (int i = 0; i < lines.size(); i++) {
                sb.append(reply.code()).append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i))
                    .append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply;
        }

        private void sleep(Duration delay) throws SocketException {
            if (delay.isZero() || delay.isNegative()) {
                return;
            }
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SocketException("Interrupted (sink closing)");
            }
        }
    }

    private static List<String> parameters(String text) {
        String trimmed = text.trim();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    private static String decodeBase64(String text) {
        return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
    }

    /** Configuration of a {@link RecordingSmtpSink}. */
    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port;
        private String hostname = "sink.test";
        private boolean startTls;
        private boolean implicitTls;
        private boolean requireTls;
        private TestCertificate certificate;
        private SSLContext sslContext;
        private String[] protocols;
        private String[] cipherSuites;
        private boolean pipelining;
        private boolean eightBitMime = true;
        private long maxMessageSize = 50L * 1024 * 1024;
        private List<String> extraCapabilities = List.of();
        private String authUser;
        private String authPassword;
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * The address to bind (default {@code 127.0.0.1}; any {@code 127.x.y.z} works on Linux).
         *
         * @param address an IP literal
         * @return this builder
         */
        public Builder bindAddress(String address) {
            this.bindAddress = Objects.requireNonNull(address);
            return this;
        }

        /**
         * The port (default 0: ephemeral).
         *
         * @param value the port
         * @return this builder
         */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /**
         * The host name in the greeting and EHLO reply, also the name of the default self-signed certificate
         * (default {@code sink.test}).
         *
         * @param name the host name
         * @return this builder
         */
        public Builder hostname(String name) {
            this.hostname = Objects.requireNonNull(name);
            return this;
        }

        /**
         * Offers STARTTLS (unless a certificate or SSL context is given, with a self-signed RSA certificate for
         * the host name using the JVM-shared key, see {@link org.tesjames.testing.tls.KeyType#shared()}).
         *
         * @param enabled true to offer STARTTLS
         * @return this builder
         */
        public Builder startTls(boolean enabled) {
            this.startTls = enabled;
            return this;
        }

        /**
         * Offers STARTTLS presenting the given certificate.
         *
         * @param cert the certificate and key
         * @return this builder
         */
        public Builder startTls(TestCertificate cert) {
            this.startTls = true;
            return certificate(cert);
        }

        /**
         * Implicit TLS: the handshake starts on connect, before the greeting.
         *
         * @param enabled true for implicit TLS
         * @return this builder
         */
        public Builder implicitTls(boolean enabled) {
            this.implicitTls = enabled;
            return this;
        }

        /**
         * Rejects MAIL with 530 5.7.0 until STARTTLS was done.
         *
         * @param enabled true to require TLS
         * @return this builder
         */
        public Builder requireTls(boolean enabled) {
            this.requireTls = enabled;
            return this;
        }

        /**
         * The certificate presented with TLS.
         *
         * @param cert the certificate and key
         * @return this builder
         */
        public Builder certificate(TestCertificate cert) {
            this.certificate = cert;
            return this;
        }

        /**
         * The server SSL context (takes precedence over {@link #certificate}).
         *
         * @param context the context
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * Restricts the TLS protocols accepted, e.g. {@code "TLSv1.2"}; default: JDK defaults.
         *
         * @param enabledProtocols protocol names
         * @return this builder
         */
        public Builder tlsProtocols(String... enabledProtocols) {
            this.protocols = enabledProtocols.length == 0 ? null : enabledProtocols.clone();
            return this;
        }

        /**
         * Restricts the cipher suites accepted; default: JDK defaults.
         *
         * @param suites cipher suite names
         * @return this builder
         */
        public Builder cipherSuites(String... suites) {
            this.cipherSuites = suites.length == 0 ? null : suites.clone();
            return this;
        }

        /**
         * Advertises PIPELINING (default off; pipelined commands are handled in order anyway).
         *
         * @param enabled true to advertise
         * @return this builder
         */
        public Builder pipelining(boolean enabled) {
            this.pipelining = enabled;
            return this;
        }

        /**
         * Advertises 8BITMIME (RFC 6152; default on). Off plays a server that only takes 7-bit messages, to which
         * a conforming client must not send 8-bit data (the message is recorded as received either way).
         *
         * @param enabled false to leave 8BITMIME out of the EHLO reply
         * @return this builder
         */
        public Builder eightBitMime(boolean enabled) {
            this.eightBitMime = enabled;
            return this;
        }

        /**
         * The SIZE limit advertised and enforced (default 50 MiB).
         *
         * @param bytes the maximum message size
         * @return this builder
         */
        public Builder maxMessageSize(long bytes) {
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Extra EHLO keywords to advertise, e.g. {@code "SMTPUTF8"}, {@code "DSN"} (their parameters are
         * accepted and recorded, not interpreted).
         *
         * @param keywords capability lines
         * @return this builder
         */
        public Builder extraCapabilities(String... keywords) {
            this.extraCapabilities = List.of(keywords);
            return this;
        }

        /**
         * Advertises {@code AUTH PLAIN LOGIN} and accepts exactly these credentials (235), others get 535.
         * AUTH is never required.
         *
         * @param user the user name
         * @param password the password
         * @return this builder
         */
        public Builder auth(String user, String password) {
            this.authUser = Objects.requireNonNull(user);
            this.authPassword = Objects.requireNonNull(password);
            return this;
        }

        /**
         * Read timeout of a connection (default 60 s).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * Binds and starts the sink.
         *
         * @return the running sink
         * @throws IOException if binding fails
         */
        public RecordingSmtpSink start() throws IOException {
            Builder copy = new Builder();
            copy.bindAddress = bindAddress;
            copy.port = port;
            copy.hostname = hostname;
            copy.startTls = startTls;
            copy.implicitTls = implicitTls;
            copy.requireTls = requireTls;
            copy.certificate = certificate;
            copy.sslContext = sslContext;
            copy.protocols = protocols;
            copy.cipherSuites = cipherSuites;
            copy.pipelining = pipelining;
            copy.eightBitMime = eightBitMime;
            copy.maxMessageSize = maxMessageSize;
            copy.extraCapabilities = extraCapabilities;
            copy.authUser = authUser;
            copy.authPassword = authPassword;
            copy.idleTimeout = idleTimeout;
            return new RecordingSmtpSink(copy);
        }
    }
}
