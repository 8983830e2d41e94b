package org.tesjames.benchmarks;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

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
import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.DaneResult;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestPki;

/**
 * The DANE cost of one outbound connection with a warm DNS cache: the destination lookup (MX, addresses, TLSA,
 * all validated answers from the cache) plus the verification of the presented chain against the TLSA records.
 * The test DNS server serves a signed zone (validated by dnsjava's {@code ValidatingResolver} with the server's
 * test anchor) whose MX host has a DANE-TA(2) 2 1 1 record for a CA-issued chain (leaf and intermediate).
 * Also prints the DNS query count of one destination, cold and warm.
 *
 * <p>Run: {@code bin/bench dane} or {@code java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*'
 * org.tesjames.benchmarks.DaneBenchmark [JMH options]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DaneBenchmark {
    static final String DOMAIN = "dane.bench.test";

    private TestDnsServer dns;
    private DaneLookup lookup;
    private DaneVerifier verifier;
    private List<X509Certificate> chain;

    @Setup(Level.Trial)
    public void setUp() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        TestPki pki = TestPki.create("Bench Root", "Bench Intermediate", KeyType.RSA_2048);
        TestCertificate leaf = pki.issue("mx." + DOMAIN);
        chain = leaf.chain();
        byte[] intermediateSpkiSha256 = pki.issuer().spkiSha256();
        dns.zone(DOMAIN).mx("@", 10, "mx").a("mx", "127.0.0.2").tlsa("_25._tcp.mx", 2, 1, 1, intermediateSpkiSha256);
        DnsJavaClient validating = DnsJavaClient.overResolvers(
            List.of(new DnsJavaClient.Upstream("test", dns.newValidatingResolver())), 0);
        lookup = new DaneLookup(CachingDnsClient.builder(validating).minTtl(Duration.ofHours(1)).build());
        verifier = new DaneVerifier(Clock.systemUTC());

        DaneResult cold = check();
        long coldQueries = dns.queryCount();
        DaneResult warm = check();
        long warmQueries = dns.queryCount() - coldQueries;
        if (!(cold instanceof DaneResult.Verified) || !(warm instanceof DaneResult.Verified)) {
            throw new IllegalStateException("the benchmark destination does not verify: " + cold + " / " + warm);
        }
        System.out.printf("%nDNS queries for one destination: cold %d (incl. DNSKEY/DS of the chain of trust),"
            + " warm %d%n", coldQueries, warmQueries);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dns.close();
    }

    /** Lookup and verification, as one outbound connection needs them. */
    private DaneResult check() {
        DaneLookup.Destination destination = lookup.lookup(DOMAIN).toCompletableFuture().join();
        DaneLookup.Host host = destination.hosts().get(0);
        if (host.outcome() != DaneHostOutcome.SECURE_USABLE) {
            throw new IllegalStateException("expected a secure usable host: " + host);
        }
        Collection<TlsaRecord> records = host.selection().orElseThrow().usable();
        Set<String> names = host.referenceIdentifiers().stream().map(name -> name.toString(true))
            .collect(Collectors.toSet());
        return verifier.verify(chain, records, names);
    }

    /** The whole DANE check of one connection with a warm cache. */
    @Benchmark
    public DaneResult daneCheckWarm() {
        return check();
    }

    /** Only the destination lookup, from the warm cache. */
    @Benchmark
    public DaneLookup.Destination lookupWarm() {
        return lookup.lookup(DOMAIN).toCompletableFuture().join();
    }

    /** Runs the benchmarks (JMH options accepted) and prints the per-connection cost. */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(new OptionsBuilder()
            .parent(cli)
            .include(DaneBenchmark.class.getName() + "\\.")
            .build()).run();
        for (RunResult result : results) {
            System.out.printf("%s: %.1f us/op%n", result.getParams().getBenchmark(),
                result.getPrimaryResult().getScore());
        }
    }
}
