package org.tesjames.core.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.xbill.DNS.Type;

/** RFC 7489 sections 4.2, 6.6.1, 6.6.2 and 6.6.4. */
class DmarcEvaluatorTest {
    private static final IntSupplier NEVER_DRAWN = () -> {
        throw new AssertionError("pct sampling must not draw here");
    };

    private static DmarcPolicyDiscovery.Found found(String txt, String domain, boolean fallback) {
        return new DmarcPolicyDiscovery.Found(DmarcRecordTest.valid(txt), domain, fallback);
    }

    private static AuthenticationFacts facts(List<String> dkim, SpfResult spf, String mailFrom) {
        return new AuthenticationFacts(dkim, spf, mailFrom);
    }

    private static final AuthenticationFacts NOTHING_PASSES = facts(List.of(), SpfResult.FAIL, "evil.example.net");

    @Nested
    class Alignment {
        private final DmarcEvaluator evaluator = new DmarcEvaluator(NEVER_DRAWN, Policy.REJECT);

        @Test
        void passesOnRelaxedAlignedDkim() {
            DmarcResult result = evaluator.evaluate("example.com",
                facts(List.of("mail.example.com"), SpfResult.FAIL, "example.net"),
                found("v=DMARC1; p=reject", "example.com", false));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.PASS);
            assertThat(result.disposition()).isEqualTo(Policy.NONE);
            assertThat(result.dkimAligned()).isTrue();
            assertThat(result.spfAligned()).isFalse();
        }

