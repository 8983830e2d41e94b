package org.tesjames.benchmarks;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.tesjames.testing.tes.TesMembershipZones;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * Warm-cache membership verdicts: {@link MembershipResolver} over {@link CachingDnsClient} over
 * {@link DnsJavaClient}, against a {@link TestDnsServer} declaring one member chain, every answer cached in
 * {@code @Setup} (TTL floor of one hour, so nothing expires during the run). The verdict takes three cache hits
 * (CNAME, then two TXT combined); {@link #cacheHitBaseline} is one warm cache hit, measured in the same run,
 * and the ratio of the two is what {@link #main} reports.
 *
 * <p>Run: {@code bin/bench jmh} or {@code java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*'
 * org.tesjames.benchmarks.MembershipBenchmark [JMH options]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MembershipBenchmark {
    static final String MEMBER = "member.bench.test";
    static final String MASTER = "master.bench.test";
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private TestDnsServer dns;
    private CachingDnsClient cache;
    private MembershipResolver resolver;
    private Name masterQuery;

    @Setup(Level.Trial)
    public void setUp() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        TesMembershipZones.Chain chain = new TesMembershipZones(dns).member(MEMBER, MASTER);
        DnsJavaClient upstream = DnsJavaClient.create(
            List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(2), 1);
        cache = CachingDnsClient.builder(upstream).minTtl(Duration.ofHours(1)).build();
        resolver = new MembershipResolver(cache, TesMembershipZones.REGISTRY_ROOT);
        masterQuery = Name.fromConstantString(chain.tesMaster());

        MembershipVerdict warm = resolver.resolveWithin(MEMBER, DEADLINE);
        if (!(warm instanceof MembershipVerdict.Member)) {
            throw new IllegalStateException("the benchmark chain does not resolve to a member: " + warm);
        }
        long queries = dns.queryCount();
        if (!(resolver.resolveWithin(MEMBER, DEADLINE) instanceof MembershipVerdict.Member)
            || dns.queryCount() != queries) {
            throw new IllegalStateException("the cache is not warm: a second verdict queried the DNS server");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dns.close();
    }

    /** One membership verdict from a warm cache, as the SMTP hooks ask for it. */
    @Benchmark
    public MembershipVerdict membershipVerdict() {
        return resolver.resolveWithin(MEMBER, DEADLINE);
    }

    /** Baseline: one warm cache hit (the first step of the chain). */
    @Benchmark
    public DnsResult cacheHitBaseline() {
        return cache.query(masterQuery, Type.CNAME).toCompletableFuture().join();
    }

    /** Runs both benchmarks (JMH options accepted) and prints the ratio verdict / cache hit. */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(new OptionsBuilder()
            .parent(cli)
            .include(MembershipBenchmark.class.getName() + "\\.")
            .build()).run();
        double verdict = score(results, "membershipVerdict");
        double baseline = score(results, "cacheHitBaseline");
        System.out.printf("%nmembership verdict (warm): %,.0f ops/s%n", verdict);
        System.out.printf("one cache hit (baseline):  %,.0f ops/s%n", baseline);
        System.out.printf("ratio verdict/cache hit:   %.2f (a verdict costs %.1f cache hits)%n",
            verdict / baseline, baseline / verdict);
    }

    private static double score(Collection<RunResult> results, String method) {
        return results.stream()
            .filter(result -> result.getParams().getBenchmark().endsWith("." + method))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no result for " + method))
            .getPrimaryResult().getScore();
    }
}
