package org.tesjames.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.it.outbound.OutboundRig.awaitDsn;
import static org.tesjames.it.outbound.OutboundRig.connectionOf;
import static org.tesjames.it.outbound.OutboundRig.newSender;
import static org.tesjames.it.outbound.OutboundRig.next;
import static org.tesjames.it.outbound.OutboundRig.nextAddress;
import static org.tesjames.it.outbound.OutboundRig.plaintextSink;
import static org.tesjames.it.outbound.OutboundRig.starttlsSink;
import static org.tesjames.it.outbound.OutboundRig.submit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.TestZone;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SinkConnection;
import org.tesjames.testing.sts.PolicyServer;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;
import org.xbill.DNS.Type;

/**
 * MTA-STS (RFC 8461) for recipients that are not TES members, through a real James with the shipped relay flow:
 * policy hosts are HTTPS servers on loopback whose certificates, like the MX hosts', come from a test CA that
 * {@code sts.trust-store} trusts; MX hosts are recording STARTTLS sinks; zones are unsigned (no DANE) unless a test
 * publishes TLSA records.
 */
class MtaStsDeliveryTest {
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final int POLICY_PORT = OutboundPorts.free();
    private static final TestPki CA = TestPki.create("MTA-STS Test CA");
    private static final AtomicInteger POLICY_ADDRESS = new AtomicInteger(10);

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(OutboundRig.overlay().andThen(conf -> conf.modify(
        "tes.properties", text -> text + "\nsts.trust-store=" + trustStore() + "\nsts.fetch.port=" + POLICY_PORT
            + "\nsts.fetch.timeout=5s\n")));

    private static TesJamesServer james;
    private static TestDnsServer dns;

    @BeforeAll
    static void setUp() {
        james = extension.james();
        dns = extension.dns();
    }

