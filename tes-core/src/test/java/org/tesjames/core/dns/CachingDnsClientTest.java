package org.tesjames.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class CachingDnsClientTest implements DnsClientContract {

    private TestDnsServer dns;
    private DnsJavaClient upstream;
    private MutableClock clock;
    private CachingDnsClient client;

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.start();
        DnsClientContract.populate(dns);
        upstream = DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0);
        clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
        client = cache().build();
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private CachingDnsClient.Builder cache() {
        return CachingDnsClient.builder(upstream).clock(clock);
    }

    @Override
    public TestDnsServer dns() {
        return dns;
    }

    @Override
    public DnsClient client() {
        return client;
    }

    private static DnsResult resolveWith(DnsClient c, String name, int type) throws Exception {
        return c.query(Name.fromString(name), type).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private void advance(long seconds) {
        clock.advance(Duration.ofSeconds(seconds));
    }

    @Nested
    class PositiveCaching {
        @Test
        void warmCacheCostsNoUpstreamQuery() throws Exception {
            resolve("www.example.com.", Type.A);

            DnsResult again = resolve("www.example.com.", Type.A);

            assertThat(again).isInstanceOf(DnsResult.Answer.class);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);
            assertThat(client.stats()).isEqualTo(new CachingDnsClient.Stats(1, 1, 0, 1, 0));
        }

        @Test
        void cachedGivesAFreshEntryAndAsksNothingUpstream() throws Exception {
            Name www = Name.fromString("www.example.com.");
            assertThat(client.cached(www, Type.A)).as("nothing cached yet").isEmpty();
            resolve("www.example.com.", Type.A);
            advance(100);

            assertThat(client.cached(www, Type.A)).hasValueSatisfying(result -> {
                assertThat(result).isInstanceOf(DnsResult.Answer.class);
                assertThat(result.ttl()).isEqualTo(Duration.ofSeconds(500));
            });
            advance(500);
            assertThat(client.cached(www, Type.A)).as("expired").isEmpty();
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);
            assertThat(client.stats()).as("one hit; the questions without an entry count nothing")
                .isEqualTo(new CachingDnsClient.Stats(1, 1, 0, 1, 0));
        }

        @Test
        void cachedAnswersCarryTheRemainingTtl() throws Exception {
            resolve("www.example.com.", Type.A);
            advance(100);

            assertThat(resolve("www.example.com.", Type.A).ttl()).isEqualTo(Duration.ofSeconds(500));
        }

        @Test
        void refreshesWhenTheTtlExpires() throws Exception {
            resolve("www.example.com.", Type.A);
            advance(599);
            resolve("www.example.com.", Type.A);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);

            advance(1);
            DnsResult refreshed = resolve("www.example.com.", Type.A);

            assertThat(refreshed.ttl()).isEqualTo(Duration.ofSeconds(600));
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(2);
        }

        @Test
        void cnameAnswersLiveAsLongAsTheShortestTtlOfTheChain() throws Exception {
            resolve("alias.example.com.", Type.A);
            advance(60);
            resolve("alias.example.com.", Type.A);

            assertThat(dns.queryCount("alias.example.com", Type.A)).isEqualTo(2);
        }

        @Test
        void capsTtlsAtTheMaxTtl() throws Exception {
            CachingDnsClient capped = cache().maxTtl(Duration.ofSeconds(60)).build();
            resolveWith(capped, "www.example.com.", Type.A);
            advance(59);
            resolveWith(capped, "www.example.com.", Type.A);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);

            advance(1);
            resolveWith(capped, "www.example.com.", Type.A);

            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(2);
        }

        @Test
        void keepsShortTtlsForTheMinTtl() throws Exception {
            dns.zone("example.com").ttl(5).a("brief", "192.0.2.5");
            CachingDnsClient floored = cache().minTtl(Duration.ofSeconds(30)).build();
            resolveWith(floored, "brief.example.com.", Type.A);
            advance(29);
            resolveWith(floored, "brief.example.com.", Type.A);

            assertThat(dns.queryCount("brief.example.com", Type.A)).isEqualTo(1);
        }

        @Test
        void namesAreCaseInsensitive() throws Exception {
            resolve("www.example.com.", Type.A);

            DnsResult upper = resolve("WWW.Example.COM", Type.A);

            assertThat(upper).isInstanceOf(DnsResult.Answer.class);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);
        }

        @Test
        void typesAreCachedSeparately() throws Exception {
            resolve("www.example.com.", Type.A);
            resolve("www.example.com.", Type.AAAA);

            assertThat(dns.queryCount("www.example.com")).isEqualTo(2);
        }
    }

    @Nested
    class NegativeCaching {
        @Test
        void nxDomainIsCachedForTheSoaMinimum() throws Exception {
            resolve("nowhere.example.com.", Type.A);
            advance(119);
            DnsResult cached = resolve("nowhere.example.com.", Type.A);
            assertThat(cached).isInstanceOf(DnsResult.NxDomain.class);
            assertThat(cached.ttl()).isEqualTo(Duration.ofSeconds(1));
            assertThat(dns.queryCount("nowhere.example.com", Type.A)).isEqualTo(1);

            advance(1);
            resolve("nowhere.example.com.", Type.A);

            assertThat(dns.queryCount("nowhere.example.com", Type.A)).isEqualTo(2);
        }

        @Test
        void noDataIsCachedForTheSoaMinimum() throws Exception {
            resolve("www.example.com.", Type.AAAA);
            advance(119);
            assertThat(resolve("www.example.com.", Type.AAAA)).isInstanceOf(DnsResult.NoData.class);
            assertThat(dns.queryCount("www.example.com", Type.AAAA)).isEqualTo(1);

            advance(1);
            resolve("www.example.com.", Type.AAAA);

            assertThat(dns.queryCount("www.example.com", Type.AAAA)).isEqualTo(2);
        }

        @Test
        void negativeAnswersAreCappedByTheMaxTtl() throws Exception {
            CachingDnsClient capped = cache().maxTtl(Duration.ofSeconds(10)).build();
            resolveWith(capped, "nowhere.example.com.", Type.A);
            advance(10);
            resolveWith(capped, "nowhere.example.com.", Type.A);

            assertThat(dns.queryCount("nowhere.example.com", Type.A)).isEqualTo(2);
        }
    }

    @Nested
    class FailureHoldDown {
        @Test
        void failuresAreHeldDownThenRetried() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.servfail().times(1));
            CachingDnsClient held = cache().failureHoldDown(Duration.ofSeconds(5)).build();

            assertThat(resolveWith(held, "www.example.com.", Type.A)).isInstanceOf(DnsResult.Failure.class);
            advance(4);
            assertThat(resolveWith(held, "www.example.com.", Type.A)).isInstanceOf(DnsResult.Failure.class);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);

            advance(1);
            assertThat(resolveWith(held, "www.example.com.", Type.A)).isInstanceOf(DnsResult.Answer.class);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(2);
        }

        @Test
        void zeroHoldDownDoesNotCacheFailures() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.servfail().times(1));
            CachingDnsClient uncached = cache().failureHoldDown(Duration.ZERO).build();

            assertThat(resolveWith(uncached, "www.example.com.", Type.A)).isInstanceOf(DnsResult.Failure.class);
            assertThat(resolveWith(uncached, "www.example.com.", Type.A)).isInstanceOf(DnsResult.Answer.class);
        }

        @Test
        void anUpstreamThatBreaksItsContractGivesAFailure() throws Exception {
            CachingDnsClient overBroken = CachingDnsClient.builder((n, t) -> CompletableFuture.failedFuture(
                    new IllegalStateException("boom"))).clock(clock).build();

            DnsResult result = resolveWith(overBroken, "www.example.com.", Type.A);

            assertThat(result).isInstanceOfSatisfying(DnsResult.Failure.class,
                    f -> assertThat(f.kind()).isEqualTo(DnsResult.Failure.Kind.NETWORK_ERROR));
        }
    }

    @Nested
    class Flushing {
        @Test
        void invalidatingANameForgetsEveryTypeOfItAndNothingElse() throws Exception {
            resolve("www.example.com.", Type.A);
            resolve("www.example.com.", Type.AAAA);
            resolve("example.com.", Type.MX);

            assertThat(client.invalidate(Name.fromString("WWW.example.com"))).isEqualTo(2);

            resolve("www.example.com.", Type.A);
            resolve("example.com.", Type.MX);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(2);
            assertThat(dns.queryCount("example.com", Type.MX)).isEqualTo(1);
            assertThat(client.invalidate(Name.fromString("absent.example.com."))).isZero();
        }

        @Test
        void clearingCountsTheEntriesAndAsksAgain() throws Exception {
            resolve("www.example.com.", Type.A);
            resolve("nonexistent.example.com.", Type.A);

            assertThat(client.clear()).isEqualTo(2);
            assertThat(client.size()).isZero();
            resolve("www.example.com.", Type.A);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(2);
        }
    }

    @Nested
    class SizeBound {
        @Test
        void evictsTheLeastRecentlyUsedEntry() throws Exception {
            dns.zone("example.com").a("a", "192.0.2.10").a("b", "192.0.2.11").a("c", "192.0.2.12");
            CachingDnsClient small = cache().maximumSize(2).build();
            resolveWith(small, "a.example.com.", Type.A);
            resolveWith(small, "b.example.com.", Type.A);
            resolveWith(small, "a.example.com.", Type.A); // a is now the most recently used
            resolveWith(small, "c.example.com.", Type.A); // evicts b

            resolveWith(small, "a.example.com.", Type.A);
            resolveWith(small, "c.example.com.", Type.A);
            resolveWith(small, "b.example.com.", Type.A);

            assertThat(small.size()).isEqualTo(2);
            assertThat(dns.queryCount("a.example.com", Type.A)).isEqualTo(1);
            assertThat(dns.queryCount("c.example.com", Type.A)).isEqualTo(1);
            assertThat(dns.queryCount("b.example.com", Type.A)).isEqualTo(2);
            assertThat(small.stats().evictions()).isEqualTo(2);
        }

        @Test
        void aFullCacheEvictsABatchOfItsLeastRecentlyUsedEntries() throws Exception {
            Map<Name, Integer> asked = new ConcurrentHashMap<>();
            DnsClient counting = (name, type) -> {
                asked.merge(name, 1, Integer::sum);
                return CompletableFuture.completedFuture(
                    new DnsResult.NoData(name, type, Duration.ofHours(1), false));
            };
            int size = 4 * CachingDnsClient.EVICTION_BATCH;
            CachingDnsClient full = CachingDnsClient.builder(counting).clock(clock).maximumSize(size).build();
            for (int i = 0; i < size; i++) {
                resolveWith(full, "n" + i + ".example.", Type.A);
            }
            for (int i = size / 2; i < size; i++) {
                resolveWith(full, "n" + i + ".example.", Type.A); // the newer half used again
            }
            for (int i = 0; i < 2; i++) {
                resolveWith(full, "n" + i + ".example.", Type.A); // then the two oldest
            }

            resolveWith(full, "extra.example.", Type.A); // one over: a batch of size / EVICTION_BATCH goes

            int batch = size / CachingDnsClient.EVICTION_BATCH;
            assertThat(full.stats().evictions()).isEqualTo(batch);
            assertThat(full.size()).isEqualTo(size + 1 - batch);
            // the least recently used were n2, n3, ...: those went; every entry used later is still cached (asked
            // first, as hits, since asking an evicted one again fills the cache up and evicts the next batch)
            for (int i = 0; i < size; i++) {
                if (i < 2 || i >= 2 + batch) {
                    resolveWith(full, "n" + i + ".example.", Type.A);
                    assertThat(asked.get(Name.fromString("n" + i + ".example."))).as("n%d asked", i).isEqualTo(1);
                }
            }
            for (int i = 2; i < 2 + batch; i++) {
                resolveWith(full, "n" + i + ".example.", Type.A);
                assertThat(asked.get(Name.fromString("n" + i + ".example."))).as("n%d asked", i).isEqualTo(2);
            }
        }
    }

    @Nested
    class Concurrency {
        @Test
        void aHitDoesNotWaitForTheLockThatMissesTake() throws Exception {
            resolve("www.example.com.", Type.A);
            Field field = CachingDnsClient.class.getDeclaredField("lock");
            field.setAccessible(true);
            Object lock = field.get(client);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                synchronized (lock) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            holder.start();
            try {
                assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
                // a thread that took the lock here (as a descheduled miss would hold it) must not stall hits
                CompletableFuture<DnsResult> hit = CompletableFuture.supplyAsync(() -> client.await(
                    Name.fromConstantString("www.example.com."), Type.A, Duration.ofSeconds(5)));

                assertThat(hit.get(5, TimeUnit.SECONDS)).isInstanceOf(DnsResult.Answer.class);
                assertThat(client.stats().hits()).isEqualTo(1);
            } finally {
                release.countDown();
                holder.join();
            }
        }

        @Test
        void manyThreadsHittingMissingAndEvictingKeepTheBoundAndTheCounts() throws Exception {
            DnsClient instant = (name, type) -> CompletableFuture.completedFuture(
                new DnsResult.NoData(name, type, Duration.ofHours(1), false));
            CachingDnsClient small = CachingDnsClient.builder(instant).clock(clock).maximumSize(64).build();
            int threads = 8;
            int queries = 5_000;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = t;
                    done.add(pool.submit(() -> {
                        Random random = new Random(seed);
                        int answers = 0;
                        for (int q = 0; q < queries; q++) {
                            // a hot set of 32 names and a long tail of 2000 that keeps the cache evicting
                            int n = random.nextInt(4) == 0 ? 32 + random.nextInt(2000) : random.nextInt(32);
                            if (resolveWith(small, "n" + n + ".example.", Type.A) instanceof DnsResult.NoData) {
                                answers++;
                            }
                        }
                        return answers;
                    }));
                }
                for (Future<Integer> answers : done) {
                    assertThat(answers.get(60, TimeUnit.SECONDS)).isEqualTo(queries);
                }
            } finally {
                pool.shutdownNow();
            }

            CachingDnsClient.Stats stats = small.stats();
            assertThat(small.size()).isBetween(1, 64);
            assertThat(stats.hits() + stats.misses()).isEqualTo((long) threads * queries);
            assertThat(stats.upstreamQueries()).isEqualTo(stats.misses() - stats.coalesced());
            assertThat(stats.evictions()).isGreaterThan(0);
            // every insertion is still cached or was evicted (an expired entry would be removed too, none expire)
            assertThat(stats.upstreamQueries()).isEqualTo(stats.evictions() + small.size());
            assertThat(stats.hits()).isGreaterThan(stats.misses());
        }
    }

    @Nested
    class InFlightSharing {
        @Test
        void twoHundredConcurrentFirstLookupsCostOneUpstreamQuery() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.delay(Duration.ofMillis(300)));
            ExecutorService callers = Executors.newFixedThreadPool(32);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<DnsResult>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    results.add(CompletableFuture.supplyAsync(() -> {
                        awaitQuietly(start);
                        return client.query(DnsClientContract.name("www.example.com."), Type.A);
                    }, callers).thenCompose(stage -> stage));
                }
                start.countDown();

                CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);

                assertThat(results).extracting(CompletableFuture::join)
                        .allSatisfy(r -> assertThat(r).isInstanceOf(DnsResult.Answer.class));
                assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);
                assertThat(client.stats().upstreamQueries()).isEqualTo(1);
                assertThat(client.stats().hits() + client.stats().coalesced()).isEqualTo(199);
                assertThat(client.inFlight()).isZero();
            } finally {
                callers.shutdownNow();
            }
        }

        @Test
        void concurrentCallersShareTheInFlightQueryUntilItCompletes() throws Exception {
            CompletableFuture<DnsResult> gate = new CompletableFuture<>();
            AtomicInteger calls = new AtomicInteger();
            CachingDnsClient gated = CachingDnsClient.builder((n, t) -> {
                calls.incrementAndGet();
                return gate;
            }).clock(clock).build();
            Name www = DnsClientContract.name("www.example.com.");

            List<CompletionStage<DnsResult>> stages = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                stages.add(gated.query(www, Type.A));
            }
            assertThat(gated.inFlight()).isEqualTo(1);
            assertThat(stages).allSatisfy(s -> assertThat(s.toCompletableFuture().isDone()).isFalse());

            DnsResult answer = new DnsResult.NoData(www, Type.A, Duration.ofSeconds(60), false);
            gate.complete(answer);

            assertThat(stages).allSatisfy(s -> assertThat(s.toCompletableFuture().getNow(null)).isEqualTo(answer));
            assertThat(calls).hasValue(1);
            assertThat(gated.stats()).isEqualTo(new CachingDnsClient.Stats(0, 200, 199, 1, 0));
            assertThat(gated.inFlight()).isZero();
        }

        @Test
        void aCallerCompletingItsStageDoesNotAffectTheOthers() throws Exception {
            CompletableFuture<DnsResult> gate = new CompletableFuture<>();
            CachingDnsClient gated = CachingDnsClient.builder((n, t) -> gate).clock(clock).build();
            Name www = DnsClientContract.name("www.example.com.");
            CompletionStage<DnsResult> first = gated.query(www, Type.A);
            CompletionStage<DnsResult> second = gated.query(www, Type.A);

            first.toCompletableFuture().complete(null);
            DnsResult answer = new DnsResult.NoData(www, Type.A, Duration.ofSeconds(60), false);
            gate.complete(answer);

            assertThat(second.toCompletableFuture().getNow(null)).isEqualTo(answer);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
