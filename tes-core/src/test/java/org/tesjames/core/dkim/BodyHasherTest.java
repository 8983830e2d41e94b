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
    static byte[] octets(String notation) {
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
    record Hashed(String digest, long canonicalLength) {
    }

    private static Hashed hash(Canonicalization canonicalization, long limit, byte[] body, List<Integer> chunks) {
        return hash(BodyHasher.create(canonicalization, limit), body, chunks);
    }

    /** {@link #hash(Canonicalization, long, byte[], List)} with this hasher. */
    static Hashed hash(BodyHasher hasher, byte[] body, List<Integer> chunks) {
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

        /**
         * An SMTP server hands the body over one line at a time, each line an array of its own: the last octets of
         * every chunk are read as one long ending at the chunk's end. Lines of every length up to three longs, with
         * each edit at every distance from the line end, each line fed as a fresh array.
         */
        @Test
        void linesInArraysOfTheirOwnWithEditsAtEveryDistanceFromTheirEnd() {
            String[] edits = {"  ", "\t", " ", "_\t_", "\u0001", "\r", "\n"};
            List<byte[]> lines = new ArrayList<>();
            for (int length = 0; length <= 3 * Long.BYTES; length++) {
                for (int distance = 0; distance <= length; distance++) {
                    for (String edit : edits) {
                        String text = "x".repeat(length - distance) + edit + "y".repeat(distance);
                        lines.add(octets(text + (length % 3 == 0 ? "_|" : "|")));
                        if (distance % 5 == 0) {
                            lines.add(octets("|"));
                        }
                    }
                }
            }
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            lines.forEach(whole::writeBytes);
            byte[] body = whole.toByteArray();
            for (Canonicalization canonicalization : Canonicalization.values()) {
                BodyHasher hasher = BodyHasher.create(canonicalization);
                for (byte[] line : lines) {
                    hasher.update(line);
                }
                assertThat(new Hashed(HexFormat.of().formatHex(hasher.finish()), hasher.canonicalLength()))
                    .as("%s", canonicalization)
                    .isEqualTo(expected(octetWise(canonicalization, body), NO_LIMIT));
            }
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

    /**
     * The bulk scans (eight octets at a time, an 8 kB stage, counters for what may turn out to be trailing) against
     * {@link #octetWise}, a canonicaliser that follows the documented rules one octet at a time, on random bodies
     * with bare CRs and LFs and 8-bit octets, cut into chunks at random places and at the places that matter: right
     * after every CR (a CRLF split in two), inside runs of white space, among trailing empty lines.
     */
    @Nested
    class AgainstOctetWiseReference {
        private static final String[] PIECES = {"a", "word", "The quick brown fox jumps over the lazy dog.",
            "0123456789abcdefghijklmnopqrstuvwxyz", " ", "  ", "   ", "\t", " \t ", "\t\t\t\t\t\t\t\t\t",
            "                    ", "\r\n", "\r\n", "\r\n\r\n", "\r\n \r\n", "\r\n\t\r\n", "\r", "\n", "\n\n",
            " \r", "\t\r", " \n", "\r\r\n", "\u00e9", "\u00a0", "\u0089", "\u008d", "\u00ff", "\u0000", "\u0001",
            "\u001f", "!", "\r\n "};

        private byte[] randomBody(Random random, int pieces) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < pieces; i++) {
                body.append(PIECES[random.nextInt(PIECES.length)]);
            }
            return body.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** Chunk lengths that end a chunk right after every CR, and in the middle of every run of white space. */
        private List<Integer> awkwardCuts(byte[] body) {
            List<Integer> sizes = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < body.length; i++) {
                boolean cut = body[i] == '\r'
                    || (i + 1 < body.length && isWhite(body[i]) && isWhite(body[i + 1]) && i % 2 == 0);
                if (cut) {
                    sizes.add(i + 1 - start);
                    start = i + 1;
                }
            }
            sizes.add(Math.max(1, body.length - start));
            return sizes;
        }

        private boolean isWhite(byte octet) {
            return octet == ' ' || octet == '\t';
        }

        @ParameterizedTest
        @EnumSource(Canonicalization.class)
        void randomBodiesInRandomAndAwkwardChunksHashAsTheOctetWiseReference(Canonicalization canonicalization) {
            Random random = new Random(6376_344);
            for (int round = 0; round < 400; round++) {
                byte[] body = randomBody(random, random.nextInt(round < 300 ? 60 : 900));
                byte[] canonical = octetWise(canonicalization, body);
                long[] limits = {NO_LIMIT, random.nextInt(canonical.length + 1)};
                for (long limit : limits) {
                    Hashed expected = expected(canonical, limit);
                    assertThat(hashOnce(canonicalization, limit, body)).as("body %s, l=%d", printable(body), limit)
                        .isEqualTo(expected);
                    List<Integer> random1 = new ArrayList<>();
                    List<Integer> random2 = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        random1.add(1 + random.nextInt(9));
                        random2.add(1 + random.nextInt(300));
                    }
                    for (List<Integer> sizes : List.of(awkwardCuts(body), random1, random2)) {
                        assertThat(hash(canonicalization, limit, body, sizes))
                            .as("body %s, l=%d, chunks %s", printable(body), limit, sizes).isEqualTo(expected);
                    }
                }
            }
        }

        /** Bodies of several stages (8 kB): the stage is flushed inside runs, line ends and trailing lines. */
        @ParameterizedTest
        @EnumSource(Canonicalization.class)
        void bodiesOfSeveralStagesHashAsTheOctetWiseReference(Canonicalization canonicalization) {
            Random random = new Random(8192);
            for (int round = 0; round < 12; round++) {
                byte[] body = randomBody(random, 3000 + random.nextInt(3000));
                if (round % 3 == 0) {
                    body = Arrays.copyOf(body, body.length + 20_000);
                    for (int i = body.length - 20_000; i < body.length; i++) {
                        body[i] = (byte) (i % 3 == 0 ? '\t' : i % 3 == 1 ? '\r' : '\n');
                    }
                }
                Hashed expected = expected(octetWise(canonicalization, body), NO_LIMIT);
                assertThat(hashOnce(canonicalization, NO_LIMIT, body)).as("round %d", round).isEqualTo(expected);
                for (List<Integer> sizes : List.of(awkwardCuts(body), List.of(8191, 1, 8192, 7, 16_385))) {
                    assertThat(hash(canonicalization, NO_LIMIT, body, sizes)).as("round %d, chunks %s", round,
                        sizes.size() > 10 ? sizes.size() + " awkward cuts" : sizes).isEqualTo(expected);
                }
            }
        }

        /**
         * The eight-octet step tells the octets that need a look (controls, and white space before white space or a
         * line end) from the rest by bit tricks: every octet value, at every offset of the step and in the last
         * octet of one step (its follower in the next), before and after each kind of octet that matters to it.
         */
        @Test
        void everyOctetValueBeforeAndAfterEveryKindOfOctetAtEveryOffset() {
            byte[] neighbours = {'a', ' ', '\t', '\r', '\n', 0x00, 0x1f, '!', (byte) 0x80, (byte) 0xa0, (byte) 0xff};
            for (int value = 0; value < 256; value++) {
                for (byte before : neighbours) {
                    for (byte after : neighbours) {
                        for (int offset = 0; offset < 2 * Long.BYTES; offset++) {
                            byte[] body = octets("x".repeat(offset) + "." + ".".repeat(2 * Long.BYTES) + "y|");
                            body[offset] = before;
                            body[offset + 1] = (byte) value;
                            body[offset + 2] = after;
                            assertThat(hashOnce(Canonicalization.RELAXED, NO_LIMIT, body))
                                .as("body %s", printable(body))
                                .isEqualTo(expected(octetWise(Canonicalization.RELAXED, body), NO_LIMIT));
                        }
                    }
                }
            }
        }

        @Test
        void theReferenceFollowsTheDocumentedRules() {
            assertThat(octetWise(Canonicalization.RELAXED, octets("a__\tb_^c_|__|||")))
                .isEqualTo(octets("a_b^c|"));
            assertThat(octetWise(Canonicalization.RELAXED, octets("a~~b\t"))).isEqualTo(octets("a||b_|"));
            assertThat(octetWise(Canonicalization.RELAXED, octets("|_\t|"))).isEqualTo(new byte[0]);
            assertThat(octetWise(Canonicalization.RELAXED, octets("a^^"))).isEqualTo(octets("a^|"));
            assertThat(octetWise(Canonicalization.SIMPLE, octets("a__~^b|||^"))).isEqualTo(octets("a__|^b|"));
            assertThat(octetWise(Canonicalization.SIMPLE, octets(""))).isEqualTo(octets("|"));
        }
    }

    /**
     * The canonical body by the rules of the class comment, one octet at a time and one line at a time: lines end
     * at CRLF, at a bare LF and at a CR that ends the body (any other CR is content); relaxed makes each run of
     * white space one space, drops it before a CR and at the end of a line, but keeps it as one space at the end of
     * a body without a final line end; both drop the empty lines at the end and end the body with one CRLF, and an
     * empty relaxed body stays empty.
     */
    private static byte[] octetWise(Canonicalization canonicalization, byte[] body) {
        List<byte[]> lines = new ArrayList<>();
        boolean lastEnded = true;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i++) {
            byte octet = body[i];
            boolean lineEnd = octet == '\n' || (octet == '\r' && (i + 1 == body.length || body[i + 1] == '\n'));
            if (lineEnd) {
                if (octet == '\r' && i + 1 < body.length) {
                    i++;
                }
                lines.add(line.toByteArray());
                line.reset();
            } else {
                line.write(octet);
            }
            lastEnded = lineEnd;
        }
        if (!lastEnded) {
            lines.add(line.toByteArray());
        }
        boolean relaxed = canonicalization == Canonicalization.RELAXED;
        List<byte[]> canonical = new ArrayList<>();
        for (int k = 0; k < lines.size(); k++) {
            canonical.add(relaxed ? relaxedLine(lines.get(k), !lastEnded && k == lines.size() - 1) : lines.get(k));
        }
        while (!canonical.isEmpty() && canonical.get(canonical.size() - 1).length == 0) {
            canonical.remove(canonical.size() - 1);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] canonicalLine : canonical) {
            out.writeBytes(canonicalLine);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        if (canonical.isEmpty() && !relaxed) {
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    private static byte[] relaxedLine(byte[] line, boolean endsTheBody) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean white = false;
        for (byte octet : line) {
            if (octet == ' ' || octet == '\t') {
                white = true;
                continue;
            }
            if (white && octet != '\r') {
                out.write(' ');
            }
            white = false;
            out.write(octet);
        }
        if (white && endsTheBody) {
            out.write(' ');
        }
        return out.toByteArray();
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
