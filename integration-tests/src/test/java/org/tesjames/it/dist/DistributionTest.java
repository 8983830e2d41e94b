package org.tesjames.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.ImapInbox;
import org.tesjames.it.harness.Inbound;
import org.tesjames.it.harness.JamesProcess;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.Submission;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SinkConnection;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

/**
 * "Drop the jar into James" works: the packaged distribution runs as its own JVM, with the TES classes only in
 * {@code extensions-jars/}, accepts a message over STARTTLS, runs the TES hook on it, delivers it to a mailbox
 * read back over IMAP, and stops cleanly.
 */
class DistributionTest {
    private static final String USER = "alice@tes.test";
    private static final String PASSWORD = "secret-Pa55";

    @Test
    void theTesClassesAreOnlyInExtensionsJars() throws IOException {
        Path dist = JamesProcess.distribution();
        try (Stream<Path> lib = Files.list(dist.resolve("lib"))) {
            assertThat(lib.map(path -> path.getFileName().toString()))
                .isNotEmpty()
                .noneMatch(name -> name.startsWith("tes-"));
        }
        assertThat(dist.resolve("extensions-jars/tes-james-extension.jar")).isRegularFile();
        assertThat(dist.resolve("conf/extensions.properties"))
            .content().contains("guice.extension.module=org.tesjames.mailets.TesModule");
    }

