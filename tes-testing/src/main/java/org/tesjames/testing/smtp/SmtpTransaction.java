package org.tesjames.testing.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.tesjames.testing.smtp.SmtpTranscript.Step;

/**
 * A complete SMTP transaction to run in one go: EHLO, optional STARTTLS (+ EHLO), optional AUTH, MAIL,
 * RCPT for each recipient, DATA and the message, then QUIT. The result is an {@link SmtpTranscript} with
 * the reply of every step; a 4xx/5xx reply stops the transaction at that step (no exception). Only I/O
 * errors throw, including a failed TLS handshake ({@link javax.net.ssl.SSLException}).
 *
 * <pre>{@code
 * SmtpTranscript t = SmtpTransaction.create()
 *     .startTls()
 *     .mailFrom("sender@example.com")
 *     .rcptTo("ok@example.net", "rejected@example.net")
 *     .message("Subject: hi\r\n\r\nHello\r\n")
 *     .send(SmtpTestClient.builder("127.0.0.1", port).tlsProtocols("TLSv1.3"));
 * assertThat(t.rcptTo("rejected@example.net")).map(SmtpReply::code).contains(550);
 * assertThat(t.messageReply()).map(SmtpReply::code).contains(250);
 * }</pre>
 *
 * <p>Stop rules: non-2xx greeting, EHLO, AUTH or MAIL; STARTTLS other than 220; no RCPT accepted; DATA
 * other than 354. QUIT is always attempted; an I/O error at QUIT is ignored.
 */
public final class SmtpTransaction {

    private String heloName = "client.example";
    private boolean startTls;
    private String authMechanism;
    private String authUser;
    private String authPassword;
    private String mailFrom;
    private List<String> mailParameters = List.of();
    private final List<String> recipients = new ArrayList<>();
    private byte[] message;

    private SmtpTransaction() {
    }

    /**
     * A new transaction specification.
     *
     * @return the transaction
     */
    public static SmtpTransaction create() {
        return new SmtpTransaction();
    }

    /**
     * The EHLO name (default {@code client.example}).
     *
     * @param name the client host name
     * @return this transaction
     */
    public SmtpTransaction ehlo(String name) {
        this.heloName = Objects.requireNonNull(name);
        return this;
    }

    /**
     * Issue STARTTLS after EHLO, then EHLO again; the transaction stops if the reply is not 220.
     *
     * @return this transaction
     */
    public SmtpTransaction startTls() {
        this.startTls = true;
        return this;
    }

    /**
     * Authenticate with AUTH PLAIN before MAIL.
     *
     * @param user user name
     * @param password password
     * @return this transaction
     */
    public SmtpTransaction authPlain(String user, String password) {
        return auth("PLAIN", user, password);
    }

    /**
     * Authenticate with AUTH LOGIN before MAIL.
     *
     * @param user user name
     * @param password password
     * @return this transaction
     */
    public SmtpTransaction authLogin(String user, String password) {
        return auth("LOGIN", user, password);
    }

    private SmtpTransaction auth(String mechanism, String user, String password) {
        this.authMechanism = mechanism;
        this.authUser = Objects.requireNonNull(user);
        this.authPassword = Objects.requireNonNull(password);
        return this;
    }

    /**
     * The reverse path ({@code ""} for the null sender) and optional MAIL parameters.
     *
     * @param address the sender
     * @param parameters e.g. {@code "BODY=8BITMIME"}
     * @return this transaction
     */
    public SmtpTransaction mailFrom(String address, String... parameters) {
        this.mailFrom = Objects.requireNonNull(address);
        this.mailParameters = List.of(parameters);
        return this;
    }

    /**
     * Adds recipients.
     *
     * @param addresses forward paths
     * @return this transaction
     */
    public SmtpTransaction rcptTo(String... addresses) {
        recipients.addAll(Arrays.asList(addresses));
        return this;
    }

