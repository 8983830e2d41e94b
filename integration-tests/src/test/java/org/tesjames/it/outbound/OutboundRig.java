package org.tesjames.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.mail.internet.MimeMessage;

import org.tesjames.it.harness.JamesConf;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SinkConnection;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

/**
 * The outbound test rig: the shipped relay flow with short retry and reschedule delays, recording sinks on
 * distinct loopback addresses playing the MX hosts (all on one port), destinations declared in the test DNS
 * server (signed by default) and mail submitted by authenticated local users, whose DSNs land in their mailboxes.
 */
final class OutboundRig {
    static final String PASSWORD = "secret-Pa55";
    static final int MX_PORT = OutboundPorts.free();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final AtomicInteger ADDRESS = new AtomicInteger(10);

    private OutboundRig() {
    }

    /**
     * The shipped configuration, delivering to {@link #MX_PORT}, one retry after 1 s, reschedules after 2 s for at
     * most 20 s.
     */
    static Consumer<JamesConf> overlay() {
        return conf -> conf.outboundPort(MX_PORT)
            .replace("mailetcontainer.xml", "<delayTime>5 minutes, 30 minutes, 2 hours, 6 hours, 12 hours</delayTime>",
                "<delayTime>1 second</delayTime>")
            .replace("mailetcontainer.xml", "<maxRetries>5</maxRetries>", "<maxRetries>1</maxRetries>")
            .replace("mailetcontainer.xml", "<delays>1h</delays>", "<delays>2s</delays>")
            .replace("mailetcontainer.xml", "<checkInterval>30s</checkInterval>", "<checkInterval>1s</checkInterval>")
            .replace("mailetcontainer.xml", "<maxAge>5d</maxAge>", "<maxAge>20s</maxAge>")
            .modify("tes.properties", text -> text + "\nlookup.timeout=3s\n");
    }

    /** A fresh loopback address for one MX host. */
    static String nextAddress() {
        int n = ADDRESS.incrementAndGet();
        return "127.0.1." + n;
    }

    static int next() {
        return SEQUENCE.incrementAndGet();
    }

    /** A new local user allowed to relay. */
    static String newSender(TesJamesServer james) throws Exception {
        String user = "sender" + next() + "@tes.test";
        james.addUser(user, PASSWORD);
        return user;
    }

    /** Makes {@code domain} a TES member. */
    static void member(TestDnsServer dns, String domain) {
        new TesMembershipZones(dns).member(domain, "master-" + domain.replace('.', '-') + ".test");
    }

    /** A signed destination with one MX host, {@code mx.<domain>}, at {@code address}. */
    static String mx(TestDnsServer dns, String domain, String address) {
        dns.zone(domain).mx("@", 10, "mx." + domain + ".").a("mx", address);
        return "mx." + domain;
    }

    static TestCertificate certificate(String host) {
        return TestCertificates.selfSigned(host);
    }

    static RecordingSmtpSink starttlsSink(String address, TestCertificate certificate) throws IOException {
        return RecordingSmtpSink.builder().bindAddress(address).port(MX_PORT).startTls(certificate).start();
    }

    static RecordingSmtpSink plaintextSink(String address) throws IOException {
        return RecordingSmtpSink.builder().bindAddress(address).port(MX_PORT).startTls(false).start();
    }

    /** Submits one message through the submission listener (STARTTLS, AUTH). */
    static void submit(TesJamesServer james, String sender, String subject, String... recipients) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort()).trustAll()
                .connect()) {
            client.ehlo("client.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("client.example");
            assertThat(client.authPlain(sender, PASSWORD).code()).isEqualTo(235);
            assertThat(client.mailFrom(sender).code()).isEqualTo(250);
            for (String recipient : recipients) {
                assertThat(client.rcptTo(recipient).code()).as("RCPT " + recipient).isEqualTo(250);
            }
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message("From: " + sender + "\r\nTo: " + String.join(", ", recipients)
                + "\r\nSubject: " + subject + "\r\n\r\nhello\r\n").code()).isEqualTo(250);
        }
    }

    /** The connection a received message came in on. */
    static SinkConnection connectionOf(RecordingSmtpSink sink, ReceivedMessage message) {
        return sink.connections().stream().filter(c -> c.id() == message.connectionId()).findFirst().orElseThrow();
    }

    /** The DSN the sender got, as text. */
    static String awaitDsn(TesJamesServer james, String sender, Duration timeout) throws Exception {
        List<MimeMessage> inbox = james.awaitInbox(sender, 1, timeout);
        return new String(inbox.get(0).getInputStream().readAllBytes());
    }
}
