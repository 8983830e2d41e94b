package org.tesjames.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The message bodies of the DKIM benchmarks ({@link DkimBenchmark}, {@link DkimCpuTime}, {@link BodyHashCpuTime}),
 * each of about a given size, the same octets on every run:
 * <ul>
 *   <li>{@code edits}: ASCII text lines with a double space, a triple space and a tab in each, an empty line in
 *       ten: relaxed canonicalisation changes every line three times, at the same places in every line (the
 *       default body of the DKIM benchmarks);</li>
 *   <li>{@code scattered}: the same words, edits and empty lines, but each line has its double space, triple space
 *       and tab between other words, drawn at random: the same work as {@code edits}, at places the processor
 *       cannot foresee (the costliest of the four for relaxed canonicalisation);</li>
 *   <li>{@code prose}: lines of 60 to 75 characters of words with single spaces, now and then a quoted line or an
 *       empty line (relaxed changes nothing but must look at every line end);</li>
 *   <li>{@code base64}: a MIME base64 attachment, 76 characters a line (the bulk of most large messages).</li>
 * </ul>
 */
final class BenchBodies {
    static final List<String> KINDS = List.of("edits", "scattered", "prose", "base64");
    private static final String EDITS_LINE =
        "The quick brown fox jumps over the lazy dog;  twice   spaced\tand tabbed text.\r\n";

    private BenchBodies() {
    }

    /** A body of the given kind: at most {@code size} octets for {@code edits}, about {@code size} for the others. */
    static byte[] of(String kind, int size) {
        return switch (kind) {
            case "edits" -> edits(size);
            case "scattered" -> scattered(size);
            case "prose" -> prose(size);
            case "base64" -> base64(size);
            default -> throw unknown(kind);
        };
    }

    /** The bodies named in a comma-separated list, each checked to be one of {@link #KINDS}. */
    static List<String> named(String list) {
        List<String> kinds = List.of(list.split(","));
        for (String kind : kinds) {
            if (!KINDS.contains(kind)) {
                throw unknown(kind);
            }
        }
        return kinds;
    }

    private static IllegalArgumentException unknown(String kind) {
        return new IllegalArgumentException("unknown body " + kind + " (known: " + KINDS + ")");
    }

    private static byte[] edits(int size) {
        StringBuilder text = new StringBuilder(size);
        int n = 0;
        while (text.length() + EDITS_LINE.length() <= size) {
            text.append(n++ % 10 == 9 ? "\r\n" : EDITS_LINE);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The lines of {@code edits} with their three pieces of white space moved to three word gaps drawn per line. */
    private static byte[] scattered(int size) {
        String[] words = EDITS_LINE.strip().split("\\s+");
        List<String> edits = List.of("  ", "   ", "\t");
        Random random = new Random(6376);
        List<Integer> gaps = new ArrayList<>();
        for (int gap = 0; gap < words.length - 1; gap++) {
            gaps.add(gap);
        }
        StringBuilder text = new StringBuilder(size);
        int n = 0;
        while (text.length() + EDITS_LINE.length() <= size) {
            if (n++ % 10 == 9) {
                text.append("\r\n");
                continue;
            }
            Collections.shuffle(gaps, random);
            text.append(words[0]);
            for (int gap = 0; gap < words.length - 1; gap++) {
                int edit = gaps.indexOf(gap);
                text.append(edit < edits.size() ? edits.get(edit) : " ").append(words[gap + 1]);
            }
            text.append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] prose(int size) {
        String[] words = ("the of and to in is that for it as was with be by on not he this are or his from at "
            + "which but have an they you were her she there had all one their we can been has more if will would so "
            + "who what when up out about into than them some could these time other only then its two may first any "
            + "new like our over such even most after also made many before must through back years where much your "
            + "way well down should because each just those people how too little state good very make world still")
            .split(" ");
        Random random = new Random(5322);
        StringBuilder text = new StringBuilder(size + 100);
        while (text.length() < size - 100) {
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

    private static byte[] base64(int size) {
        byte[] attachment = new byte[size / 4 * 3];
        new Random(2045).nextBytes(attachment);
        return (Base64.getMimeEncoder().encodeToString(attachment) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
