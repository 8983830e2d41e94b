package org.tesjames.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SmtpTestClient;

/** The in-JVM James harness itself: the shipped listeners, mailbox read-back, and James's DNS on the test server. */
class HarnessTest {
    private static final String PASSWORD = "secret-Pa55";

    private static final int MX_PORT = OutboundPorts.free();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf.outboundPort(MX_PORT));

    @Test
    void bindsEveryShippedListenerOnItsOwnLoopbackPort() {
        TesJamesServer james = extension.james();

        assertThat(List.of(james.inboundPort(), james.submissionPort(), james.submissionsPort(), james.imapPort()))
            .doesNotHaveDuplicates()
            .allSatisfy(port -> assertThat(port).isPositive());
    }

    @Test
    void theListenersPresentTheGeneratedCertificate() throws Exception {
        TesJamesServer james = extension.james();
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                .trust(james.certificate().certificate()).connect()) {
            client.ehlo("peer.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            assertThat(client.peerCertificates()).first().isEqualTo(james.certificate().certificate());
        }
    }

    @Test
    void readsDeliveredMailBackFromTheMailbox() throws Exception {
        TesJamesServer james = extension.james();
        james.addUser("reader@tes.test", PASSWORD);
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.inboundPort())) {
            client.ehlo("peer.example");
            client.mailFrom("someone@remote.example");
            assertThat(client.rcptTo("reader@tes.test").code()).isEqualTo(250);
            client.data();
            assertThat(client.message("Subject: read back\r\n\r\nthe body\r\n").code()).isEqualTo(250);
        }

        MimeMessage message = james.awaitInbox("reader@tes.test", 1, Duration.ofSeconds(30)).get(0);
        assertThat(message.getSubject()).isEqualTo("read back");
        assertThat(message.getContent().toString()).contains("the body");
    }

    @Test
    void countsAndEmptiesAnInboxWithoutReadingIt() throws Exception {
        TesJamesServer james = extension.james();
        james.addUser("counted@tes.test", PASSWORD);
        assertThat(james.inboxSize("counted@tes.test")).isZero();
        james.clearInbox("counted@tes.test");
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.inboundPort())) {
            client.ehlo("peer.example");
            for (int i = 1; i <= 3; i++) {
                client.mailFrom("someone@remote.example");
                assertThat(client.rcptTo("counted@tes.test").code()).isEqualTo(250);
                client.data();
                assertThat(client.message("Subject: message " + i + "\r\n\r\nbody\r\n").code()).isEqualTo(250);
            }
        }
        james.awaitInbox("counted@tes.test", 3, Duration.ofSeconds(30));

        assertThat(james.inboxSize("counted@tes.test")).isEqualTo(3);
        james.clearInbox("counted@tes.test");
        assertThat(james.inboxSize("counted@tes.test")).isZero();
        assertThat(james.inbox("counted@tes.test")).isEmpty();
    }

    @Test
    void unknownLocalRecipientsAreRefusedAtRcpt() throws Exception {
        TesJamesServer james = extension.james();
        james.addDomain("tes.test");
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.inboundPort())) {
            client.ehlo("peer.example");
            client.mailFrom("someone@remote.example");
            assertThat(client.rcptTo("nobody@tes.test").code()).isEqualTo(550);
        }
    }

    @Test
    void relaysThroughTheTesResolverToARecordingSinkPlayingTheRemoteMx() throws Exception {
        TesJamesServer james = extension.james();
        james.addUser("sender@tes.test", PASSWORD);
        try (RecordingSmtpSink sink = RemoteMx.start(extension.dns(), "remote.test", "127.0.0.2", MX_PORT, true)) {
            Submission.submit(james, "sender@tes.test", PASSWORD, "bob@remote.test",
                "From: sender@tes.test\r\nTo: bob@remote.test\r\nSubject: out\r\n\r\nhi\r\n");

            ReceivedMessage received = sink.awaitMessage(Duration.ofSeconds(60));
            assertThat(received.mailFrom()).isEqualTo("sender@tes.test");
            assertThat(received.recipients()).containsExactly("bob@remote.test");
            assertThat(received.header("Subject")).contains("out");
            assertThat(extension.dns().queryCount("remote.test.", org.xbill.DNS.Type.MX)).isPositive();
        }
    }
}
