package org.tesjames.testing.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tesjames.testing.dns.DnsQueries.answers;
import static org.tesjames.testing.dns.DnsQueries.authority;
import static org.tesjames.testing.dns.DnsQueries.name;
import static org.tesjames.testing.dns.DnsQueries.query;
import static org.tesjames.testing.dns.DnsQueries.rdata;
import static org.tesjames.testing.dns.DnsQueries.send;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class TestDnsServerTest {

    private TestDnsServer dns;
    private SimpleResolver resolver;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        resolver = dns.newResolver();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Nested
    class Lifecycle {

        @Test
        void listensOnLoopbackWithUdpAndTcpOnTheSamePort() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            SimpleResolver tcp = dns.newResolver();
            tcp.setTCP(true);

            Message overUdp = send(resolver, "www.example.com", Type.A);
            Message overTcp = send(tcp, "www.example.com", Type.A);

            assertThat(dns.host()).isEqualTo("127.0.0.1");
            assertThat(dns.port()).isPositive();
            assertThat(rdata(answers(overUdp))).containsExactly("192.0.2.1");
            assertThat(rdata(answers(overTcp))).containsExactly("192.0.2.1");
            assertThat(dns.queryCount(Transport.UDP)).isEqualTo(1);
            assertThat(dns.queryCount(Transport.TCP)).isEqualTo(1);
        }

        @Test
        void serversGetDistinctEphemeralPortsAndStartQuickly() {
            long begin = System.nanoTime();
            try (TestDnsServer other = TestDnsServer.start()) {
                Duration startup = Duration.ofNanos(System.nanoTime() - begin);
                assertThat(other.port()).isNotEqualTo(dns.port());
                assertThat(startup).isLessThan(Duration.ofSeconds(1));
            }
        }

        @Test
        void closeStopsAnsweringAndEndsItsThreads() {
            int port = dns.port();
            SimpleResolver impatient = dns.newResolver();
            impatient.setTimeout(Duration.ofMillis(300));

            dns.close();
            dns.close();

            assertThatThrownBy(() -> send(impatient, "example.com", Type.SOA)).isInstanceOf(IOException.class);
            assertThat(Thread.getAllStackTraces().keySet())
                    .filteredOn(t -> t.getName().endsWith("-" + port) && t.getName().startsWith("test-dns-"))
                    .isEmpty();
            assertThatThrownBy(() -> dns.zone("late.example")).isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class RecordTypes {

        @Test
        void answersARecords() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1", "192.0.2.2");

            Message answer = send(resolver, "www.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(rdata(answers(answer))).containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");
        }

        @Test
        void answersAaaaRecords() throws IOException {
            dns.zone("example.com").aaaa("www", "2001:db8::1");

            assertThat(rdata(answers(send(resolver, "www.example.com", Type.AAAA)))).containsExactly("2001:db8:0:0:0:0:0:1");
        }

        @Test
        void answersMxRecordsWithRelativeAndAbsoluteExchangers() throws IOException {
            dns.zone("example.com").mx("@", 10, "mx1").mx("@", 20, "mx.example.net");

            List<Record> mx = answers(send(resolver, "example.com", Type.MX));

            assertThat(mx).extracting(r -> ((MXRecord) r).getTarget().toString())
                    .containsExactlyInAnyOrder("mx1.example.com.", "mx.example.net.");
            assertThat(mx).extracting(r -> ((MXRecord) r).getPriority()).containsExactlyInAnyOrder(10, 20);
        }

        @Test
        void answersCnameQueriesWithTheCnameOnly() throws IOException {
            dns.zone("example.com").cname("www", "web").a("web", "192.0.2.1");

            List<Record> records = answers(send(resolver, "www.example.com", Type.CNAME));

            assertThat(records).hasSize(1);
            assertThat(((CNAMERecord) records.get(0)).getTarget()).isEqualTo(name("web.example.com"));
        }

        @Test
        void answersLongTxtRecordsSplitInto255ByteStrings() throws IOException {
            String key = "v=DKIM1; k=rsa; p=" + "A".repeat(400);
            dns.zone("example.com").txt("sel._domainkey", key).txt("@", "v=spf1 -all");

            TXTRecord dkim = (TXTRecord) answers(send(resolver, "sel._domainkey.example.com", Type.TXT)).get(0);
            TXTRecord spf = (TXTRecord) answers(send(resolver, "example.com", Type.TXT)).get(0);

            assertThat(dkim.getStrings()).hasSize(2).allMatch(s -> s.length() <= 255);
            assertThat(String.join("", dkim.getStrings())).isEqualTo(key);
            assertThat(spf.getStrings()).containsExactly("v=spf1 -all");
        }

        @Test
        void answersTlsaRecords() throws IOException {
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

            TLSARecord tlsa = (TLSARecord) answers(send(resolver, "_25._tcp.mx.example.com", Type.TLSA)).get(0);

            assertThat(tlsa.getCertificateUsage()).isEqualTo(3);
            assertThat(tlsa.getSelector()).isEqualTo(1);
            assertThat(tlsa.getMatchingType()).isEqualTo(1);
            assertThat(tlsa.getCertificateAssociationData()).hasSize(32).startsWith(0x00, 0x11, 0x22);
        }

        @Test
        void answersDefaultAndExplicitNsAndSoaAtTheApex() throws IOException {
            dns.zone("example.com");
            dns.zone("example.org").ns("@", "ns.provider.net");

            Message defaultNs = send(resolver, "example.com", Type.NS);
            Message explicitNs = send(resolver, "example.org", Type.NS);
            SOARecord soa = (SOARecord) answers(send(resolver, "example.com", Type.SOA)).get(0);

            assertThat(answers(defaultNs)).extracting(r -> ((NSRecord) r).getTarget()).containsExactly(name("ns1.example.com"));
            assertThat(answers(explicitNs)).extracting(r -> ((NSRecord) r).getTarget()).containsExactly(name("ns.provider.net"));
            assertThat(soa.getHost()).isEqualTo(name("ns1.example.com"));
            assertThat(soa.getMinimum()).isEqualTo(TestZone.DEFAULT_NEGATIVE_TTL);
        }

        @Test
        void answersDsFromTheParentAndDnskeyFromTheZone() throws IOException {
            TestZone zone = dns.zone("example.com");

            List<Record> ds = answers(send(resolver, "example.com", Type.DS));
            List<Record> dnskey = answers(send(resolver, "example.com", Type.DNSKEY));

            assertThat(ds).containsExactly(zone.ds());
            assertThat(dnskey).containsExactly(zone.dnskey());
            assertThat(((DNSKEYRecord) dnskey.get(0)).getFlags()).isEqualTo(257);
            assertThat(((DSRecord) ds.get(0)).getFootprint()).isEqualTo(zone.dnskey().getFootprint());
        }

        @Test
        void answersRecordsAddedAsTextOrRecordsWithTheirTtl() throws IOException {
            dns.zone("example.com")
                    .ttl(60)
                    .add("@", Type.CAA, "0 issue \"ca.example\"")
                    .add(new ARecord(name("direct.example.com"), 1, 120, java.net.InetAddress.getByName("192.0.2.9")))
                    .load("$TTL 30\nmail IN A 192.0.2.25\n_dmarc 45 IN TXT \"v=DMARC1; p=none\"\n");

            assertThat(answers(send(resolver, "example.com", Type.CAA)).get(0).getTTL()).isEqualTo(60);
            assertThat(answers(send(resolver, "direct.example.com", Type.A)).get(0).getTTL()).isEqualTo(120);
            assertThat(answers(send(resolver, "mail.example.com", Type.A)).get(0).getTTL()).isEqualTo(30);
            assertThat(rdata(answers(send(resolver, "_dmarc.example.com", Type.TXT)))).containsExactly("\"v=DMARC1; p=none\"");
        }

        @Test
        void answersAnyWithEveryRRsetOfTheName() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1").txt("www", "hello");

            assertThat(answers(send(resolver, "www.example.com", Type.ANY))).extracting(Record::getType)
                    .contains(Type.A, Type.TXT);
        }
    }

    @Nested
    class Resolution {

        @Test
        void followsCnameChainsWithinAndAcrossZones() throws IOException {
            dns.zone("example.com").cname("www", "alias").cname("alias", "host.example.net");
            dns.zone("example.net").a("host", "192.0.2.80");

            Message answer = send(resolver, "www.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(answer)).extracting(r -> r.getName().toString() + " " + Type.string(r.getType()))
                    .containsExactly("www.example.com. CNAME", "alias.example.com. CNAME", "host.example.net. A");
        }

        @Test
        void answersNxdomainWithTheZoneSoaAtTheNegativeTtl() throws IOException {
            dns.zone("example.com").negativeTtl(60).a("www", "192.0.2.1");

            Message answer = send(resolver, "missing.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(answers(answer)).isEmpty();
            assertThat(authority(answer)).hasSize(1);
            SOARecord soa = (SOARecord) authority(answer).get(0);
            assertThat(soa.getName()).isEqualTo(name("example.com"));
            assertThat(soa.getTTL()).isEqualTo(60);
        }

        @Test
        void answersNodataWithTheSoaWhenTheNameHasOtherTypes() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");

            Message answer = send(resolver, "www.example.com", Type.AAAA);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(answer)).isEmpty();
            assertThat(authority(answer)).extracting(Record::getType).containsExactly(Type.SOA);
            assertThat(authority(answer).get(0).getTTL()).isEqualTo(TestZone.DEFAULT_NEGATIVE_TTL);
        }

        @Test
        void answersNodataForEmptyNonTerminals() throws IOException {
            dns.zone("example.com").a("a.b", "192.0.2.1");

            Message answer = send(resolver, "b.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(answer)).isEmpty();
        }

        @Test
        void answersNxdomainWithTheChainWhenACnameLeadsToAMissingName() throws IOException {
            dns.zone("example.com").cname("www", "gone.example.net");
            dns.zone("example.net");

            Message answer = send(resolver, "www.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(answers(answer)).extracting(Record::getType).containsExactly(Type.CNAME);
            assertThat(authority(answer).get(0).getName()).isEqualTo(name("example.net"));
        }

        @Test
        void answersServfailForCnameLoops() throws IOException {
            dns.zone("example.com").cname("a", "b").cname("b", "a");

            assertThat(send(resolver, "a.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }

        @Test
        void refusesNamesOutsideEveryZoneByDefault() throws IOException {
            dns.zone("example.com");

            Message answer = send(resolver, "www.example.org", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(answer.getQuestion().getName()).isEqualTo(name("www.example.org"));
        }

        @Test
        void answersTheNamesOnThePathToADeclaredZone() throws IOException {
            dns.zone("example.com");

            Message com = send(resolver, "com", Type.DS);
            Message root = send(resolver, ".", Type.DNSKEY);

            assertThat(com.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(com)).isEmpty();
            assertThat(answers(root)).containsExactly(dns.rootZone().dnskey());
        }

        @Test
        void answersNxdomainOrServfailOutsideZonesWhenConfigured() throws IOException {
            try (TestDnsServer nx = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
                    TestDnsServer sf = TestDnsServer.builder().unknownNames(UnknownNamePolicy.SERVFAIL).start()) {
                Message nxAnswer = send(nx.newResolver(), "www.example.org", Type.A);
                Message sfAnswer = send(sf.newResolver(), "www.example.org", Type.A);

                assertThat(nxAnswer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
                assertThat(authority(nxAnswer)).extracting(Record::getName).containsExactly(name("."));
                assertThat(sfAnswer.getRcode()).isEqualTo(Rcode.SERVFAIL);
            }
        }

        @Test
        void matchesNamesCaseInsensitively() throws IOException {
            dns.zone("Example.COM").a("WWW", "192.0.2.1");

            assertThat(rdata(answers(send(resolver, "www.EXAMPLE.com", Type.A)))).containsExactly("192.0.2.1");
        }

        @Test
        void answersTheParentZoneForNamesOfARemovedZone() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            dns.zone("sub.example.com").a("www", "192.0.2.2");

            assertThat(rdata(answers(send(resolver, "www.sub.example.com", Type.A)))).containsExactly("192.0.2.2");
            assertThat(dns.removeZone("sub.example.com")).isTrue();
            assertThat(send(resolver, "www.sub.example.com", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Nested
    class Protocol {

        @Test
        void echoesIdQuestionAndRecursionDesiredAndSetsRecursionAvailable() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            Message query = query("www.example.com", Type.A);

            Message answer = resolver.send(query);

            assertThat(answer.getHeader().getID()).isEqualTo(query.getHeader().getID());
            assertThat(answer.getQuestion()).isEqualTo(query.getQuestion());
            assertThat(answer.getHeader().getFlag(Flags.QR)).isTrue();
            assertThat(answer.getHeader().getFlag(Flags.RD)).isTrue();
            assertThat(answer.getHeader().getFlag(Flags.RA)).isTrue();
            assertThat(answer.getHeader().getFlag(Flags.AA)).isFalse();
            assertThat(answer.getHeader().getFlag(Flags.AD)).isFalse();
        }

        @Test
        void leavesRecursionDesiredUnsetWhenTheQueryHasIt() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            Message query = query("www.example.com", Type.A);
            query.getHeader().unsetFlag(Flags.RD);

            assertThat(resolver.send(query).getHeader().getFlag(Flags.RD)).isFalse();
        }

        @Test
        void answersWithoutOptWhenTheQueryHasNoEdns() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            resolver.setEDNS(-1);

            Message answer = send(resolver, "www.example.com", Type.A);

            assertThat(answer.getOPT()).isNull();
            assertThat(answers(answer)).hasSize(1);
        }

        @Test
        void echoesEdnsAndTheDoBit() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            SimpleResolver withDo = dns.newResolver();
            withDo.setEDNS(0, 1232, ExtendedFlags.DO);

            OPTRecord plain = send(resolver, "www.example.com", Type.A).getOPT();
            OPTRecord dnssec = send(withDo, "www.example.com", Type.A).getOPT();

            assertThat(plain).isNotNull();
            assertThat(plain.getVersion()).isZero();
            assertThat(plain.getFlags() & ExtendedFlags.DO).isZero();
            assertThat(dnssec.getFlags() & ExtendedFlags.DO).isEqualTo(ExtendedFlags.DO);
        }

        @Test
        void includesRrsigsOnlyWhenTheDoBitIsSet() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            SimpleResolver withDo = dns.newResolver();
            withDo.setEDNS(0, 1232, ExtendedFlags.DO);

            List<Record> plain = answers(send(resolver, "www.example.com", Type.A));
            List<Record> signed = answers(send(withDo, "www.example.com", Type.A));

            assertThat(plain).extracting(Record::getType).containsExactly(Type.A);
            assertThat(signed).extracting(Record::getType).containsExactlyInAnyOrder(Type.A, Type.RRSIG);
        }

        @Test
        void includesNsecProofsInNegativeAnswersWhenTheDoBitIsSet() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");
            SimpleResolver withDo = dns.newResolver();
            withDo.setEDNS(0, 1232, ExtendedFlags.DO);

            Message nodata = send(withDo, "www.example.com", Type.MX);
            Message nxdomain = send(withDo, "nope.example.com", Type.A);

            assertThat(authority(nodata)).extracting(Record::getType)
                    .containsExactlyInAnyOrder(Type.SOA, Type.RRSIG, Type.NSEC, Type.RRSIG);
            assertThat(authority(nxdomain)).extracting(Record::getType).contains(Type.SOA, Type.NSEC, Type.RRSIG);
        }

        @Test
        void answersRrsigAndNsecQueriesWithTheGeneratedRecords() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1");

            List<Record> rrsigs = answers(send(resolver, "www.example.com", Type.RRSIG));
            List<Record> nsec = answers(send(resolver, "www.example.com", Type.NSEC));

            assertThat(rrsigs).extracting(r -> ((RRSIGRecord) r).getTypeCovered())
                    .containsExactlyInAnyOrder(Type.A, Type.NSEC);
            assertThat(nsec).extracting(Record::rdataToString).containsExactly("example.com. A RRSIG NSEC");
        }

        @Test
        void answersNodataForDnssecTypesOfAnUnsignedZone() throws IOException {
            dns.zone("example.net").unsigned().a("www", "192.0.2.1");
            SimpleResolver withDo = dns.newResolver();
            withDo.setEDNS(0, 1232, ExtendedFlags.DO);

            Message dnskey = send(withDo, "example.net", Type.DNSKEY);
            Message a = send(withDo, "www.example.net", Type.A);

            assertThat(dnskey.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(dnskey)).isEmpty();
            assertThat(answers(a)).extracting(Record::getType).containsExactly(Type.A);
        }

        @Test
        void truncatesUdpAnswersLargerThanTheAdvertisedPayloadSize() throws IOException {
            TestZone zone = dns.zone("example.com");
            for (int i = 0; i < 20; i++) {
                zone.txt("big", i + "-" + "x".repeat(100));
            }
            resolver.setIgnoreTruncation(true);

            Message truncated = send(resolver, "big.example.com", Type.TXT);
            Message retried = send(dns.newResolver(), "big.example.com", Type.TXT);

            assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(answers(truncated)).isEmpty();
            assertThat(truncated.getOPT()).isNotNull();
            assertThat(retried.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(answers(retried)).hasSize(20);
            assertThat(dns.queryCount(Transport.UDP)).isEqualTo(2);
            assertThat(dns.queryCount(Transport.TCP)).isEqualTo(1);
        }

        @Test
        void truncatesUdpAnswersOver512BytesWithoutEdns() throws IOException {
            TestZone zone = dns.zone("example.com");
            for (int i = 0; i < 6; i++) {
                zone.txt("mid", i + "-" + "x".repeat(100));
            }
            resolver.setEDNS(-1);
            resolver.setIgnoreTruncation(true);
            SimpleResolver withEdns = dns.newResolver();
            withEdns.setIgnoreTruncation(true);

            assertThat(send(resolver, "mid.example.com", Type.TXT).getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(answers(send(withEdns, "mid.example.com", Type.TXT))).hasSize(6);
        }

        @Test
        void answersBadversToUnknownEdnsVersions() throws IOException {
            dns.zone("example.com");
            Message query = query("example.com", Type.SOA);
            query.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);

            assertThat(resolver.send(query).getRcode()).isEqualTo(Rcode.BADVERS);
        }
    }

    @Nested
    class RuntimeChanges {

        @Test
        void servesReplacedAndRemovedRecordsImmediately() throws IOException {
            TestZone zone = dns.zone("example.com").a("www", "192.0.2.1");
            assertThat(rdata(answers(send(resolver, "www.example.com", Type.A)))).containsExactly("192.0.2.1");

            zone.replace("www", Type.A, "192.0.2.7", "192.0.2.8");
            assertThat(rdata(answers(send(resolver, "www.example.com", Type.A)))).containsExactlyInAnyOrder("192.0.2.7", "192.0.2.8");

            zone.remove("www", Type.A);
            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);

            zone.replace(new ARecord(name("www.example.com"), 1, 300, java.net.InetAddress.getByName("192.0.2.9")));
            assertThat(rdata(answers(send(resolver, "www.example.com", Type.A)))).containsExactly("192.0.2.9");
        }

        @Test
        void servesZonesAddedWhileRunning() throws IOException {
            assertThat(send(resolver, "www.late.example", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);

            dns.zone("late.example").a("www", "192.0.2.3");

            assertThat(rdata(answers(send(resolver, "www.late.example", Type.A)))).containsExactly("192.0.2.3");
        }

        @Test
        void clearRemovesEveryRecordButTheApexDefaults() throws IOException {
            TestZone zone = dns.zone("example.com").a("www", "192.0.2.1").mx("@", 10, "mx");

            zone.clear();

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(answers(send(resolver, "example.com", Type.MX))).isEmpty();
            assertThat(answers(send(resolver, "example.com", Type.SOA))).hasSize(1);
        }
    }

    @Nested
    class ZoneDeclaration {

        @Test
        void readsOwnerNamesRelativeToTheZoneUnlessTheyEndWithIt() throws IOException {
            dns.zone("example.com").a("www", "192.0.2.1").a("api.example.com", "192.0.2.2").a("@", "192.0.2.3")
                    .a("deep.example.com.", "192.0.2.4");

            assertThat(answers(send(resolver, "www.example.com", Type.A))).hasSize(1);
            assertThat(answers(send(resolver, "api.example.com", Type.A))).hasSize(1);
            assertThat(answers(send(resolver, "example.com", Type.A))).hasSize(1);
            assertThat(answers(send(resolver, "deep.example.com", Type.A))).hasSize(1);
        }

        @Test
        void rejectsRecordsOutsideTheZoneAndGeneratedTypes() {
            TestZone zone = dns.zone("example.com");

            assertThatThrownBy(() -> zone.a("www.example.net.", "192.0.2.1")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> zone.add("www", Type.NSEC, "example.com. A")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> zone.a("www", "not-an-ip")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> dns.rootZone().unsigned()).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> zone.dnssecFault("www", Type.A, DnssecFault.MISSING_DS))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void hidesParentRecordsBelowAChildZone() throws IOException {
            dns.zone("example.com").a("www.sub", "192.0.2.1").a("www", "192.0.2.2");
            dns.zone("sub.example.com");

            assertThat(send(resolver, "www.sub.example.com", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(answers(send(resolver, "www.example.com", Type.A))).hasSize(1);
            assertThat(dns.findZone("sub.example.com")).isPresent();
            assertThat(dns.findZone("other.example.com")).isEmpty();
        }

        @Test
        void delegatesEachZoneFromItsParentWithNsDsAndNsec() throws IOException {
            dns.zone("example.com");
            dns.zone("example.net").unsigned();
            SimpleResolver withDo = dns.newResolver();
            withDo.setEDNS(0, 1232, ExtendedFlags.DO);

            Message signedChild = send(withDo, "example.com", Type.DS);
            Message unsignedChild = send(withDo, "example.net", Type.DS);

            assertThat(answers(signedChild, Type.DS)).containsExactly(dns.zone("example.com").ds());
            assertThat(answers(unsignedChild)).isEmpty();
            assertThat(authority(unsignedChild)).filteredOn(r -> r.getType() == Type.NSEC)
                    .extracting(r -> r.getName() + " " + r.rdataToString())
                    .containsExactly("example.net. . NS RRSIG NSEC");
        }
    }
}
