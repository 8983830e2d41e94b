package org.tesjames.benchmarks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.tesjames.core.dkim.BodyHasher;
import org.tesjames.core.dkim.BodyHasher.Canonicalization;

/**
 * The DKIM body hash alone ({@link BodyHasher}, relaxed and simple, the body in one array) against its limit, the
 * SHA-256 of the same octets, in thread CPU time, on three bodies of 1 MB:
 * <ul>
 *   <li>{@code edits}: the text of {@link DkimBenchmark} (a double space, a triple space and a tab in every
 *       line, an empty line in ten: relaxed changes every line three times);</li>
 *   <li>{@code prose}: lines of 60 to 75 characters of words with single spaces, now and then a quoted line or
 *       an empty line (relaxed changes nothing but must look at every line end);</li>
 *   <li>{@code base64}: a MIME base64 attachment, 76 characters a line (the bulk of most large messages).</li>
 * </ul>
 * A fourth operation feeds the relaxed body hash one line per call, each line an array of its own, as the SMTP
 * hook ({@code InboundAuthenticationHook}) hands it the body it receives. The operations of a body alternate round
 * by round and the best round of each is kept, so that a machine busy with other work biases them alike
 * (interference only ever adds time). Prints milliseconds per operation, the canonicalisation's cost beyond the
 * digest, and digest / body hash (1 = the limit).
 *
 * <p>Run: {@code bin/bench body [--rounds N] [--round-millis N]}.
 */
public final class BodyHashCpuTime {
    private static final int SIZE = 1 << 20;

    private BodyHashCpuTime() {
    }

    /** The body of {@link DkimBenchmark#message}. */
    static byte[] edits() {
        byte[] message = DkimBenchmark.message(SIZE);
        String text = new String(message, StandardCharsets.US_ASCII);
        return Arrays.copyOfRange(message, text.indexOf("\r\n\r\n") + 4, message.length);
    }

    static byte[] prose() {
        String[] words = ("the of and to in is that for it as was with be by on not he this are or his from at "
            + "which but have an they you were her she there had all one their we can been has more if will would so "
            + "who what when up out about into than them some could these time other only then its two may first any "
            + "new like our over such even most after also made many before must through back years where much your "
            + "way well down should because each just those people how too little state good very make world still")
            .split(" ");
        Random random = new Random(5322);
        StringBuilder text = new StringBuilder(SIZE + 100);
        while (text.length() < SIZE - 100) {
            StringBuilder line = new StringBuilder(random.nextInt(20) == 0 ? "> " : "");
            int length = 60 + random.nextInt(16);
            while (line.length() < length) {
                if (!line.isEmpty() && line.charAt(line.length() - 1) != ' ') {
                    line.append(' ');
                }
                line.append(words[random.nextInt(words.length)]);
                if (random.nextInt(12) == 0) {
                    line.append(random.nextBoolean() ? ',' : '.');
                }
            }
            text.append(line).append("\r\n");
            if (random.nextInt(8) == 0) {
                text.append("\r\n");
            }
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] base64() {
        byte[] attachment = new byte[SIZE / 4 * 3];
        new Random(2045).nextBytes(attachment);
        return (Base64.getMimeEncoder().encodeToString(attachment) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        DkimCpuTime.Rounds parsed = DkimCpuTime.Rounds.parse(args, new DkimCpuTime.Rounds(15, Duration.ofMillis(100)));
        int rounds = parsed.count();
        Duration roundTime = parsed.time();
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("edits", edits());
        bodies.put("prose", prose());
        bodies.put("base64", base64());
        System.out.printf("%-7s %10s %11s %11s %16s %15s %12s %11s %10s %10s%n", "body", "sha256 ms", "relaxed ms",
            "simple ms", "relaxed - sha", "simple - sha", "sha/relaxed", "sha/simple", "lines ms", "sha/lines");
        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            byte[] octets = body.getValue();
            List<byte[]> lines = lines(octets);
            DkimCpuTime.Operation[] operations = {
                () -> MessageDigest.getInstance("SHA-256").digest(octets),
                () -> BodyHasher.create(Canonicalization.RELAXED).update(octets).finish(),
                () -> BodyHasher.create(Canonicalization.SIMPLE).update(octets).finish(),
                () -> {
                    BodyHasher hasher = BodyHasher.create(Canonicalization.RELAXED);
                    lines.forEach(hasher::update);
                    return hasher.finish();
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
            System.out.printf("%-7s %10.3f %11.3f %11.3f %16.3f %15.3f %12.2f %11.2f %10.3f %10.2f%n", body.getKey(),
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
