package org.tesjames.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.it.outbound.OutboundRig.awaitDsn;
import static org.tesjames.it.outbound.OutboundRig.certificate;
import static org.tesjames.it.outbound.OutboundRig.connectionOf;
import static org.tesjames.it.outbound.OutboundRig.member;
import static org.tesjames.it.outbound.OutboundRig.mx;
import static org.tesjames.it.outbound.OutboundRig.newSender;
import static org.tesjames.it.outbound.OutboundRig.next;
import static org.tesjames.it.outbound.OutboundRig.nextAddress;
import static org.tesjames.it.outbound.OutboundRig.plaintextSink;
import static org.tesjames.it.outbound.OutboundRig.starttlsSink;
import static org.tesjames.it.outbound.OutboundRig.submit;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SinkConnection;
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tls.TestCertificate;
import org.xbill.DNS.Type;

/**
 * The outbound delivery policy through a real James with the shipped relay flow: recipients split by TES
 * membership, DANE required over TLS 1.2+ for members, opportunistic DANE for the others, membership lookup
 * failures rescheduled. MX hosts are recording sinks; zones are DNSSEC-signed under the test root unless a test
 * makes them insecure.
 */
class OutboundDeliveryTest {
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(OutboundRig.overlay());

    private static TesJamesServer james;
    private static TestDnsServer dns;

    @BeforeAll
    static void setUp() {
        james = extension.james();
        dns = extension.dns();
    }

    private static String memberDomain() {
        String domain = "member" + next() + ".test";
        member(dns, domain);
        return domain;
    }

    private static String otherDomain() {
        return "other" + next() + ".test";
    }

    @Nested
    class MemberRecipient {
        @Test
        void matchingTlsaDeliversOverTls12OrNewerToTheVerifiedHost() throws Exception {
            String domain = memberDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            TestCertificate cert = certificate(host);
            dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, cert.certificate());
            try (RecordingSmtpSink sink = starttlsSink(address, cert)) {
                submit(james, newSender(james), "member ok", "bob@" + domain);

                ReceivedMessage received = sink.awaitMessage(DELIVERY);
                assertThat(received.recipients()).containsExactly("bob@" + domain);
                SinkConnection connection = connectionOf(sink, received);
                assertThat(connection.tlsProtocol()).hasValueSatisfying(
                    protocol -> assertThat(protocol).isIn("TLSv1.2", "TLSv1.3"));
                assertThat(connection.sniHostName()).contains(host);
            }
        }

