package org.tesjames.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/** Mail submission to the harness James by an authenticated user, on the submission or submissions port. */
public final class Submission {
    private Submission() {
    }

    /** A client on the submission port after EHLO, STARTTLS and EHLO again. */
    public static SmtpTestClient startTls(TesJamesServer james) throws IOException {
        return startTls(james.submissionPort());
    }

    /** A client on this submission port of the loopback address after EHLO, STARTTLS and EHLO again. */
    public static SmtpTestClient startTls(int submissionPort) throws IOException {
        SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", submissionPort).trustAll().connect();
        client.ehlo("client.example");
        assertThat(client.starttls().code()).isEqualTo(220);
        client.ehlo("client.example");
        return client;
    }

    /** A client on the submissions port (implicit TLS) after EHLO. */
    public static SmtpTestClient implicitTls(TesJamesServer james) throws IOException {
        SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionsPort()).implicitTls(true)
            .trustAll().connect();
        client.ehlo("client.example");
        return client;
    }

    /**
     * AUTH PLAIN as the user, MAIL FROM the user's address (with these parameters), RCPT TO the recipient and
     * DATA, each asserted to succeed; returns the reply to the message (CRLF line ends, sent as UTF-8).
     */
    public static SmtpReply send(SmtpTestClient client, String user, String password, String recipient,
            String message, String... mailParameters) throws IOException {
        assertThat(client.authPlain(user, password).code()).isEqualTo(235);
        assertThat(client.mailFrom(user, mailParameters).code()).isEqualTo(250);
        assertThat(client.rcptTo(recipient).code()).isEqualTo(250);
        assertThat(client.data().code()).isEqualTo(354);
        return client.message(message);
    }

    /** Submits over STARTTLS ({@link #startTls}, {@link #send}) and asserts the message is accepted with 250. */
    public static void submit(TesJamesServer james, String user, String password, String recipient, String message,
            String... mailParameters) throws IOException {
        try (SmtpTestClient client = startTls(james)) {
            assertThat(send(client, user, password, recipient, message, mailParameters).code()).isEqualTo(250);
        }
    }
}