        @Test
        void strictDkimAlignmentRefusesASubdomainSignature() {
            DmarcResult result = evaluator.evaluate("example.com",
                facts(List.of("mail.example.com"), SpfResult.NONE, ""),
                found("v=DMARC1; p=reject; adkim=s", "example.com", false));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.FAIL);
            assertThat(result.disposition()).isEqualTo(Policy.REJECT);
        }

        @Test
        void passesOnAnyOneAlignedSignatureAmongOthers() {
            DmarcResult result = evaluator.evaluate("example.com",
                facts(List.of("esp.example.net", "example.com"), SpfResult.NONE, ""),
                found("v=DMARC1; p=reject; adkim=s", "example.com", false));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.PASS);
        }

        @Test
        void passesOnRelaxedAlignedSpf() {
            DmarcResult result = evaluator.evaluate("example.com",
                facts(List.of(), SpfResult.PASS, "bounce.example.com"),
                found("v=DMARC1; p=reject", "example.com", false));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.PASS);
            assertThat(result.spfAligned()).isTrue();
        }

        @Test
        void strictSpfAlignmentRefusesASubdomainMailFrom() {
            DmarcResult result = evaluator.evaluate("example.com",
                facts(List.of(), SpfResult.PASS, "bounce.example.com"),
                found("v=DMARC1; p=quarantine; aspf=s", "example.com", false));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.FAIL);
            assertThat(result.disposition()).isEqualTo(Policy.QUARANTINE);
        }

        /** An aligned SPF {@code temperror} is no fail: see {@link TemporaryErrorsThatCouldHaveAligned}. */
        @ParameterizedTest
        @CsvSource({"SOFTFAIL", "NEUTRAL", "NONE", "FAIL", "PERMERROR"})
        void onlyAnSpfPassCounts(SpfResult spf) {
            DmarcResult result = evaluator.evaluate("example.com", facts(List.of(), spf, "example.com"),
                found("v=DMARC1; p=reject", "example.com", false));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.FAIL);
        }

        @Test
        void anUnalignedPassIsAFail() {
            DmarcResult result = evaluator.evaluate("example.com",
                facts(List.of("example.net"), SpfResult.PASS, "example.net"),
                found("v=DMARC1; p=reject", "example.com", false));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.FAIL);
            assertThat(result.reason()).isEqualTo("no aligned DKIM or SPF pass; p=reject of _dmarc.example.com");
        }

        @Test
        void aFailUnderOrganisationalFallbackAppliesSp() {
            DmarcResult result = evaluator.evaluate("mail.example.com", NOTHING_PASSES,
                found("v=DMARC1; p=reject; sp=quarantine", "example.com", true));
            assertThat(result.disposition()).isEqualTo(Policy.QUARANTINE);
            assertThat(result.reason()).contains("sp=quarantine of _dmarc.example.com");
        }

        @Test
        void aFailUnderPNoneHasDispositionNone() {
            DmarcResult result = evaluator.evaluate("example.com", NOTHING_PASSES,
                found("v=DMARC1; p=none; pct=10", "example.com", false));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.FAIL);
            assertThat(result.disposition()).isEqualTo(Policy.NONE);
        }
    }

    @Nested
    class Sampling {
        @ParameterizedTest(name = "pct={0} draw={1} -> {2}")
        @CsvSource({
            "50, 0, REJECT, false",
            "50, 49, REJECT, false",
            "50, 50, QUARANTINE, true",
            "50, 99, QUARANTINE, true",
            "0, 0, QUARANTINE, true",
            "99, 98, REJECT, false",
            "99, 99, QUARANTINE, true",
        })
        void aSampledOutRejectBecomesQuarantine(int pct, int draw, Policy expected, boolean sampledOut) {
            DmarcResult result = new DmarcEvaluator(() -> draw, Policy.REJECT).evaluate("example.com",
                NOTHING_PASSES, found("v=DMARC1; p=reject; pct=" + pct, "example.com", false));
            assertThat(result.disposition()).isEqualTo(expected);
            assertThat(result.sampledOut()).isEqualTo(sampledOut);
            assertThat(result.result()).isEqualTo(DmarcResult.Result.FAIL);
        }

        @Test
        void aSampledOutQuarantineBecomesNone() {
            DmarcResult result = new DmarcEvaluator(() -> 80, Policy.REJECT).evaluate("example.com",
                NOTHING_PASSES, found("v=DMARC1; p=quarantine; pct=20", "example.com", false));
            assertThat(result.disposition()).isEqualTo(Policy.NONE);
            assertThat(result.reason()).endsWith("sampled out by pct=20 to none");
        }

        @Test
        void pctHundredNeverDraws() {
            DmarcResult result = new DmarcEvaluator(NEVER_DRAWN, Policy.REJECT).evaluate("example.com",
                NOTHING_PASSES, found("v=DMARC1; p=reject", "example.com", false));
            assertThat(result.disposition()).isEqualTo(Policy.REJECT);
        }

        @Test
        void drawsOncePerFailingMessage() {
            AtomicInteger draws = new AtomicInteger();
            DmarcEvaluator evaluator = new DmarcEvaluator(() -> {
                draws.incrementAndGet();
                return 10;
            }, Policy.REJECT);
            evaluator.evaluate("example.com", NOTHING_PASSES, found("v=DMARC1; p=reject; pct=50", "example.com", false));
            evaluator.evaluate("example.com", facts(List.of("example.com"), SpfResult.NONE, ""),
                found("v=DMARC1; p=reject; pct=50", "example.com", false));
            assertThat(draws).hasValue(1);
        }

        @Test
        void aRandomGeneratorSourceIsDeterministicWithASeed() {
            DmarcEvaluator evaluator = DmarcEvaluator.withRandom(new java.util.SplittableRandom(42));
            DmarcResult result = evaluator.evaluate("example.com", NOTHING_PASSES,
                found("v=DMARC1; p=reject; pct=0", "example.com", false));
            assertThat(result.disposition()).isEqualTo(Policy.QUARANTINE);
        }

        @Test
        void aSourceOutOfRangeIsAProgrammingError() {
            DmarcEvaluator evaluator = new DmarcEvaluator(() -> 100, Policy.REJECT);
            assertThatThrownBy(() -> evaluator.evaluate("example.com", NOTHING_PASSES,
                found("v=DMARC1; p=reject; pct=50", "example.com", false)))
                .isInstanceOf(IllegalStateException.class);
        }
    }

    /** RFC 7489 section 6.6.2: a check that failed temporarily and could have aligned leaves the result open. */
    @Nested
    class TemporaryErrorsThatCouldHaveAligned {
        private final DmarcEvaluator evaluator = new DmarcEvaluator(NEVER_DRAWN, Policy.REJECT);

        private DmarcResult evaluate(AuthenticationFacts facts, String record) {
            return evaluator.evaluate("example.com", facts, found(record, "example.com", false));
        }

        @Test
        void anAlignedSpfTemperrorIsTemperrorNotFail() {
            DmarcResult result = evaluate(new AuthenticationFacts(List.of(), SpfResult.TEMPERROR, "bounce.example.com"),
                "v=DMARC1; p=reject");
            assertThat(result.result()).isEqualTo(DmarcResult.Result.TEMPERROR);
            assertThat(result.disposition()).isEqualTo(Policy.NONE);
            assertThat(result.reason()).contains("SPF of bounce.example.com");
        }

        @Test
        void anAlignedDkimTemperrorIsTemperrorNotFail() {
            DmarcResult result = evaluate(new AuthenticationFacts(List.of("other.example"),
                List.of("mail.example.com"), SpfResult.FAIL, "example.com"), "v=DMARC1; p=reject");
            assertThat(result.result()).isEqualTo(DmarcResult.Result.TEMPERROR);
            assertThat(result.disposition()).isEqualTo(Policy.NONE);
            assertThat(result.reason()).contains("DKIM of d=mail.example.com");
        }

        @Test
        void aDkimTemperrorOfAnUnalignedDomainStaysAFail() {
            DmarcResult result = evaluate(new AuthenticationFacts(List.of(), List.of("example.net"), SpfResult.FAIL,
                "example.com"), "v=DMARC1; p=reject");
            assertThat(result.result()).isEqualTo(DmarcResult.Result.FAIL);
            assertThat(result.disposition()).isEqualTo(Policy.REJECT);
        }

        @Test
        void strictAlignmentDecidesWhetherATemperrorCouldHaveAligned() {
            DmarcResult dkim = evaluate(new AuthenticationFacts(List.of(), List.of("mail.example.com"),
                SpfResult.FAIL, "example.com"), "v=DMARC1; p=reject; adkim=s");
            DmarcResult spf = evaluate(new AuthenticationFacts(List.of(), SpfResult.TEMPERROR, "bounce.example.com"),
                "v=DMARC1; p=reject; aspf=s");
            assertThat(dkim.result()).isEqualTo(DmarcResult.Result.FAIL);
            assertThat(spf.result()).isEqualTo(DmarcResult.Result.FAIL);
        }

        @Test
        void anSpfTemperrorOfAnUnalignedMailFromStaysAFail() {
            DmarcResult result = evaluate(new AuthenticationFacts(List.of(), SpfResult.TEMPERROR, "example.net"),
                "v=DMARC1; p=reject");
            assertThat(result.result()).isEqualTo(DmarcResult.Result.FAIL);
        }

        @Test
        void anAlignedPassOutweighsATemperror() {
            DmarcResult result = evaluate(new AuthenticationFacts(List.of("example.com"), List.of("example.com"),
                SpfResult.TEMPERROR, "example.com"), "v=DMARC1; p=reject");
            assertThat(result.result()).isEqualTo(DmarcResult.Result.PASS);
        }
    }

    @Nested
    class DiscoveryOutcomes {
        private final DmarcEvaluator evaluator = new DmarcEvaluator(NEVER_DRAWN, Policy.REJECT);

        @Test
        void noPolicyIsNone() {
            DmarcResult result = evaluator.evaluate("example.com", NOTHING_PASSES, new DmarcPolicyDiscovery.None("no record"));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.NONE);
            assertThat(result.disposition()).isEqualTo(Policy.NONE);
        }

        @Test
        void aTempErrorIsTemperror() {
            DmarcResult result = evaluator.evaluate("example.com", NOTHING_PASSES,
                new DmarcPolicyDiscovery.TempError("SERVFAIL"));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.TEMPERROR);
            assertThat(result.disposition()).isEqualTo(Policy.NONE);
        }

        @Test
        void aPermErrorIsPermerrorWithoutDisposition() {
            DmarcResult result = evaluator.evaluate("example.com", NOTHING_PASSES,
                new DmarcPolicyDiscovery.PermError("2 DMARC records"));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.PERMERROR);
            assertThat(result.disposition()).isEqualTo(Policy.NONE);
        }
    }

    @Nested
    class MalformedAuthor {
        private final DmarcEvaluator evaluator = new DmarcEvaluator(NEVER_DRAWN, Policy.REJECT);
        private final DmarcPolicyDiscovery noDns = new DmarcPolicyDiscovery((name, type) -> {
            throw new AssertionError("no DNS query for a malformed From");
        });

        private DmarcResult evaluate(List<String> fromDomains) {
            return evaluator.evaluate(AuthorDomain.fromDomains(fromDomains), NOTHING_PASSES, noDns)
                .toCompletableFuture().join();
        }

        @Test
        void noFromIsAPermerrorRejected() {
            DmarcResult result = evaluate(List.of());
            assertThat(result.result()).isEqualTo(DmarcResult.Result.PERMERROR);
            assertThat(result.disposition()).isEqualTo(Policy.REJECT);
            assertThat(result.reason()).isEqualTo("the message has no RFC5322.From address");
        }

        @Test
        void severalFromDomainsAreAPermerrorRejected() {
            DmarcResult result = evaluate(List.of("example.com", "example.net"));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.PERMERROR);
            assertThat(result.disposition()).isEqualTo(Policy.REJECT);
            assertThat(result.authorDomain()).isEqualTo("example.com,example.net");
        }

        @Test
        void anUnparsableFromIsAPermerrorRejected() {
            DmarcResult result = evaluate(List.of("example..com"));
            assertThat(result.result()).isEqualTo(DmarcResult.Result.PERMERROR);
            assertThat(result.disposition()).isEqualTo(Policy.REJECT);
        }

        @Test
        void theMalformedDispositionIsConfigurable() {
            DmarcResult result = new DmarcEvaluator(NEVER_DRAWN, Policy.QUARANTINE)
                .malformed(AuthorDomain.fromDomains(List.of()));
            assertThat(result.disposition()).isEqualTo(Policy.QUARANTINE);
        }

        @Test
        void severalAddressesOfOneDomainAreOneAuthorDomain() {
            assertThat(AuthorDomain.fromDomains(List.of("Example.com", "example.com.")))
                .isEqualTo(new AuthorDomain.Single("example.com"));
        }
    }

    @Nested
    class OverDns {
        @Test
        void evaluatesEndToEndAndReportsATimeoutAsTemperror() {
            try (TestDnsServer dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start()) {
                DmarcPolicyDiscovery discovery = new DmarcPolicyDiscovery(DnsJavaClient.create(
                    List.of(new InetSocketAddress(dns.host(), dns.port())), Duration.ofSeconds(2), 0));
                dns.zone("example.com").txt("_dmarc", "v=DMARC1; p=reject");
                DmarcEvaluator evaluator = new DmarcEvaluator(NEVER_DRAWN, Policy.REJECT);
                AuthorDomain author = AuthorDomain.fromDomains(List.of("example.com"));

                assertThat(evaluator.evaluate(author, NOTHING_PASSES, discovery).toCompletableFuture().join())
                    .satisfies(r -> {
                        assertThat(r.result()).isEqualTo(DmarcResult.Result.FAIL);
                        assertThat(r.disposition()).isEqualTo(Policy.REJECT);
                    });

                dns.fault("_dmarc.example.com", Type.TXT, Fault.noAnswer());
                assertThat(evaluator.evaluate(author, NOTHING_PASSES, discovery).toCompletableFuture().join()
                    .result()).isEqualTo(DmarcResult.Result.TEMPERROR);
            }
        }
    }
}
