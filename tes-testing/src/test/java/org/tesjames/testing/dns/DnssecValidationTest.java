package org.tesjames.testing.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tesjames.testing.dns.DnsQueries.answers;
import static org.tesjames.testing.dns.DnsQueries.name;
import static org.tesjames.testing.dns.DnsQueries.rdata;
import static org.tesjames.testing.dns.DnsQueries.send;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/** The server's DNSSEC data, checked by dnsjava's validating resolver with only the test root anchor. */
class DnssecValidationTest {

    private TestDnsServer dns;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    private Message validate(String name, int type) throws IOException {
        return send(dns.newValidatingResolver(), name, type);
    }

    private static boolean ad(Message message) {
        return message.getHeader().getFlag(Flags.AD);
    }

    @Nested
    class TrustAnchor {

        @Test
        void isTheRootKeysDsInMasterFileForm() throws IOException {
            List<Record> records = new ArrayList<>();
            try (Master master = new Master(new ByteArrayInputStream(dns.trustAnchorText().getBytes(StandardCharsets.US_ASCII)))) {
                Record record;
                while ((record = master.nextRecord()) != null) {
                    records.add(record);
                }
            }

            assertThat(records).containsExactly(dns.trustAnchor());
            DSRecord ds = dns.trustAnchor();
            assertThat(ds.getName()).isEqualTo(Name.root);
            assertThat(ds.getAlgorithm()).isEqualTo(DNSSEC.Algorithm.ECDSAP256SHA256);
            assertThat(ds.getDigestID()).isEqualTo(DNSSEC.Digest.SHA256);
            assertThat(ds).isEqualTo(new DSRecord(Name.root, ds.getDClass(), ds.getTTL(), DNSSEC.Digest.SHA256,
                    dns.rootZone().dnskey()));
        }

        @Test
        void differsFromOneServerToAnother() {
            try (TestDnsServer other = TestDnsServer.start()) {
                assertThat(other.trustAnchor()).isNotEqualTo(dns.trustAnchor());
            }
        }

        @Test
        void validatesTheRootZoneItself() throws IOException {
            Message answer = validate(".", Type.DNSKEY);

            assertThat(ad(answer)).isTrue();
            assertThat(answers(answer, Type.DNSKEY)).containsExactly(dns.rootZone().dnskey());
        }
    }

    @Nested
    class SecureAnswers {

        @Test
        void answersARecordsWithAdWhenSigned() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");

            Message answer = validate("www.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(ad(answer)).isTrue();
            assertThat(rdata(answers(answer, Type.A))).containsExactly("192.0.2.1");
        }

        @Test
        void answersTlsaRecordsWithAdWhenSigned() throws IOException {
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, "aa".repeat(32));

            Message answer = validate("_25._tcp.mx.example.com", Type.TLSA);

            assertThat(ad(answer)).isTrue();
            assertThat(answers(answer, Type.TLSA)).hasSize(1);
            assertThat(((TLSARecord) answers(answer, Type.TLSA).get(0)).getCertificateUsage()).isEqualTo(3);
        }

        @Test
        void answersTxtAndMxWithAdWhenSigned() throws IOException {
            dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=reject").mx("@", 10, "mx");

            assertThat(ad(validate("_dmarc.example.com", Type.TXT))).isTrue();
            assertThat(ad(validate("example.com", Type.MX))).isTrue();
        }

        @Test
        void provesNxdomainInASignedZone() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1").a("zzz", "192.0.2.2");

            Message answer = validate("missing.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(ad(answer)).isTrue();
        }

        @Test
        void provesNxdomainBelowAnExistingName() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");

            Message answer = validate("deep.below.www.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(ad(answer)).isTrue();
        }

        @Test
        void provesNodataInASignedZone() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");

