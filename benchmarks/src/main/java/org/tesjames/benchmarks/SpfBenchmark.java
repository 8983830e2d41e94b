package org.tesjames.benchmarks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.tesjames.benchmarks.jspf.JspfSpfVerifier;
import org.tesjames.core.auth.SmtpIdentity;
import org.tesjames.core.auth.SpfCheck;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;

/**
 * The SPF cost of one message with a warm DNS cache: the project's RFC 7208 evaluator ({@link SpfVerifier})
 * against the jSPF 1.0.3 evaluation it replaced ({@link JspfSpfVerifier}), both over the same caching DNS client
 * and the same records, in the same run. {@code scenario}: {@code include-pass} (the client is listed by an
 * included provider record, after an {@code mx} and an {@code a} of the domain's own), {@code fail} (every term
 * evaluated, then {@code -all}), {@code ip4-pass} (a match on the first term).
 *
 * <p>Run: {@code bin/bench spf} or {@code java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*'
 * org.tesjames.benchmarks.SpfBenchmark [JMH options]}; prints the cost ratio project / jSPF per scenario.
 * {@code bin/bench spf --cpu [rounds]} measures the same in thread CPU time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SpfBenchmark {
    @Param({"include-pass", "fail", "ip4-pass"})
    public String scenario;

    private TestDnsServer dns;
    private SpfVerifier project;
    private JspfSpfVerifier jspf;
    private SmtpIdentity identity;

    @Setup(Level.Trial)
    public void setUp() throws UnknownHostException {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        dns.zone("sender.test").unsigned()
            .txt("@", "v=spf1 mx a:out.sender.test include:_spf.provider.test -all")
            .mx("@", 10, "mx1").mx("@", 20, "mx2").a("mx1", "192.0.2.1").a("mx2", "192.0.2.2")
            .a("out", "192.0.2.3", "192.0.2.4")
            .txt("direct", "v=spf1 ip4:198.51.100.0/24 include:_spf.provider.test -all");
        dns.zone("provider.test").unsigned()
            .txt("_spf", "v=spf1 ip4:203.0.113.0/25 ip4:203.0.113.128/26 ip6:2001:db8::/32 ~all");
        CachingDnsClient cache = CachingDnsClient.builder(DnsJavaClient.create(List.of(dns.address()),
            Duration.ofSeconds(2), 0)).minTtl(Duration.ofHours(1)).build();
        project = new SpfVerifier(cache);
        jspf = new JspfSpfVerifier(cache);
        identity = switch (scenario) {
            case "include-pass" -> new SmtpIdentity(InetAddress.getByName("203.0.113.140"), "mta.provider.test",
                "alice@sender.test");
            case "fail" -> new SmtpIdentity(InetAddress.getByName("198.51.100.77"), "mta.other.test",
                "alice@sender.test");
            case "ip4-pass" -> new SmtpIdentity(InetAddress.getByName("198.51.100.77"), "mta.sender.test",
                "alice@direct.sender.test");
            default -> throw new IllegalArgumentException("scenario " + scenario);
        };
        SpfCheck ours = project();
        SpfCheck theirs = jspf();
        if (ours.result() != theirs.result()) {
            throw new IllegalStateException("the evaluators disagree on " + scenario + ": " + ours + " / " + theirs);
        }
        long queries = dns.queryCount();
        project();
        jspf();
        if (dns.queryCount() != queries) {
            throw new IllegalStateException("the cache is not warm: " + dns.queryCounts());
        }
        System.out.printf("%n%s: %s (%d DNS queries to fill the cache)%n", scenario, ours.result().keyword(),
            queries);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dns.close();
    }

    /**
     * Both evaluations in thread CPU time, for shared machines where JMH's wall-clock errors exceed the scores (a
     * thread waiting for a core does not count the wait): per scenario, rounds of about 300 ms of CPU time that
     * alternate project and jSPF (the first two discarded as warm-up), the best round of each kept
     * (interference only adds time; {@link DkimCpuTime}'s timing). With a warm cache
     * every lookup completes on the calling thread, so the thread's CPU time is the evaluation's.
     */
    static void cpuTime(int rounds) throws Exception {
        Duration round = Duration.ofMillis(300);
        System.out.printf("%n%-14s %12s %12s %8s  (thread CPU time, best of %d rounds)%n", "scenario", "project us",
            "jSPF us", "ratio", rounds);
        for (String scenario : SpfBenchmark.class.getField("scenario").getAnnotation(Param.class).value()) {
            SpfBenchmark state = new SpfBenchmark();
            state.scenario = scenario;
            state.setUp();
            try {
                double project = Double.MAX_VALUE;
                double jspf = Double.MAX_VALUE;
                for (int i = 0; i < rounds + 2; i++) {
                    double ours = DkimCpuTime.millisPerOperation(state::project, 1, round);
                    double theirs = DkimCpuTime.millisPerOperation(state::jspf, 1, round);
                    if (i >= 2) {
                        project = Math.min(project, ours);
                        jspf = Math.min(jspf, theirs);
                    }
                }
                System.out.printf("%-14s %12.2f %12.2f %8.2f%n", scenario, project * 1e3, jspf * 1e3,
                    project / jspf);
            } finally {
                state.tearDown();
            }
        }
    }

    /** The project's evaluator, warm cache. */
    @Benchmark
    public SpfCheck project() {
        return project.check(identity).toCompletableFuture().join();
    }

    /** The jSPF 1.0.3 evaluation it replaced, warm cache. */
    @Benchmark
    public SpfCheck jspf() {
        return jspf.check(identity).toCompletableFuture().join();
    }

    /**
     * Runs the benchmarks (JMH options accepted) and prints the project / jSPF ratio per scenario; with
     * {@code --cpu [rounds]}, times both in thread CPU time instead (see {@link #cpuTime(int)}).
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--cpu")) {
            cpuTime(args.length > 1 ? Integer.parseInt(args[1]) : 7);
            return;
        }
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(new OptionsBuilder()
            .parent(cli)
            .include(SpfBenchmark.class.getName() + "\\.")
            .build()).run();
        Map<String, Map<String, Double>> scores = new HashMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            scores.computeIfAbsent(result.getParams().getParam("scenario"), key -> new HashMap<>())
                .put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        System.out.printf("%n%-14s %12s %12s %8s%n", "scenario", "project us", "jSPF us", "ratio");
        scores.forEach((scenario, score) -> {
            Double ours = score.get("project");
            Double theirs = score.get("jspf");
            if (ours != null && theirs != null) {
                System.out.printf("%-14s %12.2f %12.2f %8.2f%n", scenario, ours, theirs, ours / theirs);
            }
        });
    }
}