    @Test
    void deliversOverStarttlsWithTheExtensionLoadedFromExtensionsJars() throws Exception {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             JamesProcess james = JamesProcess.start(dns, conf -> conf.replace("mailetcontainer.xml",
                 "<mailet match=\"All\" class=\"AddDeliveredToHeader\"/>",
                 "<mailet match=\"All\" class=\"MailAttributesToMimeHeaders\">"
                     + "<simplemapping>tes.smtp.tls;X-Test-Tls, tes.smtp.tls.protocol;X-Test-Tls-Protocol"
                     + "</simplemapping></mailet>\n"
                     + "<mailet match=\"All\" class=\"AddDeliveredToHeader\"/>"))) {
            assertThat(james.log()).contains("Loading custom classpath resource")
                .contains("tes-james-extension.jar")
                .contains("Enabling injects contained in org.tesjames.mailets.TesModule");
            james.addUser(USER, PASSWORD);

            assertThat(Inbound.sendOverStartTls(james.inboundPort(), "bob@remote.example", USER,
                "From: bob@remote.example\r\nTo: " + USER + "\r\nSubject: packaged\r\n\r\nhello from outside\r\n")
                .code()).isEqualTo(250);

            MimeMessage message = Awaitility.await("delivery to " + USER).atMost(Duration.ofSeconds(60))
                .until(() -> ImapInbox.read(james.imapPort(), USER, PASSWORD), list -> !list.isEmpty()).get(0);
            assertThat(message.getSubject()).isEqualTo("packaged");
            assertThat(message.getHeader("X-Test-Tls")).containsExactly("starttls");
            assertThat(message.getHeader("X-Test-Tls-Protocol")).containsExactly("TLSv1.3");
            assertThat(james.log()).contains("TES settings: DNS resolvers 127.0.0.1:" + dns.port());

            assertThat(james.stop()).isEqualTo(143);
            assertThat(james.log()).contains("JAMES server stopped");
        }
    }

    /**
     * The outbound DANE policy runs from {@code extensions-jars/}: JavaMail loads both socket factories by class
     * name on James's delivery threads (through the context class loader that {@code TesRemoteDelivery} sets).
     * The sink's certificate is self-signed, so only the DANE trust manager can accept it; a second destination
     * whose TLSA record does not match is refused with the reason.
     */
    @Test
    void deliversOverDaneWithTheSocketFactoriesLoadedFromExtensionsJars() throws Exception {
        int port = OutboundPorts.free();
        TestCertificate good = TestCertificates.selfSigned("mx.good.test");
        TestCertificate other = TestCertificates.selfSigned("unrelated.test");
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             RecordingSmtpSink goodMx = RecordingSmtpSink.builder().bindAddress("127.0.0.31").port(port)
                 .hostname("mx.good.test").startTls(good).start();
             RecordingSmtpSink badMx = RecordingSmtpSink.builder().bindAddress("127.0.0.32").port(port)
                 .hostname("mx.bad.test").startTls(good).start()) {
            dns.zone("good.test").mx("@", 10, "mx.good.test.").a("mx", "127.0.0.31")
                .tlsa("_25._tcp.mx", 3, 1, 1, good.certificate());
            dns.zone("bad.test").mx("@", 10, "mx.bad.test.").a("mx", "127.0.0.32")
                .tlsa("_25._tcp.mx", 3, 1, 1, other.certificate());
            try (JamesProcess james = JamesProcess.start(dns, conf -> conf.outboundPort(port))) {
                james.addUser(USER, PASSWORD);
                submit(james, "alice-to-good", "bob@good.test");
                submit(james, "alice-to-bad", "carol@bad.test");

                ReceivedMessage received;
                try {
                    received = goodMx.awaitMessage(Duration.ofSeconds(60));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nJames log (TES lines):\n" + tesLines(james), e);
                }
                assertThat(received.recipients()).containsExactly("bob@good.test");
                assertThat(received.tls()).isTrue();
                SinkConnection connection = goodMx.connections().stream()
                    .filter(c -> c.id() == received.connectionId()).findFirst().orElseThrow();
                assertThat(connection.tlsProtocol()).hasValueSatisfying(
                    protocol -> assertThat(protocol).isIn("TLSv1.2", "TLSv1.3"));
                assertThat(connection.sniHostName()).contains("mx.good.test");

                assertThat(badMx.awaitTlsHandshakeFailures(1, Duration.ofSeconds(60))).isPositive();
                Awaitility.await("the refusal logged").atMost(Duration.ofSeconds(30))
                    .until(() -> james.log().contains("certificate does not match TLSA"));
                assertThat(badMx.messages()).isEmpty();
                assertThat(james.log())
                    .contains("TES outbound dane-opportunistic domain good.test host mx.good.test: DANE_TLS")
                    .contains("TES DANE: DANE TLS with host mx.good.test")
                    .contains("TES DANE: DANE TLS with host mx.bad.test port " + port
                        + " failed: certificate does not match TLSA")
                    .doesNotContain("ClassNotFoundException");
            }
        }
    }

    /**
     * Why {@code TesRemoteDelivery} sets the context class loader: James's stock RemoteDelivery, given the same
     * {@code mail.smtp.ssl.socketFactory.class}, cannot load it from {@code extensions-jars/} on its delivery
     * threads: after STARTTLS it never starts a TLS handshake (the sink sees the client go away) and nothing is
     * delivered.
     */
    @Test
    void stockRemoteDeliveryCannotLoadTheFactoryFromExtensionsJars() throws Exception {
        int port = OutboundPorts.free();
        TestCertificate certificate = TestCertificates.selfSigned("mx.stock.test");
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             RecordingSmtpSink sink = RecordingSmtpSink.builder().bindAddress("127.0.0.33").port(port)
                 .startTls(certificate).start()) {
            try (JamesProcess james = JamesProcess.start(dns, conf -> conf.modify("mailetcontainer.xml", text -> {
                int start = text.indexOf("<processor state=\"relay\"");
                String close = "\n        </processor>";
                int end = text.indexOf(close, start) + close.length();
                return text.substring(0, start) + """
                    <processor state="relay" enableJmx="true">
                                <mailet match="All" class="RemoteDelivery">
                                    <outgoing>outgoing-stock</outgoing>
                                    <gateway>127.0.0.33</gateway>
                                    <gatewayPort>%d</gatewayPort>
                                    <maxRetries>0</maxRetries>
                                    <startTLS>true</startTLS>
                                    <mail.smtp.starttls.required>true</mail.smtp.starttls.required>
                                    <mail.smtp.ssl.socketFactory.class>org.tesjames.core.dane.tls.DaneSocketFactory</mail.smtp.ssl.socketFactory.class>
                                    <bounceProcessor>bounces</bounceProcessor>
                                </mailet>
                            </processor>""".formatted(port) + text.substring(end);
            }))) {
                james.addUser(USER, PASSWORD);
                submit(james, "stock", "dave@stock.test");

                Awaitility.await("the failed attempt logged").atMost(Duration.ofSeconds(60))
                    .until(() -> james.log().contains("Could not convert socket to TLS"));
                assertThat(sink.connections()).isNotEmpty().allSatisfy(connection -> {
                    assertThat(connection.commands()).contains("STARTTLS");
                    assertThat(connection.tls()).isFalse();
                });
                assertThat(sink.messages()).isEmpty();
                assertThat(james.log()).doesNotContain("TES DANE: DANE TLS");
            }
        }
    }

    private static String tesLines(JamesProcess james) throws IOException {
        return james.log().lines().filter(line -> line.contains("TES") || line.contains("Exception")
            || line.contains("Dane") || line.contains("refus")).collect(java.util.stream.Collectors.joining("\n"));
    }

    private static void submit(JamesProcess james, String subject, String recipient) throws Exception {
        try (SmtpTestClient client = Submission.startTls(james.submissionPort())) {
            assertThat(Submission.send(client, USER, PASSWORD, recipient, "From: " + USER + "\r\nTo: " + recipient
                + "\r\nSubject: " + subject + "\r\n\r\nhello\r\n").code()).isEqualTo(250);
        }
    }
}
