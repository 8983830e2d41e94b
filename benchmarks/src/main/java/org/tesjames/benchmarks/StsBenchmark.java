package org.tesjames.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.delivery.DeliveryPlan;
import org.tesjames.core.dane.delivery.DeliveryPlanner;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.sts.HttpsPolicyFetcher;
import org.tesjames.core.sts.ReportedPolicies;
import org.tesjames.core.sts.StsDeliveryRules;
import org.tesjames.core.sts.StsLookup;
import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.core.tlsrpt.TlsPolicy;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.tesjames.testing.sts.PolicyServer;
import org.tesjames.testing.tls.TestPki;

/**
 * The MTA-STS cost of planning one outbound destination with warm caches, against the DANE-only plan of the same
 * destination measured in the same run: {@code danePlanWarm} (the baseline: DANE lookup from the cache, the
 * opportunistic plan) and {@code daneAndStsPlanWarm} (the same, plus the MTA-STS lookup with its TXT record and
 * policy cached, the delivery rules and the TLS-RPT policies of the hosts), as {@code DanePlanningDnsService} does
 * for each destination. The destination is an unsigned zone (no DANE) with an {@code enforce} policy served by a
 * policy host on loopback, fetched once in the setup.
 *
 * <p>Run: {@code bin/bench sts [JMH options]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StsBenchmark {
    static final String DOMAIN = "sts.bench.test";

    private TestDnsServer dns;
    private PolicyServer policyServer;
    private DaneLookup lookup;
    private DeliveryPlanner planner;
    private StsPolicies policies;
    private StsDeliveryRules rules;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        TestPki pki = TestPki.create("Bench STS CA");
        policyServer = PolicyServer.start("127.0.0.1", 0, pki.issue("mta-sts." + DOMAIN));
        policyServer.policy("version: STSv1\nmode: enforce\nmx: mx." + DOMAIN + "\nmax_age: 86400\n");
        dns.zone(DOMAIN).unsigned().mx("@", 10, "mx").a("mx", "127.0.0.2").a("mta-sts", "127.0.0.1")
            .txt("_mta-sts", "v=STSv1; id=1;");
        DnsJavaClient validating = DnsJavaClient.overResolvers(
            List.of(new DnsJavaClient.Upstream("test", dns.newValidatingResolver())), 0);
        lookup = new DaneLookup(CachingDnsClient.builder(validating).minTtl(Duration.ofHours(1)).build());
        planner = new DeliveryPlanner(TlsVersion.TLS_V1_2, new DaneVerifier(Clock.systemUTC()));
        DnsClient plain = CachingDnsClient.builder(DnsJavaClient.overResolvers(
            List.of(new DnsJavaClient.Upstream("test", dns.newResolver())), 0)).minTtl(Duration.ofHours(1)).build();
        WebPkiTrust trust = trust(pki);
        policies = new StsPolicies(plain, new HttpsPolicyFetcher(plain, trust, policyServer.port(),
            Duration.ofSeconds(10), 65536, Clock.systemUTC()), Clock.systemUTC(), Duration.ofSeconds(10), 10000);
        rules = new StsDeliveryRules(trust, TlsVersion.TLS_V1_2);

        daneAndStsPlanWarm();
        HostPlan host = rules.apply(danePlanWarm(), policies.lookup(DOMAIN)).hosts().get(0);
        if (host.action() != HostPlan.Action.STS_TLS || policyServer.requests() != 1) {
            throw new IllegalStateException("the benchmark destination is not an enforced STS host: " + host);
        }
    }

    private static WebPkiTrust trust(TestPki pki) {
        try {
            Path pem = Files.createTempFile("bench-sts-ca", ".pem");
            pem.toFile().deleteOnExit();
            Files.writeString(pem, pki.root().chainPem());
            return WebPkiTrust.pemFile(pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        policyServer.close();
        dns.close();
    }

    /** The baseline: the DANE-only plan of the destination from the warm cache. */
    @Benchmark
    public DeliveryPlan danePlanWarm() {
        return planner.plan(lookup.lookup(DOMAIN).toCompletableFuture().join(), DeliveryPolicy.DANE_OPPORTUNISTIC);
    }

    /** The MTA-STS lookup alone (TXT record and policy cached). */
    @Benchmark
    public StsLookup stsLookupWarm() {
        return policies.lookup(DOMAIN);
    }

    /** The plan with MTA-STS: DANE plan, MTA-STS lookup (cached), rules, TLS-RPT policies. */
    @Benchmark
    public Map<String, TlsPolicy> daneAndStsPlanWarm() {
        StsLookup sts = policies.lookup(DOMAIN);
        DeliveryPlan plan = rules.apply(danePlanWarm(), sts);
        return ReportedPolicies.of(plan, Optional.of(sts));
    }

    /** Runs the benchmarks (JMH options accepted) and prints the ratio of the two. */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(new OptionsBuilder()
            .parent(cli)
            .include(StsBenchmark.class.getName() + "\\.")
            .build()).run();
        double baseline = Double.NaN;
        double sts = Double.NaN;
        for (RunResult result : results) {
            double score = result.getPrimaryResult().getScore();
            System.out.printf("%s: %.2f us/op%n", result.getParams().getBenchmark(), score);
            if (result.getParams().getBenchmark().endsWith(".danePlanWarm")) {
                baseline = score;
            } else if (result.getParams().getBenchmark().endsWith(".daneAndStsPlanWarm")) {
                sts = score;
            }
        }
        System.out.printf("ratio DANE+MTA-STS / DANE-only planning of one destination: %.2f%n", sts / baseline);
    }
}
