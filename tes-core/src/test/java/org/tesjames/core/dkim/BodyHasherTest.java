package org.tesjames.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.apache.james.jdkim.canon.RelaxedBodyCanonicalizer;
import org.apache.james.jdkim.canon.SimpleBodyCanonicalizer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.tesjames.core.dkim.BodyHasher.Canonicalization;

class BodyHasherTest {
    private static final long NO_LIMIT = Long.MAX_VALUE;

    /** '|' stands for CRLF, '_' for a space, '~' for a bare LF, '^' for a bare CR. */
    private static byte[] octets(String notation) {
        return notation.replace("|", "\r\n").replace("_", " ").replace("~", "\n").replace("^", "\r")
            .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hash and canonical length of a body fed in the given chunks (lengths, cycled). */
    private record Hashed(String digest, long canonicalLength) {
    }

    private static Hashed hash(Canonicalization canonicalization, long limit, byte[] body, List<Integer> chunks) {
        BodyHasher hasher = BodyHasher.create(canonicalization, limit);
        int at = 0;
        for (int k = 0; at < body.length; k++) {
            int n = Math.min(chunks.get(k % chunks.size()), body.length - at);
            hasher.update(body, at, n);
            at += n;
        }
        byte[] digest = hasher.finish();
        return new Hashed(HexFormat.of().formatHex(digest), hasher.canonicalLength());
    }

    private static Hashed hashOnce(Canonicalization canonicalization, long limit, byte[] body) {
        return hash(canonicalization, limit, body, List.of(Math.max(1, body.length)));
    }

    private static Hashed expected(byte[] canonical, long limit) {
        int hashed = (int) Math.min(canonical.length, limit);
        byte[] prefix = Arrays.copyOf(canonical, hashed);
        return new Hashed(HexFormat.of().formatHex(sha256(prefix)), canonical.length);
    }

    @Nested
    class Relaxed {
        /** RFC 6376 section 3.4.4 (the cases of the former stream canonicaliser's test, same expectations). */
        @ParameterizedTest(name = "''{0}'' -> ''{1}''")
        @CsvSource(value = {
            "'', ''",
            "'|', ''",
            "'|||', ''",
            "'_|\t|', ''",
            "'a', 'a|'",
            "'a|', 'a|'",
            "'a___b__|||', 'a_b|'",
            "'|a|', '|a|'",
        })
        void emptyBodiesAreEmptyAndOthersEndWithOneCrlf(String body, String canonical) {
            for (int chunk : new int[] {1, 2, 3, 1000}) {
                assertThat(hash(Canonicalization.RELAXED, NO_LIMIT, octets(body), List.of(chunk)))
                    .as("written in chunks of %d", chunk).isEqualTo(expected(octets(canonical), NO_LIMIT));
            }
        }

        @ParameterizedTest(name = "''{0}'' -> ''{1}''")
        @CsvSource(value = {
            "'a\tb|', 'a_b|'",
            "'\t_a_\t_b\t|', '_a_b|'",
            "'a_|_|b', 'a||b|'",
            "'a~b~~', 'a|b|'",
            "'a|~|b', 'a|||b|'",
            "'a_^b|', 'a^b|'",
            "'a^', 'a|'",
            "'a^^', 'a^|'",
            "'a_', 'a_|'",
            "'|\t', '|_|'",
            "'a|_|', 'a|'",
            "'\u00e9__\u00ff|', '\u00e9_\u00ff|'",
        })
        void whiteSpaceRunsBecomeOneSpaceAndTrailingOnesGo(String body, String canonical) {
            for (int chunk : new int[] {1, 2, 3, 1000}) {
                assertThat(hash(Canonicalization.RELAXED, NO_LIMIT, octets(body), List.of(chunk)))
                    .as("written in chunks of %d", chunk).isEqualTo(expected(octets(canonical), NO_LIMIT));
            }
        }
    }

    @Nested
    class Simple {
        @ParameterizedTest(name = "''{0}'' -> ''{1}''")
        @CsvSource(value = {
            "'', '|'",
            "'|', '|'",
            "'|||', '|'",
            "'a', 'a|'",
            "'a__\t|||', 'a__\t|'",
            "'_|\t|', '_|\t|'",
            "'|a|', '|a|'",
            "'a~b~~', 'a|b|'",
            "'a^b', 'a^b|'",
            "'a^', 'a|'",
            "'a|^', 'a|'",
        })
        void onlyTrailingEmptyLinesChange(String body, String canonical) {
            for (int chunk : new int[] {1, 2, 3, 1000}) {
                assertThat(hash(Canonicalization.SIMPLE, NO_LIMIT, octets(body), List.of(chunk)))
                    .as("written in chunks of %d", chunk).isEqualTo(expected(octets(canonical), NO_LIMIT));
            }
        }
    }

    @Nested
    class LengthLimit {
        @ParameterizedTest
        @EnumSource(Canonicalization.class)
        void hashesOnlyTheFirstOctetsAndCountsThemAll(Canonicalization canonicalization) {
            byte[] body = octets("first__line|second line|||");
            byte[] canonical = octets(canonicalization == Canonicalization.RELAXED ? "first_line|second line|"
                : "first__line|second line|");
            for (long limit : new long[] {0, 1, 5, 12, canonical.length - 1, canonical.length, 1000}) {
                for (int chunk : new int[] {1, 2, 7, 1000}) {
                    assertThat(hash(canonicalization, limit, body, List.of(chunk)))
                        .as("l=%d, chunks of %d", limit, chunk).isEqualTo(expected(canonical, limit));
                }
            }
        }

        @Test
        void emptyRelaxedBodyUnderAZeroLimitIsEmpty() {
            assertThat(hashOnce(Canonicalization.RELAXED, 0, octets("|_|"))).isEqualTo(expected(new byte[0], 0));
        }

        @Test
        void rejectsANegativeLimit() {
            assertThatThrownBy(() -> BodyHasher.create(Canonicalization.SIMPLE, -1))
                .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Chunking {
        private static final String[] PIECES = {"a", "b", "word", " ", " ", "  ", "\t", "\r\n", "\r\n", "\r\n\r\n",
            "\r", "\n", " \r\n", "\t\r\n", "\u00e9", "\u0001", "The quick brown fox jumps over the lazy dog. "};

        private byte[] randomBody(Random random, int pieces) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < pieces; i++) {
                body.append(PIECES[random.nextInt(PIECES.length)]);
            }
            return body.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        private List<List<Integer>> chunkings(Random random, byte[] body) {
            List<List<Integer>> chunkings = new ArrayList<>();
            chunkings.add(List.of(1));
            chunkings.add(List.of(2));
            chunkings.add(List.of(3));
            List<Integer> lines = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < body.length; i++) {
                if (body[i] == '\n') {
                    lines.add(i + 1 - start);
                    start = i + 1;
                }
            }
            lines.add(Math.max(1, body.length - start));
            chunkings.add(lines);
            for (int k = 0; k < 4; k++) {
                List<Integer> sizes = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    sizes.add(1 + random.nextInt(k % 2 == 0 ? 5 : 400));
                }
                chunkings.add(sizes);
            }
            return chunkings;
        }

        @ParameterizedTest
        @EnumSource(Canonicalization.class)
        void anyChunkingGivesTheHashOfOneCall(Canonicalization canonicalization) {
            Random random = new Random(6376);
            for (int round = 0; round < 300; round++) {
                byte[] body = randomBody(random, random.nextInt(round < 100 ? 12 : 200));
                Hashed once = hashOnce(canonicalization, NO_LIMIT, body);
                long[] limits = {NO_LIMIT, 0, 1, random.nextInt((int) once.canonicalLength() + 1)};
                for (long limit : limits) {
                    Hashed whole = hashOnce(canonicalization, limit, body);
                    for (List<Integer> chunks : chunkings(random, body)) {
                        assertThat(hash(canonicalization, limit, body, chunks))
                            .as("body %s, l=%d, chunks %s", printable(body), limit, chunks).isEqualTo(whole);
                    }
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Canonicalization.class)
        void emptyChunksChangeNothing(Canonicalization canonicalization) {
            byte[] body = octets("a_\t|b__||");
            BodyHasher hasher = BodyHasher.create(canonicalization);
            for (int i = 0; i < body.length; i++) {
                hasher.update(body, i, 0);
                hasher.update(body, i, 1);
            }
            assertThat(HexFormat.of().formatHex(hasher.finish()))
                .isEqualTo(hashOnce(canonicalization, NO_LIMIT, body).digest());
        }

        @Test
        void longRunsAndShortPiecesMixAcrossTheDirectThreshold() {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                body.append("x".repeat(i % (2 * BodyHasher.DIRECT + 3))).append(i % 3 == 0 ? "\t\t" : " ")
                    .append(i % 7 == 0 ? "\r\n\r\n" : "\r\n");
            }
            byte[] octets = body.toString().getBytes(StandardCharsets.US_ASCII);
            for (Canonicalization canonicalization : Canonicalization.values()) {
                assertThat(hash(canonicalization, NO_LIMIT, octets, List.of(1000, 1, 4096, 17)))
                    .isEqualTo(expected(reference(canonicalization, octets), NO_LIMIT));
            }
        }

        /**
         * Relaxed works eight octets at a time into an 8 kB stage: every edit (a double space, a tab, trailing white
         * space, an empty line) at every position within the eight octets, in a body several stages long, chunked
         * so that chunk ends fall at every offset too.
         */
        @Test
        void editsAtEveryOffsetOfTheEightOctetStepsAndAcrossTheStage() {
            String[] edits = {"  ", "\t", " \t ", " |", "\t|", "||", "|_|", "_"};
            StringBuilder body = new StringBuilder();
            for (int i = 0; body.length() < 40_000; i++) {
                body.append("x".repeat(1 + i % 17)).append(edits[i % edits.length]).append("y".repeat(i % 9));
                if (i % 5 == 0) {
                    body.append('|');
                }
            }
            byte[] octets = octets(body.toString());
            Hashed expected = expected(reference(Canonicalization.RELAXED, octets), NO_LIMIT);
            for (List<Integer> chunks : List.of(List.of(octets.length), List.of(7, 9, 8, 15, 17, 16, 1, 24),
                    List.of(8191, 8193), List.of(3000))) {
                assertThat(hash(Canonicalization.RELAXED, NO_LIMIT, octets, chunks)).as("chunks %s", chunks)
                    .isEqualTo(expected);
            }
        }
    }

    /** The same results as jDKIM 0.3's stream canonicalisers, an independent implementation. */
    @Nested
    class AgainstJdkim {
        private static final String[] PIECES = {"a", "b", " ", "  ", "\t", "\r\n", "\r\n\r\n", "\n", " \r\n",
            "\t\n", "\u00e9", "line of text", ""};

        @ParameterizedTest
        @EnumSource(Canonicalization.class)
        void randomBodiesHashAsJdkimCanonicalisesThem(Canonicalization canonicalization) {
            Random random = new Random(4871);
            for (int round = 0; round < 500; round++) {
                StringBuilder text = new StringBuilder();
                int pieces = random.nextInt(40);
                for (int i = 0; i < pieces; i++) {
                    text.append(PIECES[random.nextInt(PIECES.length)]);
                }
                byte[] body = text.toString().getBytes(StandardCharsets.ISO_8859_1);
                assertThat(hashOnce(canonicalization, NO_LIMIT, body)).as("body %s", printable(body))
                    .isEqualTo(expected(reference(canonicalization, body), NO_LIMIT));
            }
        }
    }

    @Test
    void updateAfterFinishFails() {
        BodyHasher hasher = BodyHasher.create(Canonicalization.RELAXED);
        hasher.finish();
        assertThatThrownBy(() -> hasher.update(new byte[] {'a'}, 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void finishTwiceGivesTheSameDigest() {
        BodyHasher hasher = BodyHasher.create(Canonicalization.SIMPLE).update(octets("a|"));
        assertThat(hasher.finish()).isEqualTo(hasher.finish());
    }

    /**
     * jDKIM's canonical form of a body without bare CRs: bare LFs made CRLF first (as on the wire), the whole body
     * in one write, and under relaxed a canonical form of exactly CRLF taken as empty (RFC 6376 section 3.4.4).
     */
    private static byte[] reference(Canonicalization canonicalization, byte[] body) {
        ByteArrayOutputStream crlf = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) {
                crlf.write('\r');
            }
            crlf.write(body[i]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream canonicaliser = canonicalization == Canonicalization.RELAXED
            ? new RelaxedBodyCanonicalizer(out) : new SimpleBodyCanonicalizer(out)) {
            canonicaliser.write(crlf.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] canonical = out.toByteArray();
        if (canonicalization == Canonicalization.RELAXED && canonical.length == 2 && canonical[0] == '\r') {
            return new byte[0];
        }
        return canonical;
    }

    private static String printable(byte[] body) {
        return new String(body, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n")
            .replace("\t", "\\t");
    }
}
