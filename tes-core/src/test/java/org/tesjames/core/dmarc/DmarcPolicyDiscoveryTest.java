package org.tesjames.core.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.xbill.DNS.Type;

/** RFC 7489 section 6.6.3 over the real DNS client against the test DNS server. */
class DmarcPolicyDiscoveryTest {
    private TestDnsServer dns;
    private DmarcPolicyDiscovery discovery;

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        DnsJavaClient client = DnsJavaClient.create(List.of(new InetSocketAddress(dns.host(), dns.port())),
            Duration.ofSeconds(2), 0);
        discovery = new DmarcPolicyDiscovery(client);
        dns.zone("example.com");
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private DmarcPolicyDiscovery.Outcome discover(String domain) {
        return discovery.discover(domain).toCompletableFuture().join();
    }

    @Nested
    class AtTheFromDomain {
        @Test
        void findsTheRecordOfTheFromDomain() {
            dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=reject; sp=none");
            DmarcPolicyDiscovery.Outcome outcome = discover("Example.COM");
            assertThat(outcome).isInstanceOfSatisfying(DmarcPolicyDiscovery.Found.class, found -> {
                assertThat(found.domainQueried()).isEqualTo("example.com");
                assertThat(found.organisationalFallback()).isFalse();
                assertThat(found.appliedPolicy()).isEqualTo(Policy.REJECT);
            });
        }