        @Test
        void mismatchingTlsaIsRetriedThenBouncedWithTheReason() throws Exception {
            String domain = memberDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, certificate("someone-else.test").certificate());
            String sender = newSender(james);
            try (RecordingSmtpSink sink = starttlsSink(address, certificate(host))) {
                submit(james, sender, "member mismatch", "bob@" + domain);

                String dsn = awaitDsn(james, sender, DELIVERY);
                assertThat(dsn).contains("bob@" + domain).contains("certificate does not match TLSA");
                assertThat(sink.tlsHandshakeFailures()).as("first attempt and one retry").isEqualTo(2);
                assertThat(sink.messages()).isEmpty();
                assertThat(sink.connections()).allSatisfy(c -> assertThat(c.commands()).noneMatch(
                    command -> command.startsWith("MAIL")));
            }
        }

        @Test
        void aSignedZoneWithoutTlsaIsNeverContactedAndTheDsnSaysWhy() throws Exception {
            String domain = memberDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            String sender = newSender(james);
            try (RecordingSmtpSink sink = starttlsSink(address, certificate(host))) {
                submit(james, sender, "member no tlsa", "bob@" + domain);

                String dsn = awaitDsn(james, sender, DELIVERY);
                assertThat(dsn).contains("no DANE TLSA records for " + host);
                assertThat(sink.connectionCount()).isZero();
            }
        }

        @Test
        void anInsecureZoneIsNeverContacted() throws Exception {
            String domain = memberDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            dns.zone(domain).unsigned();
            String sender = newSender(james);
            try (RecordingSmtpSink sink = starttlsSink(address, certificate(host))) {
                submit(james, sender, "member insecure", "bob@" + domain);

                String dsn = awaitDsn(james, sender, DELIVERY);
                assertThat(dsn).contains("is not DNSSEC-secure");
                assertThat(sink.connectionCount()).isZero();
            }
        }

        @Test
        void aStrippedStarttlsIsNeverDowngradedToPlaintext() throws Exception {
            String domain = memberDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, certificate(host).certificate());
            String sender = newSender(james);
            try (RecordingSmtpSink sink = plaintextSink(address)) {
                submit(james, sender, "member stripped", "bob@" + domain);

                String dsn = awaitDsn(james, sender, DELIVERY);
                assertThat(dsn).contains("STARTTLS");
                assertThat(sink.connectionCount()).isPositive();
                assertThat(sink.messages()).isEmpty();
                assertThat(sink.connections()).allSatisfy(c -> assertThat(c.commands()).noneMatch(
                    command -> command.startsWith("MAIL") || command.startsWith("RCPT")));
            }
        }

        @Test
        void aBogusTlsaRrsetIsNeverContacted() throws Exception {
            String domain = memberDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            TestCertificate cert = certificate(host);
            dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, cert.certificate())
                .badSignature("_25._tcp.mx", Type.TLSA);
            String sender = newSender(james);
            try (RecordingSmtpSink sink = starttlsSink(address, cert)) {
                submit(james, sender, "member bogus", "bob@" + domain);

                String dsn = awaitDsn(james, sender, DELIVERY);
                assertThat(dsn).contains("indeterminate");
                assertThat(sink.connectionCount()).isZero();
            }
        }

        @Test
        void aBadFirstMxFallsBackToAGoodSecondMx() throws Exception {
            String domain = memberDomain();
            String first = nextAddress();
            String second = nextAddress();
            dns.zone(domain).mx("@", 10, "mx1." + domain + ".").a("mx1", first)
                .mx("@", 20, "mx2." + domain + ".").a("mx2", second);
            TestCertificate good = certificate("mx2." + domain);
            dns.zone(domain).tlsa("_25._tcp.mx1", 3, 1, 1, certificate("wrong.test").certificate())
                .tlsa("_25._tcp.mx2", 3, 1, 1, good.certificate());
            try (RecordingSmtpSink bad = starttlsSink(first, certificate("mx1." + domain));
                 RecordingSmtpSink sink = starttlsSink(second, good)) {
                submit(james, newSender(james), "member second mx", "bob@" + domain);

                ReceivedMessage received = sink.awaitMessage(DELIVERY);
                assertThat(received.recipients()).containsExactly("bob@" + domain);
                assertThat(bad.tlsHandshakeFailures()).isPositive();
                assertThat(bad.messages()).isEmpty();
            }
        }
    }

    @Nested
    class OtherRecipient {
        @Test
        void matchingTlsaDeliversAuthenticated() throws Exception {
            String domain = otherDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            TestCertificate cert = certificate(host);
            dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, cert.certificate());
            try (RecordingSmtpSink sink = starttlsSink(address, cert)) {
                submit(james, newSender(james), "other dane", "carol@" + domain);

                ReceivedMessage received = sink.awaitMessage(DELIVERY);
                assertThat(received.tls()).isTrue();
                assertThat(connectionOf(sink, received).sniHostName()).contains(host);
            }
        }

        @Test
        void mismatchingTlsaIsNotDelivered() throws Exception {
            String domain = otherDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, certificate("someone-else.test").certificate());
            String sender = newSender(james);
            try (RecordingSmtpSink sink = starttlsSink(address, certificate(host))) {
                submit(james, sender, "other mismatch", "carol@" + domain);

                assertThat(awaitDsn(james, sender, DELIVERY)).contains("certificate does not match TLSA");
                assertThat(sink.messages()).isEmpty();
            }
        }

        @Test
        void aStrippedStarttlsOnADaneHostIsNotDowngraded() throws Exception {
            String domain = otherDomain();
            String address = nextAddress();
            String host = mx(dns, domain, address);
            dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, certificate(host).certificate());
            String sender = newSender(james);
            try (RecordingSmtpSink sink = plaintextSink(address)) {
                submit(james, sender, "other stripped", "carol@" + domain);

                assertThat(awaitDsn(james, sender, DELIVERY)).contains("STARTTLS not offered by " + host);
                assertThat(sink.messages()).isEmpty();
                assertThat(sink.connections()).allSatisfy(c -> assertThat(c.commands()).noneMatch(
                    command -> command.startsWith("MAIL")));
            }
        }

        @Test
        void anInsecureZoneWithStarttlsIsDeliveredOverUnauthenticatedTls() throws Exception {
            String domain = otherDomain();
            String address = nextAddress();
            mx(dns, domain, address);
            dns.zone(domain).unsigned();
            try (RecordingSmtpSink sink = starttlsSink(address, certificate("not-the-mx-name.test"))) {
                submit(james, newSender(james), "other insecure tls", "carol@" + domain);

                ReceivedMessage received = sink.awaitMessage(DELIVERY);
                assertThat(received.tls()).isTrue();
            }
        }

        @Test
        void anInsecureZoneWithoutStarttlsIsDeliveredInPlaintext() throws Exception {
            String domain = otherDomain();
            String address = nextAddress();
            mx(dns, domain, address);
            dns.zone(domain).unsigned();
            try (RecordingSmtpSink sink = plaintextSink(address)) {
                submit(james, newSender(james), "other plaintext", "carol@" + domain);

                ReceivedMessage received = sink.awaitMessage(DELIVERY);
                assertThat(received.tls()).isFalse();
            }
        }
    }

    @Test
    void eachPartOfAMailToMembersAndOthersFollowsItsOwnPolicy() throws Exception {
        String memberDomain = memberDomain();
        String memberAddress = nextAddress();
        String memberHost = mx(dns, memberDomain, memberAddress);
        TestCertificate memberCert = certificate(memberHost);
        dns.zone(memberDomain).tlsa("_25._tcp.mx", 3, 1, 1, memberCert.certificate());
        String otherDomain = otherDomain();
        String otherAddress = nextAddress();
        mx(dns, otherDomain, otherAddress);
        dns.zone(otherDomain).unsigned();
        try (RecordingSmtpSink memberSink = starttlsSink(memberAddress, memberCert);
             RecordingSmtpSink otherSink = plaintextSink(otherAddress)) {
            submit(james, newSender(james), "mixed", "bob@" + memberDomain, "carol@" + otherDomain);

            ReceivedMessage toMember = memberSink.awaitMessage(DELIVERY);
            ReceivedMessage toOther = otherSink.awaitMessage(DELIVERY);
            assertThat(toMember.recipients()).containsExactly("bob@" + memberDomain);
            assertThat(toMember.tls()).isTrue();
            assertThat(toOther.recipients()).containsExactly("carol@" + otherDomain);
            assertThat(toOther.tls()).isFalse();
            Thread.sleep(2000);
            assertThat(memberSink.messages()).hasSize(1);
            assertThat(otherSink.messages()).hasSize(1);
        }
    }

    @Test
    void aMembershipLookupTimeoutIsRescheduledThenDeliveredOnceWithoutADeliveryAttempt() throws Exception {
        String domain = memberDomain();
        String address = nextAddress();
        String host = mx(dns, domain, address);
        TestCertificate cert = certificate(host);
        dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, cert.certificate());
        String tesMaster = new TesMembershipZones(dns).chain(domain, "unused.test").tesMaster();
        dns.fault(tesMaster, Type.CNAME, Fault.noAnswer());
        try (RecordingSmtpSink sink = starttlsSink(address, cert)) {
            submit(james, newSender(james), "rescheduled", "bob@" + domain);

            Awaitility.await("the membership lookup tried while DNS is down").atMost(DELIVERY)
                .until(() -> dns.queryCount(tesMaster, Type.CNAME) >= 2);
            Thread.sleep(3000);
            assertThat(sink.connectionCount()).as("no delivery attempt while the membership is unknown").isZero();

            dns.clearFault(tesMaster, Type.CNAME);
            ReceivedMessage received = sink.awaitMessage(DELIVERY);
            assertThat(received.recipients()).containsExactly("bob@" + domain);
            Thread.sleep(3000);
            assertThat(sink.messages()).as("no duplicate").hasSize(1);
            assertThat(sink.connectionCount()).as("delivered at the first delivery attempt").isEqualTo(1);
        }
    }

    @Test
    void aMembershipLookupThatNeverRecoversEndsInADsnAfterTheMaximumAge() throws Exception {
        String domain = memberDomain();
        String address = nextAddress();
        mx(dns, domain, address);
        String tesMaster = new TesMembershipZones(dns).chain(domain, "unused.test").tesMaster();
        dns.fault(tesMaster, Type.CNAME, Fault.servfail());
        String sender = newSender(james);
        try (RecordingSmtpSink sink = plaintextSink(address)) {
            submit(james, sender, "never recovers", "bob@" + domain);

            String dsn = awaitDsn(james, sender, Duration.ofSeconds(90));
            assertThat(dsn).contains("bob@" + domain).contains("TES deferral expired")
                .contains("message/delivery-status");
            assertThat(sink.connectionCount()).isZero();
        } finally {
            dns.clearFault(tesMaster, Type.CNAME);
        }
    }
}
