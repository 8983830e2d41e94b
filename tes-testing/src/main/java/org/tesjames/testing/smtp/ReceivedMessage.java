package org.tesjames.testing.smtp;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A message received by {@link RecordingSmtpSink}, with its envelope and connection details. Immutable.
 */
public final class ReceivedMessage {

    private final int connectionId;
    private final String heloName;
    private final String mailFrom;
    private final List<String> mailParameters;
    private final List<String> recipients;
    private final byte[] raw;
    private final ParsedMessage parsed;
    private final String tlsProtocol;
    private final String tlsCipherSuite;
    private final String sniHostName;
    private final String authenticatedUser;
    private final InetSocketAddress clientAddress;
    private final InetSocketAddress serverAddress;
    private final Instant receivedAt;
    private final SmtpReply finalReply;

    ReceivedMessage(int connectionId, String heloName, String mailFrom, List<String> mailParameters,
                    List<String> recipients, byte[] raw, String tlsProtocol, String tlsCipherSuite,
                    String sniHostName, String authenticatedUser, InetSocketAddress clientAddress,
                    InetSocketAddress serverAddress, SmtpReply finalReply) {
        this.connectionId = connectionId;
        this.heloName = heloName;
        this.mailFrom = mailFrom;
        this.mailParameters = List.copyOf(mailParameters);
        this.recipients = List.copyOf(recipients);
        this.raw = raw.clone();
        this.parsed = ParsedMessage.parse(raw);
        this.tlsProtocol = tlsProtocol;
        this.tlsCipherSuite = tlsCipherSuite;
        this.sniHostName = sniHostName;
        this.authenticatedUser = authenticatedUser;
        this.clientAddress = clientAddress;
        this.serverAddress = serverAddress;
        this.receivedAt = Instant.now();
        this.finalReply = finalReply;
    }

    /**
     * The sink connection number (1-based) the message arrived on.
     *
     * @return the connection id, see {@link SinkConnection#id()}
     */
    public int connectionId() {
        return connectionId;
    }

    /**
     * The EHLO/HELO name the client announced.
     *
     * @return the name
     */
    public String heloName() {
        return heloName;
    }

    /**
     * The MAIL FROM address without angle brackets.
     *
     * @return the sender, {@code ""} for the null sender
     */
    public String mailFrom() {
        return mailFrom;
    }

    /**
     * The ESMTP parameters of MAIL FROM (e.g. {@code "BODY=8BITMIME"}, {@code "SIZE=1234"}).
     *
     * @return the parameters in order
     */
    public List<String> mailParameters() {
        return mailParameters;
    }

    /**
     * The accepted RCPT TO addresses without angle brackets, in order.
     *
     * @return the recipients
     */
    public List<String> recipients() {
        return recipients;
    }

    /**
     * The message bytes after dot-unstuffing, line endings as received.
     *
     * @return a copy of the bytes
     */
    public byte[] rawBytes() {
        return raw.clone();
    }

    /**
     * The raw message decoded as UTF-8.
     *
     * @return the message text
     */
    public String rawText() {
        return new String(raw, StandardCharsets.UTF_8);
    }

    /**
     * The header fields and body.
     *
     * @return the parsed message
     */
    public ParsedMessage parsed() {
        return parsed;
    }

    /**
     * All header fields in order.
     *
     * @return the headers
     */
    public List<MessageHeader> headers() {
        return parsed.headers();
    }

    /**
     * The unfolded value of the first header field with that name (case-insensitive).
     *
     * @param name the field name
     * @return the value, empty if absent
     */
    public Optional<String> header(String name) {
        return parsed.header(name);
    }

    /**
     * The unfolded values of all header fields with that name, in order.
     *
     * @param name the field name
     * @return the values
     */
    public List<String> headerValues(String name) {
        return parsed.headerValues(name);
    }

    /**
     * The body bytes.
     *
     * @return a copy of the body
     */
    public byte[] body() {
        return parsed.body();
    }

    /**
     * The body decoded as UTF-8.
     *
     * @return the body text
     */
    public String bodyText() {
        return parsed.bodyText();
    }

    /**
     * Whether the message was received over TLS (STARTTLS or implicit).
     *
     * @return true with TLS
     */
    public boolean tls() {
        return tlsProtocol != null;
    }

    /**
     * The negotiated TLS protocol, e.g. {@code "TLSv1.3"}.
     *
     * @return the protocol, empty without TLS
     */
    public Optional<String> tlsProtocol() {
        return Optional.ofNullable(tlsProtocol);
    }

    /**
     * The negotiated cipher suite.
     *
     * @return the suite, empty without TLS
     */
    public Optional<String> tlsCipherSuite() {
        return Optional.ofNullable(tlsCipherSuite);
    }

    /**
     * The SNI host name the client requested in its ClientHello.
     *
     * @return the name, empty without TLS or without SNI
     */
    public Optional<String> sniHostName() {
        return Optional.ofNullable(sniHostName);
    }

    /**
     * The user authenticated with AUTH on this connection.
     *
     * @return the user, empty without AUTH
     */
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(authenticatedUser);
    }

    /**
     * The client's address and port.
     *
     * @return the remote socket address
     */
    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    /**
     * The sink address the message was received on.
     *
     * @return the local socket address
     */
    public InetSocketAddress serverAddress() {
        return serverAddress;
    }

    /**
     * When the end of data was received.
     *
     * @return the time
     */
    public Instant receivedAt() {
        return receivedAt;
    }

    /**
     * The reply the sink sent at the end of data (250, or the programmed rejection).
     *
     * @return the reply
     */
    public SmtpReply finalReply() {
        return finalReply;
    }

    @Override
    public String toString() {
        return "ReceivedMessage[from=<" + mailFrom + ">, to=" + recipients + ", " + raw.length + " bytes"
            + (tlsProtocol != null ? ", " + tlsProtocol : ", plaintext") + ", client=" + clientAddress
            + ", reply=" + finalReply + "]";
    }
}
