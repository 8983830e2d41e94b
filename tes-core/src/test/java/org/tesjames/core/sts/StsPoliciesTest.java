package org.tesjames.core.sts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dns.MutableClock;
import org.tesjames.core.tlsrpt.ResultType;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

/** Discovery and cache of RFC 8461 section 5.1, over a scripted TXT answer and a scripted fetch. */
class StsPoliciesTest {
    private static final String DOMAIN = "example.test";
    private static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 86400\n";
    private static final String ENFORCE_MX2 = "version: STSv1\nmode: enforce\nmx: mx2.example.test\nmax_age: 86400\n";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Map<String, DnsResult> txt = new ConcurrentHashMap<>();
    private final Map<String, Object> policies = new ConcurrentHashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private final DnsClient dns = (name, type) -> CompletableFuture.completedFuture(
        txt.getOrDefault(name.toString(), new DnsResult.NxDomain(name, type, Duration.ofSeconds(60), false)));
    private final StsPolicyFetcher fetcher = domain -> {
        fetches.incrementAndGet();
        Object answer = policies.get(domain);
        if (answer instanceof StsFetchException e) {
            throw e;
        }
        if (answer == null) {
            throw new StsFetchException(ResultType.STS_POLICY_FETCH_ERROR, "connection refused", null);
        }
        return (String) answer;
    };
    private final StsPolicies sts = new StsPolicies(dns, fetcher, clock, Duration.ofSeconds(5), 100);

