package org.tesjames.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dmarc.SpfResult;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.spf.SpfCheckHost;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.TestZone;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.xbill.DNS.Type;

/** RFC 7208 results of the project's evaluator over its DNS client, against the test DNS server. */
class SpfVerifierTest {
    private TestDnsServer dns;
    private TestZone zone;
    private SpfVerifier verifier;

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        zone = dns.zone("example.com");
        dns.zone("example.net");
        verifier = new SpfVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0));
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private SpfCheck check(String ip, String helo, String mailFrom) throws Exception {
        return verifier.check(new SmtpIdentity(InetAddress.getByName(ip), helo, mailFrom)).toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    }

    private SpfCheck mailFrom(String ip, String mailFrom) throws Exception {
        return check(ip, "client.example.org", mailFrom);
    }

    @Nested
    class Results {
        @Test
        void ip4MatchPasses() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 -all");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PASS);
            assertThat(check.identity()).isEqualTo(SpfCheck.MAILFROM);
            assertThat(check.domain()).isEqualTo("example.com");
        }

        @Test
        void minusAllFails() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 -all");
            SpfCheck check = mailFrom("198.51.100.7", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.FAIL);
        }

        @Test
        void tildeAllSoftFails() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 ~all");
            assertThat(mailFrom("198.51.100.7", "alice@example.com").result()).isEqualTo(SpfResult.SOFTFAIL);
        }

        @Test
        void questionAllIsNeutral() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 ?all");
            assertThat(mailFrom("198.51.100.7", "alice@example.com").result()).isEqualTo(SpfResult.NEUTRAL);
        }

        @Test
        void noMatchAndNoAllIsNeutral() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24");
            assertThat(mailFrom("198.51.100.7", "alice@example.com").result()).isEqualTo(SpfResult.NEUTRAL);
        }

        @Test
        void noSpfRecordIsNone() throws Exception {
            zone.txt("@", "some other text");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.NONE);
        }

        @Test
        void nonexistentDomainIsNone() throws Exception {
            assertThat(mailFrom("192.0.2.10", "alice@nowhere.example.com").result()).isEqualTo(SpfResult.NONE);
        }

        @Test
        void ip6MatchPasses() throws Exception {
            zone.txt("@", "v=spf1 ip6:2001:db8::/32 -all");
            assertThat(mailFrom("2001:db8::25", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(mailFrom("2001:db9::25", "alice@example.com").result()).isEqualTo(SpfResult.FAIL);
        }

        @Test
        void aMechanismMatchesTheDomainAddresses() throws Exception {
            zone.txt("@", "v=spf1 a -all").a("@", "192.0.2.33");
            assertThat(mailFrom("192.0.2.33", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(mailFrom("192.0.2.34", "alice@example.com").result()).isEqualTo(SpfResult.FAIL);
        }

        @Test
        void mxMechanismMatchesTheMailExchangers() throws Exception {
            zone.txt("@", "v=spf1 mx -all").mx("@", 10, "mx1.example.com.").a("mx1", "192.0.2.53");
            assertThat(mailFrom("192.0.2.53", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(mailFrom("192.0.2.54", "alice@example.com").result()).isEqualTo(SpfResult.FAIL);
        }

        @Test
        void includePassesWhenTheIncludedRecordPasses() throws Exception {
            zone.txt("@", "v=spf1 include:_spf.example.net -all");
            dns.zone("example.net").txt("_spf", "v=spf1 ip4:198.51.100.0/24 -all");
            assertThat(mailFrom("198.51.100.9", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(mailFrom("203.0.113.9", "alice@example.com").result()).isEqualTo(SpfResult.FAIL);
        }

        @Test
        void redirectUsesTheOtherDomainsRecord() throws Exception {
            zone.txt("@", "v=spf1 redirect=_spf.example.net");
            dns.zone("example.net").txt("_spf", "v=spf1 ip4:198.51.100.0/24 ~all");
            assertThat(mailFrom("198.51.100.9", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(mailFrom("203.0.113.9", "alice@example.com").result()).isEqualTo(SpfResult.SOFTFAIL);
        }
    }

    @Nested
    class MoreMechanisms {
        @Test
        void existsWithAMacroOfTheClientAddress() throws Exception {
            zone.txt("@", "v=spf1 exists:%{ir}.allow.example.com -all").a("10.2.0.192.allow", "127.0.0.2");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(mailFrom("192.0.2.11", "alice@example.com").result()).isEqualTo(SpfResult.FAIL);
        }

        @Test
        void ptrMatchesAValidatedReverseName() throws Exception {
            dns.zone("2.0.192.in-addr.arpa").add("10", Type.PTR, "mta.example.com.");
            zone.txt("@", "v=spf1 ptr -all").a("mta", "192.0.2.10");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
        }

        @Test
        void ptrWithoutForwardConfirmationDoesNotMatch() throws Exception {
            dns.zone("2.0.192.in-addr.arpa").add("11", Type.PTR, "mta.example.com.");
            zone.txt("@", "v=spf1 ptr -all").a("mta", "192.0.2.10");
            assertThat(mailFrom("192.0.2.11", "alice@example.com").result()).isEqualTo(SpfResult.FAIL);
        }

        @Test
        void aaaaLookupForAnIpv6Client() throws Exception {
            zone.txt("@", "v=spf1 a:mta.example.com -all").aaaa("mta", "2001:db8::25");
            assertThat(mailFrom("2001:db8::25", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
        }

        @Test
        void lookupsGoThroughTheSharedCache() throws Exception {
            zone.txt("@", "v=spf1 include:_spf.example.net -all");
            dns.zone("example.net").txt("_spf", "v=spf1 a:mta.example.net -all").a("mta", "198.51.100.9");
            SpfVerifier cached = new SpfVerifier(org.tesjames.core.dns.CachingDnsClient.builder(
                DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0)).build());
            SmtpIdentity identity = new SmtpIdentity(InetAddress.getByName("198.51.100.9"), "h.example.org",
                "alice@example.com");

            assertThat(cached.check(identity).toCompletableFuture().get(30, TimeUnit.SECONDS).result())
                .isEqualTo(SpfResult.PASS);
            long queries = dns.queryCount();
            assertThat(cached.check(identity).toCompletableFuture().get(30, TimeUnit.SECONDS).result())
                .isEqualTo(SpfResult.PASS);

            assertThat(queries).as(dns.queryCounts().toString()).isEqualTo(3);
            assertThat(dns.queryCount()).isEqualTo(queries);
        }

        @Test
        void localPartMacro() throws Exception {
            zone.txt("@", "v=spf1 exists:%{l}.users.example.com -all").a("alice.users", "127.0.0.2");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(mailFrom("192.0.2.10", "mallory@example.com").result()).isEqualTo(SpfResult.FAIL);
        }
    }

    @Nested
    class Errors {
        @Test
        void servfailOfTheRecordIsTempError() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 -all");
            dns.fault("example.com", Type.TXT, Fault.servfail());
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.TEMPERROR);
            assertThat(check.reason()).startsWith("TXT example.com.: SERVFAIL");
        }

        @Test
        void timeoutOfTheRecordIsTempError() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 -all");
            dns.fault("example.com", Type.TXT, Fault.noAnswer());
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.TEMPERROR);
            assertThat(check.reason()).startsWith("TXT example.com.: TIMEOUT");
        }

        @Test
        void timeoutOfAnIncludedRecordIsTempError() throws Exception {
            zone.txt("@", "v=spf1 include:_spf.example.net -all");
            dns.zone("example.net").txt("_spf", "v=spf1 ip4:198.51.100.0/24 -all");
            dns.fault("_spf.example.net", Type.TXT, Fault.noAnswer());
            assertThat(mailFrom("198.51.100.9", "alice@example.com").result()).isEqualTo(SpfResult.TEMPERROR);
        }

        @Test
        void evaluationPastTheDeadlineIsTempError() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 -all");
            dns.fault("example.com", Type.TXT, Fault.noAnswer());
            SpfVerifier hurried = new SpfVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(5),
                0), Duration.ofMillis(300), "mx.example.net");

            SpfCheck check = hurried.check(new SmtpIdentity(InetAddress.getByName("192.0.2.10"), "h.example.org",
                "alice@example.com")).toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(check.result()).isEqualTo(SpfResult.TEMPERROR);
            assertThat(check.reason()).isEqualTo("the evaluation did not finish within PT0.3S");
        }

        @Test
        void malformedRecordIsPermError() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.300 -all");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PERMERROR);
        }

        @Test
        void unknownMechanismIsPermError() throws Exception {
            zone.txt("@", "v=spf1 frobnicate:example.net -all");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PERMERROR);
        }

        @Test
        void twoSpfRecordsArePermError() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 -all").txt("@", "v=spf1 -all");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).isEqualTo(SpfResult.PERMERROR);
            assertThat(check.reason()).isEqualTo("More than 1 SPF record found");
        }

        @Test
        void includeOfADomainWithoutRecordIsPermError() throws Exception {
            zone.txt("@", "v=spf1 include:nothing.example.net -all");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PERMERROR);
        }

        @Test
        void moreThanTenDnsMechanismsArePermError() throws Exception {
            StringBuilder record = new StringBuilder("v=spf1");
            for (int i = 1; i <= 11; i++) {
                record.append(" a:h").append(i).append(".example.com");
                zone.a("h" + i, "203.0.113." + i);
            }
            zone.txt("@", record.append(" ip4:192.0.2.10 -all").toString());
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PERMERROR);
        }

        @Test
        void tenDnsMechanismsAreAllowed() throws Exception {
            StringBuilder record = new StringBuilder("v=spf1");
            for (int i = 1; i <= 10; i++) {
                record.append(" a:h").append(i).append(".example.com");
                zone.a("h" + i, "203.0.113." + i);
            }
            zone.txt("@", record.append(" ip4:192.0.2.10 -all").toString());
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
        }

        @Test
        void moreThanTwoVoidLookupsArePermError() throws Exception {
            zone.txt("@", "v=spf1 a:v1.example.com a:v2.example.com a:v3.example.com ip4:192.0.2.10 -all");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PERMERROR);
            assertThat(check.reason()).contains("void");
        }

        @Test
        void includesOfDomainsWithRecordsAreNotVoidLookups() throws Exception {
            zone.txt("@", "v=spf1 include:a.example.net include:b.example.net include:c.example.net"
                + " include:d.example.net -all");
            for (String label : List.of("a", "b", "c")) {
                dns.zone("example.net").txt(label, "v=spf1 ip4:203.0.113.1 ?all");
            }
            dns.zone("example.net").txt("d", "v=spf1 ip4:192.0.2.10 -all");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PASS);
        }

        @Test
        void onlyTxtIsQueriedNeverTheSpfRrType() throws Exception {
            zone.txt("@", "v=spf1 include:_spf.example.net -all");
            dns.zone("example.net").txt("_spf", "v=spf1 ip4:192.0.2.10 -all");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(dns.queryCount("example.com", Type.SPF)).isZero();
            assertThat(dns.queryCount("_spf.example.net", Type.SPF)).isZero();
            assertThat(dns.queryCount("example.com", Type.TXT)).isEqualTo(1);
        }

        @Test
        void twoVoidLookupsAreAllowed() throws Exception {
            zone.txt("@", "v=spf1 a:v1.example.com a:v2.example.com ip4:192.0.2.10 -all");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
        }
    }

    @Nested
    class Identities {
        @Test
        void nullSenderChecksTheHeloIdentity() throws Exception {
            zone.txt("mta", "v=spf1 ip4:192.0.2.10 -all");
            SpfCheck check = check("192.0.2.10", "mta.example.com", "");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PASS);
            assertThat(check.identity()).isEqualTo(SpfCheck.HELO);
            assertThat(check.domain()).isEqualTo("mta.example.com");
        }

        @Test
        void nullSenderWithAnAddressLiteralHeloIsNone() throws Exception {
            SpfCheck check = check("192.0.2.10", "[192.0.2.10]", "");
            assertThat(check.result()).isEqualTo(SpfResult.NONE);
            assertThat(check.identity()).isEqualTo(SpfCheck.HELO);
            assertThat(dns.queryCount()).isZero();
        }

        @Test
        void singleLabelDomainIsNoneWithoutLookup() throws Exception {
            SpfCheck check = mailFrom("192.0.2.10", "alice@localhost");
            assertThat(check.result()).isEqualTo(SpfResult.NONE);
            assertThat(check.reason()).contains("multi-label");
            assertThat(dns.queryCount()).isZero();
        }

        @Test
        void theDomainIsCompareCaseInsensitively() throws Exception {
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 -all");
            SpfCheck check = mailFrom("192.0.2.10", "Alice@EXAMPLE.COM");
            assertThat(check.result()).isEqualTo(SpfResult.PASS);
            assertThat(check.domain()).isEqualTo("example.com");
        }
    }

    /** Where jSPF 1.0.3 (the evaluator before this one) deviated from RFC 7208; each case names the section. */
    @Nested
    class Rfc7208WhereJspfDeviated {
        @Test
        void ptrTargetIsComparedCaseInsensitively() throws Exception {
            // RFC 7208 section 5.5, RFC 4343
            dns.zone("2.0.192.in-addr.arpa").add("10", Type.PTR, "mta.example.com.");
            zone.txt("@", "v=spf1 ptr:EXAMPLE.Com -all").a("mta", "192.0.2.10");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
        }

        @Test
        void existsWhoseLookupTimesOutIsTempError() throws Exception {
            // RFC 7208 section 5: a DNS error while evaluating a mechanism
            zone.txt("@", "v=spf1 exists:%{ir}.list.example.com -all");
            dns.faultBelow("list.example.com", Fault.noAnswer());
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.TEMPERROR);
            assertThat(check.reason()).startsWith("A 10.2.0.192.list.example.com.: TIMEOUT");
        }

        @Test
        void existsWhoseLookupGetsServfailIsTempError() throws Exception {
            zone.txt("@", "v=spf1 exists:list.example.com -all");
            dns.fault("list.example.com", Type.A, Fault.servfail());
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.TEMPERROR);
        }

        @Test
        void aMxAndIncludeLookupFailuresAreTempErrors() throws Exception {
            dns.fault("broken.example.com", Fault.servfail());
            for (String term : List.of("a:broken.example.com", "mx:broken.example.com", "include:broken.example.com",
                "redirect=broken.example.com")) {
                zone.replace("@", Type.TXT, "\"v=spf1 " + term + (term.startsWith("redirect") ? "\"" : " -all\""));
                SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
                assertThat(check.result()).as(term + ": " + check.reason()).isEqualTo(SpfResult.TEMPERROR);
            }
        }

        @Test
        void addressLookupFailureOfAnMxHostIsTempError() throws Exception {
            zone.txt("@", "v=spf1 mx -all").mx("@", 10, "mx1.example.com.").mx("@", 20, "mx2.example.com.")
                .a("mx2", "192.0.2.10");
            dns.fault("mx1.example.com", Type.A, Fault.noAnswer());
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.TEMPERROR);
        }

        @Test
        void failedPtrLookupMakesPtrNotMatch() throws Exception {
            // RFC 7208 section 5.5: "If a DNS error occurs while doing the PTR RR lookup, then this mechanism
            // fails to match"
            dns.zone("2.0.192.in-addr.arpa");
            dns.fault("10.2.0.192.in-addr.arpa", Type.PTR, Fault.servfail());
            zone.txt("@", "v=spf1 ptr ~all");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.SOFTFAIL);
        }

        @Test
        void expWithoutTxtRecordKeepsTheFail() throws Exception {
            // RFC 7208 section 6.2: proceed as if there were no exp=
            zone.txt("@", "v=spf1 -all exp=why.example.com").a("why", "192.0.2.99");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.FAIL);
            assertThat(check.explanation()).isEmpty();
        }

        @Test
        void expTextIsExpandedForAFail() throws Exception {
            zone.txt("@", "v=spf1 -all exp=why.example.com").txt("why", "%{i} may not send for %{d} (%{l})");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).isEqualTo(SpfResult.FAIL);
            assertThat(check.explanation()).contains("192.0.2.10 may not send for example.com (alice)");
            assertThat(check.reason()).isEqualTo("192.0.2.10 matched -all of example.com");
        }

        @Test
        void expLookupIsNotAVoidLookup() throws Exception {
            // RFC 7208 sections 4.6.4 and 6.2: two void lookups, then an exp= of a name that does not exist
            zone.txt("@", "v=spf1 a:v1.example.com a:v2.example.com -all exp=nothing.example.com");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.FAIL);
        }

        @Test
        void expLookupTimeoutKeepsTheFailWithinTheDeadline() throws Exception {
            zone.txt("@", "v=spf1 -all exp=why.example.com");
            dns.fault("why.example.com", Fault.noAnswer());
            SpfVerifier hurried = new SpfVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(5),
                0), Duration.ofMillis(500), "mx.example.net");

            SpfCheck check = hurried.check(new SmtpIdentity(InetAddress.getByName("192.0.2.10"), "h.example.org",
                "alice@example.com")).toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(check.result()).isEqualTo(SpfResult.FAIL);
            assertThat(check.explanation()).isEmpty();
        }

        @Test
        void mxWithMoreThanTenRecordsIsPermErrorEvenWhenOneWouldMatch() throws Exception {
            // RFC 7208 section 4.6.4
            zone.txt("@", "v=spf1 mx -all").a("mx", "192.0.2.10");
            for (int i = 0; i <= SpfCheckHost.MX_LIMIT; i++) {
                zone.mx("@", i, "mx" + i + ".example.com.");
            }
            zone.mx("@", 99, "mx.example.com.");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PERMERROR);
            assertThat(check.reason()).contains("12 MX records, more than 10");
        }

        @Test
        void mxWithTenRecordsIsEvaluated() throws Exception {
            zone.txt("@", "v=spf1 mx -all").a("mx", "192.0.2.10");
            for (int i = 1; i < SpfCheckHost.MX_LIMIT; i++) {
                zone.mx("@", i, "mx" + i + ".example.com.").a("mx" + i, "203.0.113." + i);
            }
            zone.mx("@", 99, "mx.example.com.");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
        }

        @Test
        void ptrLooksAtTheFirstTenNamesOnly() throws Exception {
            // RFC 7208 section 4.6.4: the eleventh name is not looked at, even if it would match
            TestZone reverse = dns.zone("2.0.192.in-addr.arpa");
            for (int i = 1; i <= SpfCheckHost.PTR_LIMIT; i++) {
                reverse.add("10", Type.PTR, "h" + i + ".example.net.");
            }
            reverse.add("10", Type.PTR, "mta.example.com.");
            zone.txt("@", "v=spf1 ptr ?all").a("mta", "192.0.2.10");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.NEUTRAL);

            reverse.remove("10", Type.PTR);
            for (int i = 1; i < SpfCheckHost.PTR_LIMIT; i++) {
                reverse.add("10", Type.PTR, "h" + i + ".example.net.");
            }
            reverse.add("10", Type.PTR, "mta.example.com.");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
        }

        @Test
        void emptyLocalPartIsPostmaster() throws Exception {
            // RFC 7208 section 4.3
            zone.txt("@", "v=spf1 exists:%{l}.users.example.com -all").a("postmaster.users", "127.0.0.2");
            SpfCheck check = mailFrom("192.0.2.10", "@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PASS);
            assertThat(check.domain()).isEqualTo("example.com");
        }

        @Test
        void syntaxErrorAfterAMatchingTermIsPermError() throws Exception {
            // RFC 7208 section 4.6: the whole record is checked before it is evaluated
            zone.txt("@", "v=spf1 ip4:192.0.2.10 -all ip4:192.0.2.300");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PERMERROR);
        }

        @Test
        void ipv4MappedClientIsIpv4() throws Exception {
            // RFC 7208 section 5
            zone.txt("@", "v=spf1 ip4:192.0.2.0/24 -all");
            assertThat(mailFrom("::ffff:192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.PASS);
        }

        @Test
        void reasonsAreCutAndPrintable() throws Exception {
            zone.txt("@", "v=spf1 exists:%{l}.x.example.com ?all");
            SpfCheck check = mailFrom("192.0.2.10", "\u00e9" + "a".repeat(300) + "@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.NEUTRAL);
            check = mailFrom("192.0.2.10", "a\u0001b@example.com");
            assertThat(check.reason()).isEqualTo("192.0.2.10 matched ?all of example.com");
            zone.replace("@", Type.TXT, "\"v=spf1 include:" + "z".repeat(60) + ".%{l}.example.com -all\"");
            check = mailFrom("192.0.2.10", "a".repeat(60) + "@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PERMERROR);
            assertThat(check.reason()).hasSizeLessThanOrEqualTo(SpfCheck.REASON_LENGTH)
                .matches("[\\x20-\\x7e]*");
        }
    }

    /** Where RFC 7208 leaves the result open, or the project reads it; README "SPF evaluation". */
    @Nested
    class AmbiguityDecisions {
        @Test
        void targetNameThatCannotBeQueriedDoesNotMatchAndIsNoVoidLookup() throws Exception {
            zone.txt("@", "v=spf1 a:a..b.example.com a:v1.example.com a:v2.example.com ip4:192.0.2.10 -all");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PASS);
            assertThat(dns.queryCounts().keySet()).noneMatch(key -> key.contains(".."));
        }

        @Test
        void nullMxAddsNoHost() throws Exception {
            zone.txt("@", "v=spf1 mx ?all").add("@", Type.MX, "0 .");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").result()).isEqualTo(SpfResult.NEUTRAL);
            assertThat(dns.queryCount(".", Type.A)).isZero();
        }

        @Test
        void validatedNameMacroIsUnknownWhenTheReverseLookupFails() throws Exception {
            dns.zone("2.0.192.in-addr.arpa");
            dns.fault("10.2.0.192.in-addr.arpa", Type.PTR, Fault.servfail());
            zone.txt("@", "v=spf1 -all exp=why.example.com").txt("why", "from %{p}");
            SpfCheck check = mailFrom("192.0.2.10", "alice@example.com");
            assertThat(check.result()).isEqualTo(SpfResult.FAIL);
            assertThat(check.explanation()).contains("from unknown");
        }

        @Test
        void validatedNameMacroPrefersASubdomainOfTheDomain() throws Exception {
            dns.zone("2.0.192.in-addr.arpa").add("10", Type.PTR, "other.example.net.")
                .add("10", Type.PTR, "mta.example.com.");
            dns.zone("example.net").a("other", "192.0.2.10");
            zone.txt("@", "v=spf1 -all exp=why.example.com").txt("why", "from %{p}").a("mta", "192.0.2.10");
            assertThat(mailFrom("192.0.2.10", "alice@example.com").explanation()).contains("from mta.example.com");
        }
    }

    /** How long a result holds for the same identity: what lets an SMTP connection take it again. */
    @Nested
    class HowLongAResultHolds {
        private SpfVerifier.Held held(String ip, String mailFrom) throws Exception {
            return verifier.checkHeld(new SmtpIdentity(InetAddress.getByName(ip), "client.example.org", mailFrom))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        @Test
        void theShortestTtlOfTheAnswersTheEvaluationRead() throws Exception {
            zone.ttl(3600).txt("@", "v=spf1 include:example.net -all");
            dns.zone("example.net").ttl(60).txt("@", "v=spf1 ip4:192.0.2.0/24 -all");

            SpfVerifier.Held pass = held("192.0.2.10", "alice@example.com");
            assertThat(pass.check().result()).as(pass.check().reason()).isEqualTo(SpfResult.PASS);
            assertThat(pass.ttl()).isEqualTo(Duration.ofSeconds(60));

            dns.zone("example.org").ttl(30).txt("@", "v=spf1 include:example.net -all");
            assertThat(held("192.0.2.10", "alice@example.org").ttl()).isEqualTo(Duration.ofSeconds(30));
            assertThat(verifier.check(new SmtpIdentity(InetAddress.getByName("192.0.2.10"), "client.example.org",
                "alice@example.com")).toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(pass.check());
        }

        @Test
        void aTemporaryErrorHoldsForNothing() throws Exception {
            zone.ttl(3600).txt("@", "v=spf1 include:_spf.example.net -all");
            dns.fault("_spf.example.net", Type.TXT, Fault.servfail());

            SpfVerifier.Held held = held("192.0.2.10", "alice@example.com");
            assertThat(held.check().result()).isEqualTo(SpfResult.TEMPERROR);
            assertThat(held.ttl()).isZero();
        }

        @Test
        void aFailHoldsUnlessItCarriesTheOwnersExplanation() throws Exception {
            zone.ttl(3600).txt("@", "v=spf1 -all");
            assertThat(held("198.51.100.7", "alice@example.com").ttl()).isEqualTo(Duration.ofSeconds(3600));

            dns.zone("example.net").ttl(3600).txt("@", "v=spf1 -all exp=why.example.net")
                .txt("why", "%{i} may not send");
            SpfVerifier.Held explained = held("198.51.100.7", "alice@example.net");
            assertThat(explained.check().explanation()).contains("198.51.100.7 may not send");
            assertThat(explained.ttl()).isZero();
        }

        @Test
        void aResultWithoutALookupHoldsForNothing() throws Exception {
            SpfVerifier.Held none = held("192.0.2.10", "alice@localhost");
            assertThat(none.check().result()).isEqualTo(SpfResult.NONE);
            assertThat(none.ttl()).isZero();
        }
    }
}
