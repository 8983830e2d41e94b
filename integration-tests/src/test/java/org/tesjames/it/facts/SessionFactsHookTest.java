package org.tesjames.it.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.it.facts.FactsToHeaders.CIPHER;
import static org.tesjames.it.facts.FactsToHeaders.LISTENER;
import static org.tesjames.it.facts.FactsToHeaders.PROTOCOL;
import static org.tesjames.it.facts.FactsToHeaders.TLS;
import static org.tesjames.it.facts.FactsToHeaders.USER;
import static org.tesjames.it.facts.FactsToHeaders.header;

import java.time.Duration;
import java.util.List;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/** The session-facts hook, proven through a real James with the shipped listeners. */
class SessionFactsHookTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    private static final String PASSWORD = "secret-Pa55";

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(FactsToHeaders::install);

    private static TesJamesServer james;

    @BeforeAll
    static void users() throws Exception {
        james = extension.james();
        for (String user : List.of("tls13", "tls12", "plain", "sub", "subs")) {
            james.addUser(user + "@tes.test", PASSWORD);
        }
    }

    private static SmtpReply send(SmtpTestClient client, String from, String to) throws Exception {
        assertThat(client.mailFrom(from).code()).isEqualTo(250);
        assertThat(client.rcptTo(to).code()).isEqualTo(250);
        assertThat(client.data().code()).isEqualTo(354);
        return client.message("From: " + from + "\r\nTo: " + to + "\r\nSubject: facts\r\n\r\nbody\r\n");
    }

    private static MimeMessage deliveredTo(String user) {
        return james.awaitInbox(user, 1, DELIVERY).get(0);
    }

    @Test
    void recordsStarttlsWithTls13OnTheInboundListener() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                .tlsProtocols("TLSv1.3").trustAll().connect()) {
            client.ehlo("peer.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("peer.example");
            assertThat(send(client, "someone@remote.example", "tls13@tes.test").code()).isEqualTo(250);
            String cipher = client.tlsCipherSuite().orElseThrow();

            MimeMessage message = deliveredTo("tls13@tes.test");
            assertThat(header(message, LISTENER)).contains("inbound");
            assertThat(header(message, TLS)).contains("starttls");
            assertThat(header(message, PROTOCOL)).contains("TLSv1.3");
            assertThat(header(message, CIPHER)).contains(cipher);
            assertThat(header(message, USER)).isEmpty();
        }
    }

    @Test
    void recordsStarttlsWithTls12() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                .tlsProtocols("TLSv1.2").trustAll().connect()) {
            client.ehlo("peer.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("peer.example");
            assertThat(send(client, "someone@remote.example", "tls12@tes.test").code()).isEqualTo(250);
            String cipher = client.tlsCipherSuite().orElseThrow();

            MimeMessage message = deliveredTo("tls12@tes.test");
            assertThat(header(message, TLS)).contains("starttls");
            assertThat(header(message, PROTOCOL)).contains("TLSv1.2");
            assertThat(header(message, CIPHER)).contains(cipher);
        }
    }

    @Test
    void recordsPlaintextWithoutProtocolNorCipher() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.inboundPort())) {
            client.ehlo("peer.example");
            assertThat(send(client, "someone@remote.example", "plain@tes.test").code()).isEqualTo(250);

            MimeMessage message = deliveredTo("plain@tes.test");
            assertThat(header(message, LISTENER)).contains("inbound");
            assertThat(header(message, TLS)).contains("none");
            assertThat(header(message, PROTOCOL)).isEmpty();
            assertThat(header(message, CIPHER)).isEmpty();
        }
    }

    @Test
    void recordsTheAuthenticatedUserOnSubmission() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort())
                .trustAll().connect()) {
            client.ehlo("client.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("client.example");
            assertThat(client.authPlain("sub@tes.test", PASSWORD).code()).isEqualTo(235);
            assertThat(send(client, "sub@tes.test", "sub@tes.test").code()).isEqualTo(250);

            MimeMessage message = deliveredTo("sub@tes.test");
            assertThat(header(message, LISTENER)).contains("submission");
            assertThat(header(message, TLS)).contains("starttls");
            assertThat(header(message, PROTOCOL)).contains(client.tlsProtocol().orElseThrow());
            assertThat(header(message, USER)).contains("sub@tes.test");
        }
    }

    @Test
    void recordsImplicitTlsOnTheSubmissionsListener() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionsPort())
                .implicitTls(true).trustAll().connect()) {
            assertThat(client.greeting().code()).isEqualTo(220);
            client.ehlo("client.example");
            assertThat(client.authLogin("subs@tes.test", PASSWORD).code()).isEqualTo(235);
            assertThat(send(client, "subs@tes.test", "subs@tes.test").code()).isEqualTo(250);

            MimeMessage message = deliveredTo("subs@tes.test");
            assertThat(header(message, LISTENER)).contains("submissions");
            assertThat(header(message, TLS)).contains("implicit");
            assertThat(header(message, PROTOCOL)).contains(client.tlsProtocol().orElseThrow());
            assertThat(header(message, USER)).contains("subs@tes.test");
        }
    }

    @Test
    void aClientCannotForgeTheFactsWithHeadersOrCommands() throws Exception {
        james.addUser("forge@tes.test", PASSWORD);
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.inboundPort())) {
            client.ehlo("peer.example");
            assertThat(client.mailFrom("someone@remote.example").code()).isEqualTo(250);
            assertThat(client.rcptTo("forge@tes.test").code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message("X-Test-Tls: implicit\r\nSubject: forged\r\n\r\nbody\r\n").code())
                .isEqualTo(250);

            MimeMessage message = deliveredTo("forge@tes.test");
            assertThat(message.getHeader(TLS)).containsExactly("implicit", "none");
        }
    }
}
