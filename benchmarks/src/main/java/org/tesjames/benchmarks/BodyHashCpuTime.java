package org.tesjames.benchmarks;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tesjames.core.dkim.BodyHasher;
import org.tesjames.core.dkim.BodyHasher.Canonicalization;
import org.tesjames.core.dkim.verify.BodyHashes;

/**
 * The DKIM body hash alone ({@link BodyHasher}, relaxed and simple, the body in one array) against its limit, the
 * SHA-256 of the same octets, in thread CPU time, on the four bodies of {@link BenchBodies} ({@code edits},
 * {@code scattered}, {@code prose}, {@code base64}), 1 MB each.
 * A fourth operation feeds the relaxed body hash one line per call, each line an array of its own, through
 * {@link BodyHashes.Streaming}, as the SMTP hook ({@code InboundAuthenticationHook}) hands it the body it receives.
 * The operations of a body alternate round by round and the best round of each is kept, so that a machine busy
 * with other work biases them alike (interference only ever adds time). Prints milliseconds per operation, the
 * canonicalisation's cost beyond the digest, and digest / body hash (1 = the limit).
 *
 * <p>Run: {@code bin/bench body [--rounds N] [--round-millis N]}.
 */
public final class BodyHashCpuTime {
    private static final int SIZE = 1 << 20;
    private static final BodyHashes.Key RELAXED = new BodyHashes.Key(Canonicalization.RELAXED, Long.MAX_VALUE);

    private BodyHashCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        DkimCpuTime.Rounds parsed = DkimCpuTime.Rounds.parse(args, new DkimCpuTime.Rounds(15, Duration.ofMillis(100)));
        int rounds = parsed.count();
        Duration roundTime = parsed.time();
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        for (String kind : BenchBodies.KINDS) {
            bodies.put(kind, BenchBodies.of(kind, SIZE));
        }
        System.out.println(DkimCpuTime.relaxedStep());
        System.out.printf("%-9s %10s %11s %11s %16s %15s %12s %11s %10s %10s%n", "body", "sha256 ms", "relaxed ms",
            "simple ms", "relaxed - sha", "simple - sha", "sha/relaxed", "sha/simple", "lines ms", "sha/lines");
        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            byte[] octets = body.getValue();
            List<byte[]> lines = lines(octets);
            DkimCpuTime.Operation[] operations = {
                () -> MessageDigest.getInstance("SHA-256").digest(octets),
                () -> BodyHasher.create(Canonicalization.RELAXED).update(octets).finish(),
                () -> BodyHasher.create(Canonicalization.SIMPLE).update(octets).finish(),
                () -> {
                    BodyHashes.Streaming streaming = BodyHashes.streaming(Set.of(RELAXED));
                    lines.forEach(line -> streaming.update(line, 0, line.length));
                    return streaming.finish().get(RELAXED).orElseThrow().digest();
                }};
            if (!Arrays.equals((byte[]) operations[1].run(), (byte[]) operations[3].run())) {
                throw new IllegalStateException("the body hash fed line by line differs from that of one call");
            }
            for (DkimCpuTime.Operation operation : operations) {
                DkimCpuTime.millisPerOperation(operation, 2, roundTime);
            }
            double[] best = new double[operations.length];
            Arrays.fill(best, Double.MAX_VALUE);
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < operations.length; k++) {
                    best[k] = Math.min(best[k], DkimCpuTime.millisPerOperation(operations[k], 1, roundTime));
                }
            }
            System.out.printf("%-9s %10.3f %11.3f %11.3f %16.3f %15.3f %12.2f %11.2f %10.3f %10.2f%n", body.getKey(),
                best[0], best[1], best[2], best[1] - best[0], best[2] - best[0], best[0] / best[1], best[0] / best[2],
                best[3], best[0] / best[3]);
        }
    }

    /** The lines of a body (each up to and with its LF), each in an array of its own. */
    static List<byte[]> lines(byte[] body) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                lines.add(Arrays.copyOfRange(body, start, i + 1));
                start = i + 1;
            }
        }
        if (start < body.length) {
            lines.add(Arrays.copyOfRange(body, start, body.length));
        }
        return lines;
    }
}