            Message answer = validate("www.example.com", Type.TLSA);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(answer)).isEmpty();
            assertThat(ad(answer)).isTrue();
        }

        @Test
        void provesNodataAtAnEmptyNonTerminal() throws IOException {
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, "aa".repeat(32));

            Message answer = validate("_tcp.mx.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(ad(answer)).isTrue();
        }

        @Test
        void validatesCnameChainsAcrossSignedZones() throws IOException {
            dns.zone("example.com").cname("www", "host.example.net");
            dns.zone("example.net").a("host", "192.0.2.80");

            Message answer = validate("www.example.com", Type.A);

            assertThat(ad(answer)).isTrue();
            assertThat(rdata(answers(answer, Type.A))).containsExactly("192.0.2.80");
        }

        @Test
        void validatesADeeperChainOfDelegations() throws IOException {
            dns.zone("com");
            dns.zone("example.com");
            dns.zone("mail.example.com").a("mx", "192.0.2.25");

            Message answer = validate("mx.mail.example.com", Type.A);

            assertThat(ad(answer)).isTrue();
            assertThat(rdata(answers(answer, Type.A))).containsExactly("192.0.2.25");
        }

        @Test
        void provesNamesOutsideEveryZoneNonexistentWhenAnsweredNxdomain() throws IOException {
            try (TestDnsServer nx = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start()) {
                nx.zone("example.com");

                Message answer = send(nx.newValidatingResolver(), "www.example.org", Type.A);

                assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
                assertThat(ad(answer)).isTrue();
            }
        }
    }

    @Nested
    class InsecureAnswers {

        @Test
        void answersAnUnsignedChildWithoutAd() throws IOException {
            dns.zone("insecure.example").unsigned().a("www", "192.0.2.1");

            Message answer = validate("www.insecure.example", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(ad(answer)).isFalse();
            assertThat(rdata(answers(answer, Type.A))).containsExactly("192.0.2.1");
        }

        @Test
        void answersNxdomainInAnUnsignedChildWithoutAd() throws IOException {
            dns.zone("insecure.example").unsigned();

            Message answer = validate("nope.insecure.example", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(ad(answer)).isFalse();
        }

        @Test
        void treatsASignedZoneWithoutDsInItsParentAsInsecure() throws IOException {
            dns.zone("island.example").missingDs().a("www", "192.0.2.1");

            Message answer = validate("www.island.example", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(ad(answer)).isFalse();
            assertThat(answers(answer, Type.A)).hasSize(1);
        }

        @Test
        void answersASignedCnameToAnUnsignedZoneWithoutAd() throws IOException {
            dns.zone("example.com").cname("www", "host.insecure.example");
            dns.zone("insecure.example").unsigned().a("host", "192.0.2.1");

            Message answer = validate("www.example.com", Type.A);

            assertThat(ad(answer)).isFalse();
            assertThat(answers(answer, Type.A)).hasSize(1);
        }
    }

    @Nested
    class BogusAnswers {

        @Test
        void turnsBadSignaturesIntoServfailWithAnExtendedError() throws IOException {
            dns.zone("bogus.example").badSignature().a("www", "192.0.2.1");

            Message answer = validate("www.bogus.example", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(answers(answer)).isEmpty();
            OPTRecord opt = answer.getOPT();
            assertThat(opt).isNotNull();
            assertThat(opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)).hasSize(1);
            assertThat(((ExtendedErrorCodeOption) opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR).get(0)).getErrorCode())
                    .isEqualTo(ExtendedErrorCodeOption.DNSSEC_BOGUS);
        }

        @Test
        void turnsExpiredSignaturesIntoServfail() throws IOException {
            dns.zone("bogus.example").expiredSignature().a("www", "192.0.2.1");

            assertThat(validate("www.bogus.example", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }

        @Test
        void turnsMissingSignaturesIntoServfail() throws IOException {
            dns.zone("bogus.example").dnssecFault(DnssecFault.MISSING_SIGNATURE).a("www", "192.0.2.1");

            assertThat(validate("www.bogus.example", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }

        @Test
        void turnsADsMatchingNoKeyIntoServfail() throws IOException {
            dns.zone("bogus.example").wrongDs().a("www", "192.0.2.1");

            assertThat(validate("www.bogus.example", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }

        @Test
        void turnsBogusNegativeAnswersIntoServfail() throws IOException {
            dns.zone("bogus.example").badSignature().a("www", "192.0.2.1");

            assertThat(validate("missing.bogus.example", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(validate("www.bogus.example", Type.MX).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }

        @Test
        void makesOnlyTheFaultyRRsetBogus() throws IOException {
            dns.zone("example.com")
                    .a("mx", "192.0.2.25")
                    .tlsa("_25._tcp.mx", 3, 1, 1, "aa".repeat(32))
                    .badSignature("_25._tcp.mx", Type.TLSA);

            Message tlsa = validate("_25._tcp.mx.example.com", Type.TLSA);
            Message a = validate("mx.example.com", Type.A);

            assertThat(tlsa.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(ad(a)).isTrue();
        }

        @Test
        void makesOnlyTheRRsetWithExpiredSignatureBogus() throws IOException {
            dns.zone("example.com")
                    .a("mx", "192.0.2.25")
                    .tlsa("_25._tcp.mx", 3, 1, 1, "aa".repeat(32))
                    .expiredSignature("_25._tcp.mx", Type.TLSA);

            assertThat(validate("_25._tcp.mx.example.com", Type.TLSA).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(ad(validate("mx.example.com", Type.A))).isTrue();
        }

        @Test
        void validatesAgainOnceTheFaultIsCleared() throws IOException {
            TestZone zone = dns.zone("example.com").a("www", "192.0.2.1").badSignature();
            assertThat(validate("www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);

            zone.clearDnssecFaults();

            Message answer = validate("www.example.com", Type.A);
            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(ad(answer)).isTrue();
        }

        @Test
        void turnsABadlySignedDsInTheParentIntoServfail() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            dns.rootZone().badSignature("example.com", Type.DS);

            assertThat(validate("www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }

        @Test
        void throwsWhenAKeyQueryTimesOut() {
            dns.zone("example.com").a("www", "192.0.2.1");
            dns.fault("example.com", Type.DNSKEY, Fault.noAnswer());
            ValidatingResolver validating = dns.newValidatingResolver();
            validating.setTimeout(Duration.ofMillis(300));

            assertThatThrownBy(() -> send(validating, "www.example.com", Type.A)).isInstanceOf(IOException.class);
        }

        @Test
        void failsWhenTheKeyQueriesFail() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            dns.fault("example.com", Type.DNSKEY, Fault.servfail());

            assertThat(validate("www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }
    }

    @Nested
    class TrustAnchorChoice {

        @Test
        void doesNotValidateWithoutTheTestAnchor() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            ValidatingResolver noAnchor = new ValidatingResolver(dns.newResolver());

            Message answer = send(noAnchor, "www.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(ad(answer)).isFalse();
        }

        @Test
        void rejectsAnswersWithAnotherServersAnchor() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            try (TestDnsServer other = TestDnsServer.start()) {
                ValidatingResolver wrongAnchor = new ValidatingResolver(dns.newResolver());
                wrongAnchor.loadTrustAnchors(new ByteArrayInputStream(other.trustAnchorText().getBytes(StandardCharsets.US_ASCII)));

                assertThat(send(wrongAnchor, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
            }
        }

        @Test
        void usesTheZoneKeyInDnskeyAndDs() {
            TestZone zone = dns.zone("example.com");

            assertThat(zone.dnskey().getAlgorithm()).isEqualTo(DNSSEC.Algorithm.ECDSAP256SHA256);
            assertThat(zone.ds().getFootprint()).isEqualTo(zone.dnskey().getFootprint());
            assertThat(zone.ds().getName()).isEqualTo(name("example.com"));
        }
    }
}
