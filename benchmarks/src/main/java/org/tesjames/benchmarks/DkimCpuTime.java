package org.tesjames.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.tesjames.core.dkim.BodyHasher;

/**
 * The operations of {@link DkimBenchmark} (project sign and verify, and the bare-JDK limit of each) timed in thread
 * CPU time instead of wall time: on a machine shared with other builds, a thread that waits for a core does not
 * count that wait, so the ratios project / JDK stay readable when JMH's wall-clock errors exceed the scores. Each
 * operation runs for a warm-up, then {@code rounds} rounds of {@code roundTime} CPU time; the best round's
 * time per operation is kept (interference only ever adds time). One thread; the verifier's key record comes
 * from the warm cache, so verification runs on this thread.
 *
 * <p>Run: {@code bin/bench dkim-cpu [--rounds N] [--round-millis N] [--bodies edits,scattered,prose,base64]} (the
 * bodies of {@link BenchBodies}; {@code edits} by default).
 */
public final class DkimCpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private DkimCpuTime() {
    }

    @FunctionalInterface
    interface Operation {
        Object run() throws Exception;
    }

    /** The best round's thread CPU time of one operation, in milliseconds. */
    static double millisPerOperation(Operation operation, int rounds, Duration roundTime) throws Exception {
        long best = Long.MAX_VALUE;
        for (int round = 0; round < rounds; round++) {
            long start = THREADS.getCurrentThreadCpuTime();
            long count = 0;
            long used;
            do {
                operation.run();
                count++;
                used = THREADS.getCurrentThreadCpuTime() - start;
            } while (used < roundTime.toNanos());
            best = Math.min(best, used / count);
        }
        return best / 1e6;
    }

    /** Which step the relaxed body hash takes in this JVM ({@link BodyHasher#relaxedStep()}). */
    static String relaxedStep() {
        return "relaxed body hash: " + BodyHasher.relaxedStep();
    }

    /** How many rounds of how much CPU time, from {@code --rounds N} and {@code --round-millis N}. */
    record Rounds(int count, Duration time) {
        static Rounds parse(String[] args, Rounds defaults) {
            int count = defaults.count();
            Duration time = defaults.time();
            for (int i = 0; i < args.length; i += 2) {
                switch (args[i]) {
                    case "--rounds" -> count = Integer.parseInt(args[i + 1]);
                    case "--round-millis" -> time = Duration.ofMillis(Long.parseLong(args[i + 1]));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --rounds N, --round-millis N)");
                }
            }
            return new Rounds(count, time);
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> options = new ArrayList<>(Arrays.asList(args));
        List<String> bodies = List.of("edits");
        int at = options.indexOf("--bodies");
        if (at >= 0) {
            if (at + 1 == options.size()) {
                throw new IllegalArgumentException("--bodies needs a list, e.g. --bodies " + String.join(",",
                    BenchBodies.KINDS));
            }
            bodies = BenchBodies.named(options.get(at + 1));
            options.subList(at, at + 2).clear();
        }
        Rounds parsed = Rounds.parse(options.toArray(String[]::new), new Rounds(5, Duration.ofMillis(400)));
        int rounds = parsed.count();
        Duration roundTime = parsed.time();
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM does not measure thread CPU time");
        }
        System.out.println(relaxedStep());
        System.out.printf("%-8s %-8s %-6s %-9s %12s %12s %10s%n", "op", "key", "size", "body", "project ms", "jdk ms",
            "proj/jdk");
        for (String body : bodies) {
            for (String keyType : List.of("RSA", "ED25519")) {
                for (int size : List.of(10240, 1048576)) {
                    DkimBenchmark benchmark = new DkimBenchmark();
                    benchmark.keyType = keyType;
                    benchmark.size = size;
                    benchmark.body = body;
                    benchmark.setUp();
                    try {
                        Operation[] operations = {benchmark::sign, benchmark::jdkSign, benchmark::verify,
                            benchmark::jdkVerify};
                        for (Operation operation : operations) {
                            millisPerOperation(operation, 2, roundTime);
                        }
                        double[] millis = new double[operations.length];
                        for (int k = 0; k < operations.length; k++) {
                            millis[k] = millisPerOperation(operations[k], rounds, roundTime);
                        }
                        String label = size == 10240 ? "10kB" : "1MB";
                        System.out.printf("%-8s %-8s %-6s %-9s %12.3f %12.3f %10.2f%n", "sign", keyType, label, body,
                            millis[0], millis[1], millis[1] / millis[0]);
                        System.out.printf("%-8s %-8s %-6s %-9s %12.3f %12.3f %10.2f%n", "verify", keyType, label,
                            body, millis[2], millis[3], millis[3] / millis[2]);
                    } finally {
                        benchmark.tearDown();
                    }
                }
            }
        }
    }
}