    private void record(String domain, String... texts) {
        try {
            Name name = Name.fromString("_mta-sts." + domain + ".");
            List<Record> records = new ArrayList<>();
            for (String text : texts) {
                records.add(new TXTRecord(name, DClass.IN, 60, text));
            }
            txt.put(name.toString(), new DnsResult.Answer(name, 16, records, Duration.ofSeconds(60), false));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void txtFailure(String domain) throws Exception {
        Name name = Name.fromString("_mta-sts." + domain + ".");
        txt.put(name.toString(), new DnsResult.Failure(name, 16, DnsResult.Failure.Kind.SERVFAIL, "test"));
    }

    private void noTxt(String domain) throws Exception {
        Name name = Name.fromString("_mta-sts." + domain + ".");
        txt.put(name.toString(), new DnsResult.NoData(name, 16, Duration.ofSeconds(60), false));
    }

    private StsLookup.Found found(StsLookup lookup) {
        assertThat(lookup).isInstanceOf(StsLookup.Found.class);
        return (StsLookup.Found) lookup;
    }

    @Test
    void aDomainWithoutRecordHasNoPolicyAndNothingIsFetched() {
        StsLookup lookup = sts.lookup(DOMAIN);

        assertThat(lookup).isInstanceOfSatisfying(StsLookup.None.class, none -> {
            assertThat(none.reason()).contains("no _mta-sts.example.test TXT record");
            assertThat(none.problem()).isEmpty();
        });
        assertThat(fetches).hasValue(0);
    }

    @Test
    void theFirstLookupFetchesAndTheNextOnesUseTheCacheWhileTheIdStays() {
        record(DOMAIN, "v=STSv1; id=1;");
        policies.put(DOMAIN, ENFORCE);

        StsLookup.Found first = found(sts.lookup(DOMAIN));
        StsLookup.Found second = found(sts.lookup("Example.TEST."));

        assertThat(first.source()).isEqualTo(StsLookup.Source.FETCHED);
        assertThat(first.policy().mx()).containsExactly("mx1.example.test");
        assertThat(second.source()).isEqualTo(StsLookup.Source.CACHED);
        assertThat(fetches).hasValue(1);
    }

    @Test
    void aNewIdFetchesThePolicyAgain() {
        record(DOMAIN, "v=STSv1; id=1;");
        policies.put(DOMAIN, ENFORCE);
        sts.lookup(DOMAIN);
        record(DOMAIN, "v=STSv1; id=2;");
        policies.put(DOMAIN, ENFORCE_MX2);

        StsLookup.Found refreshed = found(sts.lookup(DOMAIN));

        assertThat(refreshed.source()).isEqualTo(StsLookup.Source.FETCHED);
        assertThat(refreshed.id()).isEqualTo("2");
        assertThat(refreshed.policy().mx()).containsExactly("mx2.example.test");
        assertThat(fetches).hasValue(2);
    }

    @Test
    void anExpiredPolicyIsFetchedAgainEvenUnderTheSameId() {
        record(DOMAIN, "v=STSv1; id=1;");
        policies.put(DOMAIN, ENFORCE);
        sts.lookup(DOMAIN);
        clock.advance(Duration.ofSeconds(86400));

        assertThat(found(sts.lookup(DOMAIN)).source()).isEqualTo(StsLookup.Source.FETCHED);
        assertThat(fetches).hasValue(2);
    }

    @Nested
    class ACachedPolicyKeepsProtecting {
        @Test
        void whenTheRefetchAfterANewIdFails() {
            record(DOMAIN, "v=STSv1; id=1;");
            policies.put(DOMAIN, ENFORCE);
            sts.lookup(DOMAIN);
            record(DOMAIN, "v=STSv1; id=2;");
            policies.remove(DOMAIN);

            StsLookup.Found kept = found(sts.lookup(DOMAIN));

            assertThat(kept.source()).isEqualTo(StsLookup.Source.CACHED_AFTER_FAILURE);
            assertThat(kept.id()).isEqualTo("1");
            assertThat(kept.policy().mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
            assertThat(kept.problem()).hasValueSatisfying(problem -> {
                assertThat(problem.type()).isEqualTo(ResultType.STS_POLICY_FETCH_ERROR);
                assertThat(problem.detail()).contains("connection refused");
            });
        }

        @Test
        void whenTheNewPolicyIsInvalid() {
            record(DOMAIN, "v=STSv1; id=1;");
            policies.put(DOMAIN, ENFORCE);
            sts.lookup(DOMAIN);
            record(DOMAIN, "v=STSv1; id=2;");
            policies.put(DOMAIN, "version: STSv1\nmode: enforce\nmax_age: 5\n");

            StsLookup.Found kept = found(sts.lookup(DOMAIN));

            assertThat(kept.source()).isEqualTo(StsLookup.Source.CACHED_AFTER_FAILURE);
            assertThat(kept.problem().orElseThrow().type()).isEqualTo(ResultType.STS_POLICY_INVALID);
        }

        @Test
        void whenTheTxtLookupFailsTemporarily() throws Exception {
            record(DOMAIN, "v=STSv1; id=1;");
            policies.put(DOMAIN, ENFORCE);
            sts.lookup(DOMAIN);
            txtFailure(DOMAIN);

            StsLookup.Found kept = found(sts.lookup(DOMAIN));

            assertThat(kept.source()).isEqualTo(StsLookup.Source.CACHED_AFTER_FAILURE);
            assertThat(kept.problem().orElseThrow().detail()).contains("SERVFAIL");
            assertThat(fetches).hasValue(1);
        }

        @Test
        void whenTheTxtRecordIsGoneUntilItExpires() throws Exception {
            record(DOMAIN, "v=STSv1; id=1;");
            policies.put(DOMAIN, ENFORCE);
            sts.lookup(DOMAIN);
            noTxt(DOMAIN);

            assertThat(found(sts.lookup(DOMAIN)).source()).isEqualTo(StsLookup.Source.CACHED);
            clock.advance(Duration.ofSeconds(86400));
            assertThat(sts.lookup(DOMAIN)).isInstanceOf(StsLookup.None.class);
        }

        @Test
        void whenTwoStsRecordsArePublished() {
            record(DOMAIN, "v=STSv1; id=1;");
            policies.put(DOMAIN, ENFORCE);
            sts.lookup(DOMAIN);
            record(DOMAIN, "v=STSv1; id=2;", "v=STSv1; id=3;", "v=spf1 -all");

            assertThat(found(sts.lookup(DOMAIN)).id()).isEqualTo("1");
        }
    }

    @Nested
    class WithoutCachedPolicy {
        @Test
        void aTemporaryTxtFailureIsNoPolicy() throws Exception {
            txtFailure(DOMAIN);

            assertThat(sts.lookup(DOMAIN)).isInstanceOfSatisfying(StsLookup.None.class,
                none -> assertThat(none.reason()).contains("failed temporarily (SERVFAIL"));
        }

        @Test
        void aFailedFetchIsNoPolicyWithTheProblemToReport() {
            record(DOMAIN, "v=STSv1; id=1;");
            policies.put(DOMAIN, new StsFetchException(ResultType.STS_WEBPKI_INVALID, "untrusted", null));

            assertThat(sts.lookup(DOMAIN)).isInstanceOfSatisfying(StsLookup.None.class,
                none -> assertThat(none.problem().orElseThrow().type()).isEqualTo(ResultType.STS_WEBPKI_INVALID));
        }

        @Test
        void anInvalidRecordOrSeveralRecordsAreNoPolicy() {
            record(DOMAIN, "v=STSv1; id=not-valid;");
            assertThat(sts.lookup(DOMAIN)).isInstanceOfSatisfying(StsLookup.None.class,
                none -> assertThat(none.reason()).contains("invalid TXT record"));
            record(DOMAIN, "v=STSv1; id=2;", "v=STSv1; id=3;");
            assertThat(sts.lookup(DOMAIN)).isInstanceOfSatisfying(StsLookup.None.class,
                none -> assertThat(none.reason()).contains("2 v=STSv1 TXT records"));
            assertThat(fetches).hasValue(0);
        }

        @Test
        void anInvalidPolicyIsNoPolicyWithTheProblemToReport() {
            record(DOMAIN, "v=STSv1; id=1;");
            policies.put(DOMAIN, "version: STSv1\nmode: strict\nmx: a.example\nmax_age: 5\n");

            assertThat(sts.lookup(DOMAIN)).isInstanceOfSatisfying(StsLookup.None.class, none -> {
                assertThat(none.problem().orElseThrow().type()).isEqualTo(ResultType.STS_POLICY_INVALID);
                assertThat(none.reason()).contains("mode 'strict'");
            });
        }
    }

    @Test
    void theCacheHoldsAtMostItsSizeTheLeastRecentlyUsedLeavingFirst() {
        StsPolicies small = new StsPolicies(dns, fetcher, clock, Duration.ofSeconds(5), 2);
        for (String domain : List.of("a.test", "b.test", "c.test")) {
            record(domain, "v=STSv1; id=1;");
            policies.put(domain, ENFORCE);
        }
        small.lookup("a.test");
        small.lookup("b.test");
        small.lookup("a.test");
        small.lookup("c.test");

        assertThat(small.cacheSize()).isEqualTo(2);
        assertThat(small.cached("a.test")).isPresent();
        assertThat(small.cached("b.test")).isEmpty();
        assertThat(small.cached("c.test")).isPresent();
    }

    @Test
    void concurrentLookupsOfOneDomainShareOneFetch() throws Exception {
        record(DOMAIN, "v=STSv1; id=1;");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger slowFetches = new AtomicInteger();
        StsPolicies shared = new StsPolicies(dns, domain -> {
            slowFetches.incrementAndGet();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ENFORCE;
        }, clock, Duration.ofSeconds(5), 10);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<StsLookup>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> shared.lookup(DOMAIN)));
            }
            Thread.sleep(300);
            release.countDown();
            for (Future<StsLookup> result : results) {
                assertThat(found(result.get(5, TimeUnit.SECONDS)).policy().mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(slowFetches).hasValue(1);
    }
}