        @Test
        void ignoresTxtRecordsThatAreNotDmarc() {
            dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=quarantine").txt("_dmarc", "v=spf1 -all")
                .txt("_dmarc", "v=DMARC10; p=none");
            assertThat(discover("example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.Found.class,
                found -> assertThat(found.appliedPolicy()).isEqualTo(Policy.QUARANTINE));
        }

        @Test
        void concatenatesTheStringsOfOneRecord() {
            dns.zone("example.com").txtStrings("_dmarc", "v=DMARC1; p=", "reject");
            assertThat(discover("example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.Found.class,
                found -> assertThat(found.appliedPolicy()).isEqualTo(Policy.REJECT));
        }

        @Test
        void severalRecordsAreAPermErrorWithoutFallback() {
            dns.zone("example.com").txt("_dmarc.mail", "v=DMARC1; p=none").txt("_dmarc.mail", "v=DMARC1; p=reject")
                .txt("_dmarc", "v=DMARC1; p=reject");
            assertThat(discover("mail.example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.PermError.class,
                error -> assertThat(error.reason()).isEqualTo(
                    "TXT _dmarc.mail.example.com: 2 DMARC records, exactly one is allowed"));
        }

        @Test
        void anInvalidRecordIsAPermErrorWithoutFallback() {
            dns.zone("example.com").txt("_dmarc.mail", "v=DMARC1; p=block").txt("_dmarc", "v=DMARC1; p=reject");
            assertThat(discover("mail.example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.PermError.class,
                error -> assertThat(error.reason()).endsWith("invalid DMARC record: p=block is not none, quarantine or reject"));
        }

        @Test
        void noRecordAtAnOrganisationalDomainIsNone() {
            assertThat(discover("example.com")).isInstanceOf(DmarcPolicyDiscovery.None.class);
            assertThat(dns.queryCount("_dmarc.example.com", Type.TXT)).isEqualTo(1);
        }

        @Test
        void anInvalidDomainIsAPermErrorWithoutQuery() {
            assertThat(discover("exa mple.com")).isInstanceOf(DmarcPolicyDiscovery.PermError.class);
            assertThat(dns.queryCount()).isZero();
        }
    }

    @Nested
    class OrganisationalFallback {
        @Test
        void fallsBackAndAppliesSp() {
            dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=reject; sp=quarantine");
            assertThat(discover("a.b.example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.Found.class, found -> {
                assertThat(found.domainQueried()).isEqualTo("example.com");
                assertThat(found.organisationalFallback()).isTrue();
                assertThat(found.appliedPolicy()).isEqualTo(Policy.QUARANTINE);
            });
        }

        @Test
        void fallsBackAndAppliesPWithoutSp() {
            dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=reject");
            assertThat(discover("mail.example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.Found.class,
                found -> assertThat(found.appliedPolicy()).isEqualTo(Policy.REJECT));
        }

        @Test
        void fallsBackWhenTheFromDomainHasOnlyNonDmarcTxt() {
            dns.zone("example.com").txt("_dmarc.mail", "hello").txt("_dmarc", "v=DMARC1; p=none; sp=reject");
            assertThat(discover("mail.example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.Found.class,
                found -> assertThat(found.appliedPolicy()).isEqualTo(Policy.REJECT));
        }

        @Test
        void noRecordAnywhereIsNone() {
            assertThat(discover("mail.example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.None.class,
                none -> assertThat(none.reason()).contains("_dmarc.mail.example.com").contains("_dmarc.example.com"));
        }

        @Test
        void severalRecordsAtTheOrganisationalDomainAreAPermError() {
            dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=none").txt("_dmarc", "v=DMARC1; p=reject");
            assertThat(discover("mail.example.com")).isInstanceOf(DmarcPolicyDiscovery.PermError.class);
        }
    }

    @Nested
    class TemporaryErrors {
        @Test
        void servfailAtTheFromDomainIsATempErrorNotAFallback() {
            dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=none");
            dns.fault("_dmarc.mail.example.com", Type.TXT, Fault.servfail());
            assertThat(discover("mail.example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.TempError.class,
                error -> assertThat(error.reason()).contains("_dmarc.mail.example.com").contains("SERVFAIL"));
            assertThat(dns.queryCount("_dmarc.example.com", Type.TXT)).isZero();
        }

        @Test
        void timeoutAtTheFromDomainIsATempError() {
            dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=reject");
            dns.fault("_dmarc.example.com", Type.TXT, Fault.noAnswer());
            assertThat(discover("example.com")).isInstanceOfSatisfying(DmarcPolicyDiscovery.TempError.class,
                error -> assertThat(error.reason()).contains("TIMEOUT"));
        }

        @Test
        void servfailAtTheOrganisationalDomainIsATempErrorNotNone() {
            dns.fault("_dmarc.example.com", Type.TXT, Fault.servfail());
            assertThat(discover("mail.example.com")).isInstanceOf(DmarcPolicyDiscovery.TempError.class);
        }
    }

    /** How long an outcome holds for the same From domain: what lets an SMTP connection take it again. */
    @Nested
    class HowLongAnOutcomeHolds {
        private DmarcPolicyDiscovery.Held held(String domain) {
            return discovery.discoverHeld(domain).toCompletableFuture().join();
        }

        @Test
        void theTtlOfTheRecordFound() {
            dns.zone("example.com").ttl(300).txt("_dmarc", "v=DMARC1; p=reject");
            DmarcPolicyDiscovery.Held held = held("example.com");
            assertThat(held.outcome()).isInstanceOf(DmarcPolicyDiscovery.Found.class);
            assertThat(held.ttl()).isEqualTo(Duration.ofSeconds(300));
            assertThat(discover("example.com")).isEqualTo(held.outcome());
        }

        @Test
        void theShorterOfBothAnswersAfterTheFallback() {
            dns.zone("example.com").ttl(300).txt("_dmarc", "v=DMARC1; p=reject");
            dns.zone("mail.example.com").negativeTtl(40); // _dmarc.mail.example.com: NXDOMAIN, for 40 s
            DmarcPolicyDiscovery.Held held = held("mail.example.com");
            assertThat(held.outcome()).isInstanceOfSatisfying(DmarcPolicyDiscovery.Found.class,
                found -> assertThat(found.organisationalFallback()).isTrue());
            assertThat(held.ttl()).isEqualTo(Duration.ofSeconds(40));
        }

        @Test
        void aTemporaryErrorAndAnInvalidDomainHoldForNothing() {
            dns.zone("example.com").ttl(300).txt("_dmarc", "v=DMARC1; p=reject");
            dns.fault("_dmarc.example.com", Type.TXT, Fault.servfail());
            assertThat(held("example.com").outcome()).isInstanceOf(DmarcPolicyDiscovery.TempError.class);
            assertThat(held("example.com").ttl()).isZero();
            assertThat(held("exa mple.com").ttl()).isZero();
        }
    }
}

