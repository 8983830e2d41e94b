package org.tesjames.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;

class SmtpClientAndSinkTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String MESSAGE = "From: sender@example.com\r\n"
        + "To: rcpt@example.net\r\n"
        + "Subject: Test\r\n"
        + "\r\n"
        + "Hello\r\n";

    @Test
    void plaintextDeliveryIsRecordedWithEnvelopeHeadersAndDotUnstuffedBody() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start();
             SmtpTestClient client = SmtpTestClient.connect(sink.host(), sink.port())) {
            assertThat(client.greeting().code()).isEqualTo(220);
            assertThat(client.ehlo("client.example").code()).isEqualTo(250);
            assertThat(client.mailFrom("sender@example.com", "BODY=8BITMIME").code()).isEqualTo(250);
            assertThat(client.rcptTo("one@example.net").code()).isEqualTo(250);
            assertThat(client.rcptTo("two@example.net").code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            SmtpReply end = client.message("Subject: Dots\r\nX-Folded: a\r\n b\r\n\r\n.leading dot\r\n..two\r\n.\r\nend");
            assertThat(end.code()).isEqualTo(250);
            assertThat(client.quit().code()).isEqualTo(221);
            assertThat(client.isClosed()).isTrue();

            ReceivedMessage m = sink.awaitMessage(WAIT);
            assertThat(m.heloName()).isEqualTo("client.example");
            assertThat(m.mailFrom()).isEqualTo("sender@example.com");
            assertThat(m.mailParameters()).containsExactly("BODY=8BITMIME");
            assertThat(m.recipients()).containsExactly("one@example.net", "two@example.net");
            assertThat(m.header("subject")).contains("Dots");
            assertThat(m.header("X-Folded")).contains("a b");
            assertThat(m.bodyText()).isEqualTo(".leading dot\r\n..two\r\n.\r\nend\r\n");
            assertThat(m.tls()).isFalse();
            assertThat(m.tlsProtocol()).isEmpty();
            assertThat(m.sniHostName()).isEmpty();
            assertThat(m.finalReply().code()).isEqualTo(250);
            assertThat(m.serverAddress().getPort()).isEqualTo(sink.port());
            assertThat(m.clientAddress()).isEqualTo(client.localAddress());
            assertThat(sink.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void rawEightBitBytesAndBareLineFeedsArePreserved() throws Exception {
        byte[] raw = "Subject: 8bit\r\n\r\ncaf\u00e9 \u2713\nbare lf\r\n.dot after crlf\r\n"
            .getBytes(StandardCharsets.UTF_8);
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            SmtpTranscript t = SmtpTransaction.create()
                .mailFrom("a@example.com", "BODY=8BITMIME").rcptTo("b@example.net").message(raw)
                .send(sink.host(), sink.port());

            assertThat(t.accepted()).isTrue();
            assertThat(sink.awaitMessage(WAIT).rawBytes()).isEqualTo(raw);
        }
    }

    @Test
    void nullSenderIsSentAsEmptyReversePath() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            SmtpTranscript t = SmtpTransaction.create().mailFrom("").rcptTo("b@example.net").message(MESSAGE)
                .send(sink.host(), sink.port());

            assertThat(t.accepted()).isTrue();
            assertThat(sink.awaitMessage(WAIT).mailFrom()).isEmpty();
            assertThat(sink.connections().get(0).commands()).contains("MAIL FROM:<>");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void startTlsNegotiatesTheRequestedProtocolOnBothSides(String protocol) throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(true).start()) {
            SmtpTranscript t = SmtpTransaction.create().startTls()
                .mailFrom("a@example.com").rcptTo("b@example.net").message(MESSAGE)
                .send(SmtpTestClient.builder(sink.host(), sink.port()).tlsProtocols(protocol));

            assertThat(t.starttls()).map(SmtpReply::code).contains(220);
            assertThat(t.tlsProtocol()).contains(protocol);
            assertThat(t.accepted()).isTrue();
            ReceivedMessage m = sink.awaitMessage(WAIT);
            assertThat(m.tls()).isTrue();
            assertThat(m.tlsProtocol()).contains(protocol);
            assertThat(m.tlsCipherSuite()).isEqualTo(t.tlsCipherSuite());
            assertThat(m.sniHostName()).isEmpty();
            assertThat(sink.tlsHandshakeFailures()).isZero();
        }
    }

    @Test
    void startTlsResetsCapabilitiesAndTheSinkStopsAdvertisingStartTls() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(true).start();
             SmtpTestClient client = SmtpTestClient.connect(sink.host(), sink.port())) {
            client.ehlo("client.example");
            assertThat(client.supports("STARTTLS")).isTrue();
            assertThat(client.isTls()).isFalse();

            assertThat(client.starttls().code()).isEqualTo(220);
            assertThat(client.isTls()).isTrue();
            assertThat(client.capabilities()).isEmpty();
            assertThat(client.mailFrom("a@example.com").code()).isEqualTo(503);

            client.ehlo("client.example");
            assertThat(client.supports("STARTTLS")).isFalse();
            assertThat(client.peerCertificates()).containsExactly(sink.certificate().orElseThrow().certificate());
            assertThat(client.raw("STARTTLS").code()).isEqualTo(503);
        }
    }

    @Test
    void chosenCipherSuiteIsNegotiated() throws Exception {
        String suite = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(true).start();
             SmtpTestClient client = SmtpTestClient.builder(sink.host(), sink.port())
                 .tlsProtocols("TLSv1.2").cipherSuites(suite).connect()) {
            client.ehlo("client.example");
            client.starttls();

            assertThat(client.tlsCipherSuite()).contains(suite);
            assertThat(sink.awaitConnections(1, WAIT).get(0).tlsCipherSuite()).contains(suite);
        }
    }

    @Test
    void implicitTlsHandshakesBeforeTheGreeting() throws Exception {
        TestCertificate cert = TestCertificates.selfSigned(KeyType.EC_P256, "smtps.example.com");
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().implicitTls(true).certificate(cert).start();
             SmtpTestClient client = SmtpTestClient.builder(sink.host(), sink.port())
                 .implicitTls(true).sni("smtps.example.com").connect()) {
            assertThat(client.isTls()).isTrue();
            assertThat(client.greeting().code()).isEqualTo(220);
            assertThat(client.ehlo("client.example").code()).isEqualTo(250);
            assertThat(client.supports("STARTTLS")).isFalse();
            SmtpTranscript t = SmtpTransaction.create().mailFrom("a@example.com").rcptTo("b@example.net")
                .message(MESSAGE).runOn(client);

            assertThat(t.accepted()).isTrue();
            ReceivedMessage m = sink.awaitMessage(WAIT);
            assertThat(m.tlsProtocol()).isEqualTo(client.tlsProtocol());
            assertThat(m.sniHostName()).contains("smtps.example.com");
        }
    }

    @Test
    void plaintextClientAgainstImplicitTlsSinkIsCountedAsHandshakeFailure() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().implicitTls(true).start()) {
            assertThatThrownBy(() -> SmtpTestClient.builder(sink.host(), sink.port())
                .timeout(Duration.ofMillis(500)).connect())
                .isInstanceOf(IOException.class);

            assertThat(sink.awaitTlsHandshakeFailures(1, WAIT)).isEqualTo(1);
        }
    }

    @Test
    void tls12OnlyClientFailsAgainstTls13OnlySinkAndTheSinkCountsTheFailure() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(true).tlsProtocols("TLSv1.3").start();
             SmtpTestClient client = SmtpTestClient.builder(sink.host(), sink.port())
                 .tlsProtocols("TLSv1.2").connect()) {
            client.ehlo("client.example");

            assertThatThrownBy(client::starttls).isInstanceOf(SSLException.class);
            assertThat(client.isClosed()).isTrue();
            assertThat(client.tlsProtocol()).isEmpty();
            assertThat(sink.awaitTlsHandshakeFailures(1, WAIT)).isEqualTo(1);
            assertThat(sink.connections().get(0).tlsFailure()).isPresent();
            assertThat(sink.messages()).isEmpty();
        }
    }

    @Test
    void tls11ClientIsRefusedBySinkAcceptingOnlyModernProtocols() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(true)
                 .tlsProtocols("TLSv1.2", "TLSv1.3").start();
             SmtpTestClient client = SmtpTestClient.builder(sink.host(), sink.port())
                 .tlsProtocols("TLSv1.1").connect()) {
            client.ehlo("client.example");

            assertThatThrownBy(client::starttls).isInstanceOf(SSLException.class);
            assertThat(sink.awaitTlsHandshakeFailures(1, WAIT)).isEqualTo(1);
        }
    }

    @Test
    void transactionThrowsWhenTheStartTlsHandshakeFails() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(true).tlsProtocols("TLSv1.2").start()) {
            SmtpTransaction transaction = SmtpTransaction.create().startTls()
                .mailFrom("a@example.com").rcptTo("b@example.net").message(MESSAGE);

            assertThatThrownBy(() -> transaction.send(
                SmtpTestClient.builder(sink.host(), sink.port()).tlsProtocols("TLSv1.3")))
                .isInstanceOf(SSLHandshakeException.class);
            sink.awaitTlsHandshakeFailures(1, WAIT);
        }
    }

    @Test
    void clientTrustingOnlyItsCaRejectsASinkPresentingAnotherCertificate() throws Exception {
        TestPki pki = TestPki.create("Client Trusted Root");
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder()
                 .startTls(TestCertificates.selfSigned("mx.example.com")).start();
             SmtpTestClient client = SmtpTestClient.builder(sink.host(), sink.port())
                 .trust(pki.rootCertificate()).connect()) {
            client.ehlo("client.example");

            assertThatThrownBy(client::starttls).isInstanceOf(SSLHandshakeException.class);
            assertThat(sink.awaitTlsHandshakeFailures(1, WAIT)).isEqualTo(1);
        }
    }

    @Test
    void clientTrustingTheCaAcceptsItsLeafAndTheSinkRecordsTheSni() throws Exception {
        TestPki pki = TestPki.withIntermediate("Root", "Intermediate");
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder()
                 .startTls(pki.issue("mx.example.com")).start()) {
            SmtpTranscript t = SmtpTransaction.create().startTls()
                .mailFrom("a@example.com").rcptTo("b@example.net").message(MESSAGE)
                .send(SmtpTestClient.builder(sink.host(), sink.port())
                    .trust(pki.rootCertificate()).sni("mx.example.com").verifyHostname(true));

            assertThat(t.accepted()).isTrue();
            assertThat(sink.awaitMessage(WAIT).sniHostName()).contains("mx.example.com");
        }
    }

    @Test
    void hostnameVerificationRejectsACertificateForAnotherName() throws Exception {
        TestPki pki = TestPki.create();
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(pki.issue("mx.example.com")).start();
             SmtpTestClient client = SmtpTestClient.builder(sink.host(), sink.port())
                 .trust(pki.rootCertificate()).sni("other.example.com").verifyHostname(true).connect()) {
            client.ehlo("client.example");

            assertThatThrownBy(client::starttls).isInstanceOf(SSLHandshakeException.class);
            sink.awaitTlsHandshakeFailures(1, WAIT);
        }
    }

    @Test
    void expiredCertificateIsRejectedByAValidatingClient() throws Exception {
        TestPki pki = TestPki.create();
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder()
                 .startTls(pki.leaf("mx.example.com").expired().build()).start();
             SmtpTestClient client = SmtpTestClient.builder(sink.host(), sink.port())
                 .trust(pki.rootCertificate()).connect()) {
            client.ehlo("client.example");

            assertThatThrownBy(client::starttls).isInstanceOf(SSLHandshakeException.class);
            sink.awaitTlsHandshakeFailures(1, WAIT);
        }
    }

    @Test
    void programmedRejectionsAreReturnedAsRepliesNotThrown() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            sink.rejectRecipient("nobody@example.net", "550 5.1.1 No such user here");
            sink.reply(SmtpStage.DATA_END, "451 4.3.0 Try again later");

            SmtpTranscript t = SmtpTransaction.create()
                .mailFrom("a@example.com").rcptTo("nobody@example.net", "ok@example.net").message(MESSAGE)
                .send(sink.host(), sink.port());

            SmtpReply rejected = t.rcptTo("nobody@example.net").orElseThrow();
            assertThat(rejected.code()).isEqualTo(550);
            assertThat(rejected.enhancedStatus()).contains("5.1.1");
            assertThat(rejected.text()).isEqualTo("5.1.1 No such user here");
            assertThat(t.rcptTo("ok@example.net")).map(SmtpReply::code).contains(250);
            assertThat(t.messageReply()).map(SmtpReply::code).contains(451);
            assertThat(t.lastReply().toString()).isEqualTo("451 4.3.0 Try again later");
            assertThat(t.accepted()).isFalse();
            assertThat(t.quit()).map(SmtpReply::code).contains(221);
            assertThat(sink.messages()).isEmpty();
            assertThat(sink.rejectedMessages()).singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("ok@example.net"));
        }
    }

    @Test
    void transactionStopsWhenNoRecipientIsAccepted() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            sink.reply(SmtpStage.RCPT, "550 5.7.1 Relaying denied\n550 5.7.1 go away");

            SmtpTranscript t = SmtpTransaction.create()
                .mailFrom("a@example.com").rcptTo("x@example.net", "y@example.net").message(MESSAGE)
                .send(sink.host(), sink.port());

            assertThat(t.rcptTo()).hasSize(2).allSatisfy(r -> assertThat(r.lines()).hasSize(2));
            assertThat(t.data()).isEmpty();
            assertThat(t.messageReply()).isEmpty();
            assertThat(t.lastReply().code()).isEqualTo(550);
        }
    }

    @Test
    void replyOnceFailsTheFirstAttemptOnly() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            sink.replyOnce(SmtpStage.MAIL, "421 4.3.2 Busy");
            SmtpTransaction transaction = SmtpTransaction.create()
                .mailFrom("a@example.com").rcptTo("b@example.net").message(MESSAGE);

            SmtpTranscript first = transaction.send(sink.host(), sink.port());
            SmtpTranscript second = transaction.send(sink.host(), sink.port());

            assertThat(first.mailFrom()).map(SmtpReply::code).contains(421);
            assertThat(first.rcptTo()).isEmpty();
            assertThat(second.accepted()).isTrue();
            assertThat(sink.awaitMessages(1, WAIT)).hasSize(1);
        }
    }

    @Test
    void droppedConnectionIsAnIoErrorAndTheSinkKeepsServing() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            sink.disconnectAt(SmtpStage.DATA_END);
            SmtpTransaction transaction = SmtpTransaction.create()
                .mailFrom("a@example.com").rcptTo("b@example.net").message(MESSAGE);

            assertThatThrownBy(() -> transaction.send(sink.host(), sink.port())).isInstanceOf(EOFException.class);

            sink.clearRules();
            assertThat(transaction.send(sink.host(), sink.port()).accepted()).isTrue();
            assertThat(sink.awaitMessages(1, WAIT)).hasSize(1);
            assertThat(sink.connectionCount()).isEqualTo(2);
        }
    }

    @Test
    void negativeGreetingStopsTheTransaction() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            sink.reply(SmtpStage.CONNECT, "554 5.3.2 No service");

            SmtpTranscript t = SmtpTransaction.create().mailFrom("a@example.com").rcptTo("b@example.net")
                .message(MESSAGE).send(sink.host(), sink.port());

            assertThat(t.greeting().code()).isEqualTo(554);
            assertThat(t.ehlo()).isEmpty();
            assertThat(t.quit()).map(SmtpReply::code).contains(221);
        }
    }

    @Test
    void abruptClientDisconnectsDoNotBreakTheSink() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(true).start()) {
            try (Socket s = new Socket(sink.host(), sink.port())) {
                s.getOutputStream().write("EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\npartial"
                    .getBytes(StandardCharsets.US_ASCII));
            }
            try (SmtpTestClient client = SmtpTestClient.connect(sink.host(), sink.port())) {
                client.ehlo("x");
                client.writeLine("STARTTLS");
                assertThat(client.readReply().code()).isEqualTo(220);
            }

            SmtpTranscript t = SmtpTransaction.create().mailFrom("a@example.com").rcptTo("b@example.net")
                .message(MESSAGE).send(sink.host(), sink.port());

            assertThat(t.accepted()).isTrue();
            assertThat(sink.awaitConnections(3, WAIT)).hasSize(3);
            assertThat(sink.messages()).hasSize(1);
        }
    }

    @Test
    void multiLineEhloIsParsedIntoCapabilities() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().hostname("mx.sink.example").startTls(true)
                 .pipelining(true).maxMessageSize(1000).extraCapabilities("SMTPUTF8", "DSN").start();
             SmtpTestClient client = SmtpTestClient.connect(sink.host(), sink.port())) {
            assertThat(client.capabilities()).isEmpty();

            SmtpReply ehlo = client.ehlo("client.example");

            assertThat(ehlo.lines()).hasSize(8);
            assertThat(ehlo.lines().get(0)).isEqualTo("mx.sink.example greets client.example");
            assertThat(client.capabilities()).containsExactly("8BITMIME", "PIPELINING", "SIZE 1000",
                "ENHANCEDSTATUSCODES", "STARTTLS", "SMTPUTF8", "DSN");
            assertThat(client.supports("starttls")).isTrue();
            assertThat(client.supports("AUTH")).isFalse();
            assertThat(client.capability("SIZE")).contains("1000");
            assertThat(client.capability("8BITMIME")).contains("");
            assertThat(client.greeting().text()).startsWith("mx.sink.example ESMTP");
        }
    }

    @Test
    void sinkAnswersBasicCommandsAndSequenceErrors() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().maxMessageSize(100).start();
             SmtpTestClient client = SmtpTestClient.connect(sink.host(), sink.port())) {
            assertThat(client.mailFrom("a@example.com").code()).isEqualTo(503);
            assertThat(client.helo("client.example").code()).isEqualTo(250);
            assertThat(client.noop().code()).isEqualTo(250);
            assertThat(client.raw("FOO bar").code()).isEqualTo(500);
            assertThat(client.raw("STARTTLS").code()).isEqualTo(502);
            assertThat(client.raw("AUTH PLAIN AGEAYg==").code()).isEqualTo(502);
            assertThat(client.rcptTo("b@example.net").code()).isEqualTo(503);
            assertThat(client.raw("MAIL FROM:missing-brackets").code()).isEqualTo(501);
            assertThat(client.mailFrom("a@example.com", "SIZE=101").code()).isEqualTo(552);
            assertThat(client.mailFrom("a@example.com").code()).isEqualTo(250);
            assertThat(client.mailFrom("a@example.com").code()).isEqualTo(503);
            assertThat(client.data().code()).isEqualTo(554);
            assertThat(client.rset().code()).isEqualTo(250);
            assertThat(client.rcptTo("b@example.net").code()).isEqualTo(503);

            client.mailFrom("a@example.com");
            client.rcptTo("b@example.net");
            client.data();
            assertThat(client.message("Subject: big\r\n\r\n" + "x".repeat(200)).code()).isEqualTo(552);
            assertThat(sink.messages()).isEmpty();
            assertThat(client.quit().code()).isEqualTo(221);
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().pipelining(true).start();
             SmtpTestClient client = SmtpTestClient.connect(sink.host(), sink.port())) {
            client.ehlo("client.example");
            client.writeRaw("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n"
                .getBytes(StandardCharsets.US_ASCII));

            assertThat(List.of(client.readReply().code(), client.readReply().code(), client.readReply().code()))
                .containsExactly(250, 250, 354);
            assertThat(client.message(MESSAGE).code()).isEqualTo(250);
            assertThat(sink.awaitMessage(WAIT).recipients()).containsExactly("b@example.net");
        }
    }

    @Test
    void authPlainAndLoginAreEncodedCorrectlyAndAccepted() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().auth("user", "pass").start()) {
            try (SmtpTestClient client = SmtpTestClient.connect(sink.host(), sink.port())) {
                client.ehlo("client.example");
                assertThat(client.capability("AUTH")).contains("PLAIN LOGIN");
                assertThat(client.authPlain("user", "wrong").code()).isEqualTo(535);
                SmtpReply ok = client.authPlain("user", "pass");
                assertThat(ok.code()).isEqualTo(235);
                assertThat(ok.enhancedStatus()).contains("2.7.0");
            }
            try (SmtpTestClient client = SmtpTestClient.connect(sink.host(), sink.port())) {
                client.ehlo("client.example");
                assertThat(client.authLogin("user", "pass").code()).isEqualTo(235);
            }

            List<SinkConnection> connections = sink.awaitConnections(2, WAIT);
            assertThat(connections.get(0).commands())
                .contains("AUTH PLAIN AHVzZXIAd3Jvbmc=", "AUTH PLAIN AHVzZXIAcGFzcw==");
            assertThat(connections.get(1).commands()).containsSequence("AUTH LOGIN", "dXNlcg==", "cGFzcw==");
            assertThat(connections.get(1).authenticatedUser()).contains("user");
        }
    }

    @Test
    void authenticatedTransactionRecordsTheUser() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().auth("user", "pass").start()) {
            SmtpTranscript t = SmtpTransaction.create().authLogin("user", "pass")
                .mailFrom("a@example.com").rcptTo("b@example.net").message(MESSAGE)
                .send(sink.host(), sink.port());
            SmtpTranscript failed = SmtpTransaction.create().authPlain("user", "bad")
                .mailFrom("a@example.com").rcptTo("b@example.net").message(MESSAGE)
                .send(sink.host(), sink.port());

            assertThat(t.auth()).map(SmtpReply::code).contains(235);
            assertThat(sink.awaitMessage(WAIT).authenticatedUser()).contains("user");
            assertThat(failed.auth()).map(SmtpReply::code).contains(535);
            assertThat(failed.mailFrom()).isEmpty();
        }
    }

    @Test
    void sinkBindsToOtherLoopbackAddressesAndRecordsBothEnds() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().bindAddress("127.0.0.2").start()) {
            SmtpTranscript t = SmtpTransaction.create().mailFrom("a@example.com").rcptTo("b@example.net")
                .message(MESSAGE).send(SmtpTestClient.builder("127.0.0.2", sink.port()).localAddress("127.0.0.3"));

            assertThat(t.accepted()).isTrue();
            assertThat(sink.host()).isEqualTo("127.0.0.2");
            ReceivedMessage m = sink.awaitMessage(WAIT);
            assertThat(m.serverAddress()).isEqualTo(new InetSocketAddress("127.0.0.2", sink.port()));
            assertThat(m.clientAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.3");
        }
    }

    @Test
    void requireTlsRejectsMailBeforeStartTls() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().startTls(true).requireTls(true).start()) {
            SmtpTranscript plain = SmtpTransaction.create().mailFrom("a@example.com").rcptTo("b@example.net")
                .message(MESSAGE).send(sink.host(), sink.port());
            SmtpTranscript tls = SmtpTransaction.create().startTls().mailFrom("a@example.com")
                .rcptTo("b@example.net").message(MESSAGE).send(sink.host(), sink.port());

            assertThat(plain.mailFrom()).map(SmtpReply::code).contains(530);
            assertThat(tls.accepted()).isTrue();
        }
    }

    @Test
    void startTlsNotOfferedStopsTheTransactionWithTheReply() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            SmtpTranscript t = SmtpTransaction.create().startTls().mailFrom("a@example.com")
                .rcptTo("b@example.net").message(MESSAGE).send(sink.host(), sink.port());

            assertThat(t.starttls()).map(SmtpReply::code).contains(502);
            assertThat(t.mailFrom()).isEmpty();
            assertThat(t.tlsProtocol()).isEmpty();
            assertThat(t.toString()).contains("STARTTLS -> 502");
        }
    }

    @Test
    void awaitingMissingMessagesFailsWithADescriptiveAssertion() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            assertThatThrownBy(() -> sink.awaitMessages(1, Duration.ofMillis(100)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected at least 1 messages")
                .hasMessageContaining("TLS handshake failures=0");
        }
    }

    @Test
    void clearForgetsMessagesAndCounters() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            SmtpTransaction.create().mailFrom("a@example.com").rcptTo("b@example.net").message(MESSAGE)
                .send(sink.host(), sink.port());
            sink.awaitMessage(WAIT);

            sink.clear();

            assertThat(sink.messages()).isEmpty();
            assertThat(sink.connectionCount()).isZero();
            assertThat(sink.tlsHandshakeFailures()).isZero();
        }
    }

    @Test
    void clientTimesOutWhenTheServerDoesNotAnswer() throws Exception {
        try (RecordingSmtpSink sink = RecordingSmtpSink.start()) {
            sink.addRule(cmd -> cmd.stage() == SmtpStage.NOOP
                ? SinkAction.reply("250 late").delayedBy(Duration.ofSeconds(3)) : null);
            try (SmtpTestClient client = SmtpTestClient.builder(sink.host(), sink.port())
                     .timeout(Duration.ofMillis(300)).connect()) {
                assertThatThrownBy(client::noop).isInstanceOf(java.net.SocketTimeoutException.class);
            }
        }
    }
}