    private static Path trustStore() {
        try {
            Path file = Files.createTempFile("sts-ca-", ".pem");
            file.toFile().deleteOnExit();
            Files.writeString(file, CA.root().chainPem());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A destination without DANE: an unsigned zone, its TXT record and its policy host. */
    private record Destination(String domain, TestZone zone, PolicyServer policyServer) implements AutoCloseable {
        String mx(int n) {
            return "mx" + n + "." + domain;
        }

        Destination policy(String id, String mode, String... mx) {
            StringBuilder text = new StringBuilder("version: STSv1\r\nmode: " + mode + "\r\n");
            for (String host : mx) {
                text.append("mx: ").append(host).append("\r\n");
            }
            policyServer.policy(text.append("max_age: 86400\r\n").toString());
            zone.replace("_mta-sts", Type.TXT, "\"v=STSv1; id=" + id + ";\"");
            return this;
        }

        @Override
        public void close() {
            policyServer.close();
        }
    }

    private static Destination destination() throws IOException {
        String domain = "sts" + next() + ".test";
        String policyAddress = "127.0.2." + POLICY_ADDRESS.incrementAndGet();
        TestZone zone = dns.zone(domain).unsigned().ttl(1).a("mta-sts", policyAddress);
        return new Destination(domain, zone, PolicyServer.start(policyAddress, POLICY_PORT,
            CA.issue("mta-sts." + domain)));
    }

    /** MX host {@code mx<n>.<domain>} with preference {@code 10 * n} at a fresh loopback address. */
    private static String mx(Destination destination, int n) {
        String address = nextAddress();
        destination.zone().mx("@", 10 * n, destination.mx(n) + ".").a("mx" + n, address);
        return address;
    }

    /** Submits a message to the destination and returns its DSN; the MX host never saw a mail command. */
    private static String bounced(Destination destination, RecordingSmtpSink sink, String subject) throws Exception {
        String sender = newSender(james);
        submit(james, sender, subject, "dave@" + destination.domain());
        String dsn = awaitDsn(james, sender, DELIVERY);
        assertThat(dsn).contains("dave@" + destination.domain());
        assertThat(sink.messages()).isEmpty();
        assertThat(sink.connections()).allSatisfy(c -> assertThat(c.commands()).noneMatch(
            command -> command.startsWith("MAIL") || command.startsWith("RCPT")));
        return dsn;
    }

    @Test
    void enforceWithATrustedCertificateForTheMxNameDeliversOverTls12OrNewer() throws Exception {
        try (Destination destination = destination()) {
            String address = mx(destination, 1);
            destination.policy("1", "enforce", destination.mx(1));
            try (RecordingSmtpSink sink = starttlsSink(address, CA.issue(destination.mx(1)))) {
                submit(james, newSender(james), "sts enforce ok", "dave@" + destination.domain());

                ReceivedMessage received = sink.awaitMessage(DELIVERY);
                assertThat(received.recipients()).containsExactly("dave@" + destination.domain());
                SinkConnection connection = connectionOf(sink, received);
                assertThat(connection.tlsProtocol()).hasValueSatisfying(
                    protocol -> assertThat(protocol).isIn("TLSv1.2", "TLSv1.3"));
                assertThat(connection.sniHostName()).contains(destination.mx(1));
                assertThat(destination.policyServer().requests()).isOne();
            }
        }
    }

    @Test
    void enforceWithACertificateForAnotherNameIsNotDelivered() throws Exception {
        assertEnforceRefuses(mx -> CA.issue("someone-else.test"), "certificate-host-mismatch");
    }

    @Test
    void enforceWithACertificateFromAnUntrustedCaIsNotDelivered() throws Exception {
        assertEnforceRefuses(TestCertificates::selfSigned, "certificate-not-trusted");
    }

    @Test
    void enforceWithAnExpiredCertificateIsNotDelivered() throws Exception {
        assertEnforceRefuses(mx -> CA.leaf(mx).expired().build(), "certificate-expired");
    }

    /** A temporary failure per attempt (one retry), then the DSN with the reason; MAIL never sent. */
    private void assertEnforceRefuses(Function<String, TestCertificate> certificateOfMx, String reason)
        throws Exception {
        try (Destination destination = destination()) {
            String address = mx(destination, 1);
            destination.policy("1", "enforce", destination.mx(1));
            try (RecordingSmtpSink sink = starttlsSink(address, certificateOfMx.apply(destination.mx(1)))) {
                assertThat(bounced(destination, sink, "sts enforce " + reason)).contains("MTA-STS: " + reason);
                assertThat(sink.tlsHandshakeFailures()).as("first attempt and one retry").isEqualTo(2);
            }
        }
    }

    @Test
    void anMxHostNotListedInThePolicyIsNeverContacted() throws Exception {
        try (Destination destination = destination()) {
            String unlisted = mx(destination, 1);
            String listed = mx(destination, 2);
            destination.policy("1", "enforce", destination.mx(2));
            try (RecordingSmtpSink first = starttlsSink(unlisted, CA.issue(destination.mx(1)));
                 RecordingSmtpSink second = starttlsSink(listed, CA.issue(destination.mx(2)))) {
                submit(james, newSender(james), "sts unlisted", "dave@" + destination.domain());

                assertThat(second.awaitMessage(DELIVERY).tls()).isTrue();
                assertThat(first.connectionCount()).isZero();
            }
        }
    }

    @Test
    void aStrippedStarttlsIsNeverDowngradedToPlaintext() throws Exception {
        try (Destination destination = destination()) {
            String address = mx(destination, 1);
            destination.policy("1", "enforce", destination.mx(1));
            try (RecordingSmtpSink sink = plaintextSink(address)) {
                assertThat(bounced(destination, sink, "sts stripped")).contains("STARTTLS not offered by "
                    + destination.mx(1));
                assertThat(sink.connectionCount()).isPositive();
            }
        }
    }

    @Test
    void testingModeDeliversAsBeforeDespiteACertificateThatWouldFail() throws Exception {
        try (Destination destination = destination()) {
            String address = mx(destination, 1);
            destination.policy("1", "testing", "elsewhere." + destination.domain());
            try (RecordingSmtpSink sink = starttlsSink(address, TestCertificates.selfSigned("wrong.test"))) {
                submit(james, newSender(james), "sts testing", "dave@" + destination.domain());

                assertThat(sink.awaitMessage(DELIVERY).tls()).isTrue();
                assertThat(destination.policyServer().requests()).isOne();
            }
        }
    }

    @Test
    void aCachedPolicyIsStillEnforcedWhileThePolicyHostIsDown() throws Exception {
        try (Destination destination = destination()) {
            String address = mx(destination, 1);
            destination.policy("1", "enforce", destination.mx(1));
            try (RecordingSmtpSink sink = starttlsSink(address, CA.issue(destination.mx(1)))) {
                submit(james, newSender(james), "sts cache first", "dave@" + destination.domain());
                sink.awaitMessage(DELIVERY);
            }
            destination.policyServer().close();
            destination.zone().replace("_mta-sts", Type.TXT, "\"v=STSv1; id=2;\"");
            Thread.sleep(1500); // the TXT record's TTL: the new id is seen and a refetch attempted
            try (RecordingSmtpSink sink = starttlsSink(address, TestCertificates.selfSigned(destination.mx(1)))) {
                assertThat(bounced(destination, sink, "sts cache down")).contains("MTA-STS: certificate-not-trusted");
            }
        }
    }

    @Test
    void aNewIdInTheTxtRecordFetchesThePolicyAgain() throws Exception {
        try (Destination destination = destination()) {
            String firstAddress = mx(destination, 1);
            String secondAddress = mx(destination, 2);
            destination.policy("1", "enforce", destination.mx(1));
            try (RecordingSmtpSink first = starttlsSink(firstAddress, CA.issue(destination.mx(1)));
                 RecordingSmtpSink second = starttlsSink(secondAddress, CA.issue(destination.mx(2)))) {
                submit(james, newSender(james), "sts id 1", "dave@" + destination.domain());
                first.awaitMessage(DELIVERY);

                destination.policy("2", "enforce", destination.mx(2));
                Thread.sleep(1500); // the TXT record's TTL
                submit(james, newSender(james), "sts id 2", "dave@" + destination.domain());

                assertThat(second.awaitMessage(DELIVERY).recipients()).containsExactly("dave@" + destination.domain());
                assertThat(first.messages()).hasSize(1);
                assertThat(destination.policyServer().requests()).isEqualTo(2);
            }
        }
    }

    @Test
    void daneTakesPrecedenceWhereTheHostHasUsableTlsaRecords() throws Exception {
        try (Destination destination = destination()) {
            destination.zone().signed();
            String address = mx(destination, 1);
            TestCertificate selfSigned = TestCertificates.selfSigned(destination.mx(1));
            destination.zone().tlsa("_25._tcp.mx1", 3, 1, 1, selfSigned.certificate());
            destination.policy("1", "enforce", destination.mx(1));
            try (RecordingSmtpSink sink = starttlsSink(address, selfSigned)) {
                submit(james, newSender(james), "sts dane", "dave@" + destination.domain());

                ReceivedMessage received = sink.awaitMessage(DELIVERY);
                assertThat(received.tls()).as("DANE-authenticated: STS would refuse a self-signed certificate")
                    .isTrue();
            }
        }
    }

    @Test
    void aMemberDomainStaysDaneRequiredWhateverItsPolicy() throws Exception {
        try (Destination destination = destination()) {
            OutboundRig.member(dns, destination.domain());
            destination.zone().signed();
            String address = mx(destination, 1);
            destination.policy("1", "enforce", destination.mx(1));
            try (RecordingSmtpSink sink = starttlsSink(address, CA.issue(destination.mx(1)))) {
                assertThat(bounced(destination, sink, "sts member")).contains("no DANE TLSA records for "
                    + destination.mx(1));
                assertThat(sink.connectionCount()).isZero();
                assertThat(destination.policyServer().requests()).isZero();
            }
        }
    }
}
