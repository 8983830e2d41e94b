package org.tesjames.it.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/** The TES client policy on the shipped submission listeners, at SMTP time, through a real James. */
class SubmissionPolicyTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension();

    private static TesJamesServer james;

    @BeforeAll
    static void users() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
    }

    @Test
    void authBeforeTlsIsRefusedWith538EvenWithValidCredentials() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.submissionPort())) {
            client.ehlo("client.example");

            SmtpReply plain = client.authPlain(USER, PASSWORD);
            assertThat(plain.code()).isEqualTo(538);
            assertThat(plain.text()).startsWith("5.7.11");

            SmtpReply login = client.raw("AUTH LOGIN");
            assertThat(login.code()).isEqualTo(538);

            assertThat(client.mailFrom("someone@remote.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(USER).code()).as("still not authenticated").isEqualTo(530);
        }
    }

    @Test
    void rcptWithoutAuthIsRefusedWith530EvenForALocalRecipient() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort()).trustAll()
                .connect()) {
            client.ehlo("client.example");
            client.starttls();
            client.ehlo("client.example");
            assertThat(client.mailFrom("someone@remote.example").code()).isEqualTo(250);

            SmtpReply reply = client.rcptTo(USER);
            assertThat(reply.code()).isEqualTo(530);
            assertThat(reply.text()).isEqualTo("5.7.0 Authentication required");
        }
    }

    @Test
    void anAuthenticatedClientOverTls12IsAcceptedAndItsStatusHeaderRemoved() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort())
                .tlsProtocols("TLSv1.2").trustAll().connect()) {
            client.ehlo("client.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("client.example");
            assertThat(client.authPlain(USER, PASSWORD).code()).isEqualTo(235);
            assertThat(client.mailFrom(USER).code()).isEqualTo(250);
            assertThat(client.rcptTo(USER).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message("From: " + USER + "\r\nX-TES-Status: member\r\nSubject: submitted\r\n\r\nhi\r\n")
                .code()).isEqualTo(250);
        }

        MimeMessage message = james.awaitInbox(USER, 1, Duration.ofSeconds(30)).get(0);
        assertThat(message.getSubject()).isEqualTo("submitted");
        assertThat(message.getHeader("X-TES-Status")).isNull();
    }

    @Test
    void implicitTlsSubmissionAlsoRequiresAuthAtRcpt() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionsPort())
                .implicitTls(true).trustAll().connect()) {
            client.ehlo("client.example");
            assertThat(client.mailFrom("someone@remote.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(USER).code()).isEqualTo(530);
        }
    }
}