    /**
     * The message; see {@link SmtpTestClient#message(String)} (LF converted to CRLF, UTF-8).
     *
     * @param text the message
     * @return this transaction
     */
    public SmtpTransaction message(String text) {
        this.message = SmtpTestClient.toCrlf(text).getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /**
     * The raw message bytes; see {@link SmtpTestClient#message(byte[])}.
     *
     * @param raw the message
     * @return this transaction
     */
    public SmtpTransaction message(byte[] raw) {
        this.message = raw.clone();
        return this;
    }

    /**
     * Connects, runs the transaction, sends QUIT and closes.
     *
     * @param connection connection settings
     * @return the transcript
     * @throws IOException on I/O errors (never for 4xx/5xx replies)
     */
    public SmtpTranscript send(SmtpTestClient.Builder connection) throws IOException {
        try (SmtpTestClient client = connection.connect()) {
            SmtpTranscript.Recorder recorder = runSteps(client);
            try {
                recorder.add(Step.QUIT, "QUIT", client.quit());
            } catch (IOException e) {
                // the server may already have closed the connection: the transaction result stands
            }
            return recorder.build(client);
        }
    }

    /**
     * Connects in plaintext with default settings and runs the transaction; see {@link #send(SmtpTestClient.Builder)}.
     *
     * @param host host name or IP literal
     * @param port TCP port
     * @return the transcript
     * @throws IOException on I/O errors
     */
    public SmtpTranscript send(String host, int port) throws IOException {
        return send(SmtpTestClient.builder(host, port));
    }

    /**
     * Runs the transaction on an already connected client (starting with EHLO, the client's greeting is
     * included in the transcript), without QUIT; the connection stays open.
     *
     * @param client a connected client
     * @return the transcript
     * @throws IOException on I/O errors
     */
    public SmtpTranscript runOn(SmtpTestClient client) throws IOException {
        return runSteps(client).build(client);
    }

    private SmtpTranscript.Recorder runSteps(SmtpTestClient client) throws IOException {
        if (mailFrom == null) {
            throw new IllegalStateException("mailFrom not set");
        }
        if (recipients.isEmpty()) {
            throw new IllegalStateException("no recipient set");
        }
        if (message == null) {
            throw new IllegalStateException("message not set");
        }
        SmtpTranscript.Recorder r = new SmtpTranscript.Recorder();
        if (!r.add(Step.GREETING, "<connect>", client.greeting()).isPositiveCompletion()) {
            return r;
        }
        if (!r.add(Step.EHLO, "EHLO " + heloName, client.ehlo(heloName)).isPositiveCompletion()) {
            return r;
        }
        if (startTls) {
            if (r.add(Step.STARTTLS, "STARTTLS", client.starttls()).code() != 220) {
                return r;
            }
            if (!r.add(Step.EHLO, "EHLO " + heloName, client.ehlo(heloName)).isPositiveCompletion()) {
                return r;
            }
        }
        if (authMechanism != null) {
            SmtpReply auth = "PLAIN".equals(authMechanism)
                ? client.authPlain(authUser, authPassword)
                : client.authLogin(authUser, authPassword);
            if (!r.add(Step.AUTH, "AUTH " + authMechanism, auth).isPositiveCompletion()) {
                return r;
            }
        }
        String[] params = mailParameters.toArray(new String[0]);
        SmtpReply mail = client.mailFrom(mailFrom, params);
        if (!r.add(Step.MAIL, "MAIL FROM:<" + mailFrom + ">", mail).isPositiveCompletion()) {
            return r;
        }
        boolean anyAccepted = false;
        for (String rcpt : recipients) {
            SmtpReply reply = client.rcptTo(rcpt);
            r.addRcpt(rcpt, reply);
            anyAccepted |= reply.isPositiveCompletion();
        }
        if (!anyAccepted) {
            return r;
        }
        if (r.add(Step.DATA, "DATA", client.data()).code() != 354) {
            return r;
        }
        r.add(Step.MESSAGE, "<message>", client.message(message));
        return r;
    }
}
