package org.tesjames.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.tesjames.core.dkim.BodyHasherTest.octets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dkim.BodyHasher.Canonicalization;
import org.tesjames.core.dkim.BodyHasherTest.Hashed;

/**
 * The relaxed scan's optional 64-octet vector step ({@link RelaxedVectorStep}) gives the hashes of the eight-octet
 * step, which {@link BodyHasherTest} checks against an octet-wise reference. The step needs a JDK 19 or later started
 * with {@code --add-modules jdk.incubator.vector}: {@code mvn verify -Dtes.vector.jdk=<that JDK's home>} runs this
 * class and {@link BodyHasherTest} again in such a JVM, with the step on ({@code tes.dkim.vector=true}) and required
 * ({@code tes.dkim.vector.required=true}: there, a JVM that cannot run it fails the tests rather than skipping them).
 */
class BodyHasherVectorStepTest {
    private static final int BLOCK = RelaxedVectorStep.BLOCK;

    @Nested
    class Switch {
        @Test
        void offUnlessAskedFor() {
            assumeFalse(Boolean.getBoolean(BodyHasher.VECTOR_PROPERTY),
                "checks the default; this JVM asks for the vector step (the vector-step run)");
            assertThat(BodyHasher.VECTOR_STEP).isFalse();
        }

        @Test
        void aJvmWithoutTheModuleSaysHowToAddIt() {
            assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(),
                "checks a JVM without the vector module; this one has it (the vector-step run)");
            assertThat(BodyHasher.vectorStepUnavailable(false))
                .contains("the JVM was not started with --add-modules jdk.incubator.vector");
            assertThat(BodyHasher.VECTOR_STEP).isFalse();
        }

        @Test
        void fastOnlyOnAProcessorThatPacksOctetsInOneInstruction() {
            String zen5 = "CPU: total 2 (initial active 2) (1 cores per cpu, 1 threads per core) family 26 model 2"
                + " stepping 1 microcode 0x0, cx8, cmov, avx2, avx512f, avx512dq, avx512cd, avx512bw, avx512vl, sha,"
                + " avx512_vbmi2, avx512_vbmi, hv";
            String cascadeLake = "CPU: total 4 (initial active 4) (2 cores per cpu, 2 threads per core) family 6"
                + " model 85 stepping 7 microcode 0x5003604, cx8, cmov, avx2, avx512f, avx512dq, avx512cd, avx512bw,"
                + " avx512vl, avx512_vnni, avx512_vbmi";
            assertThat(BodyHasher.packsOctets(zen5)).isTrue();
            assertThat(BodyHasher.packsOctets(zen5.replace(", hv", ""))).as("the last feature").isTrue();
            assertThat(BodyHasher.packsOctets(cascadeLake)).isFalse();
            assertThat(BodyHasher.packsOctets("CPU: total 1, avx512_vbmi2x, xavx512_vbmi2")).isFalse();
        }

        @Test
        void theJvmSaysWhichProcessorFeaturesItUses() {
            assertThat(BodyHasher.processor()).hasValueSatisfying(line -> assertThat(line).startsWith("CPU:"));
        }

        @Test
        void onWhereAskedForAndFast() {
            assumeTrue(Boolean.getBoolean(BodyHasher.VECTOR_PROPERTY),
                "checks a JVM that asks for the vector step (the run of -Dtes.vector.jdk); this one does not");
            assertThat(BodyHasher.VECTOR_STEP).isEqualTo(BodyHasher.vectorStepUnavailable(true).isEmpty());
        }
    }

    @Nested
    class SameHashes {
        @BeforeEach
        void theStepCanRun() {
            Optional<String> unavailable = BodyHasher.vectorStepUnavailable(false);
            if (Boolean.getBoolean("tes.dkim.vector.required")) {
                assertThat(unavailable).as("the vector step is required in this run").isEmpty();
            }
            assumeTrue(unavailable.isEmpty(), () -> "the vector step cannot run in this JVM: " + unavailable.get());
        }

        /**
         * Every kind of edit and line end, at every offset of a block and across its end: runs of one to three
         * spaces or tabs before content, before a CRLF and before the end; empty lines; bare CRs and LFs.
         */
        @Test
        void everyEditAtEveryOffsetOfTheBlock() {
            String[] pieces = {"_", "__", "_\t_", "\t", "_|", "__|", "\t|", "|", "||", "|_", "|__|", "^", "_^", "~",
                "_~", "|~", "^|", "\u00ff", "\u0000"};
            for (String piece : pieces) {
                for (int offset = 0; offset < BLOCK + 2; offset++) {
                    for (String after : new String[] {"x", "", "|", "_"}) {
                        String body = "a".repeat(offset) + piece + after + "b".repeat(BLOCK + 3) + "|";
                        assertSame(octets(body), body);
                    }
                }
            }
        }

        /** Blocks with no content octet, and a block cut after its first octet. */
        @Test
        void blocksOfWhiteSpaceAndLineEnds() {
            for (String filler : new String[] {"_", "\t", "|", "_|", "__\t|", "~", "^"}) {
                String white = filler.repeat(2 * BLOCK);
                assertSame(octets("x" + white + "y|"), "x, filler " + filler);
                assertSame(octets(white), "filler " + filler);
                assertSame(octets("x" + white), "x then filler " + filler);
            }
        }

        /** Random text: words, runs of white space, tabs, empty lines, bare CRs and LFs, 8-bit octets. */
        @Test
        void randomTextInRandomChunks() {
            Random random = new Random(6376_344_64L);
            for (int round = 0; round < 3000; round++) {
                byte[] body = text(random, random.nextInt(round < 2000 ? 400 : 6000), round % 3 == 0);
                Hashed expected = hash(body, false, List.of(body.length));
                List<Integer> chunks = new ArrayList<>();
                for (int k = 0; k < 8; k++) {
                    chunks.add(1 + random.nextInt(k % 2 == 0 ? 70 : 3 * BLOCK));
                }
                assertThat(hash(body, true, List.of(body.length))).as("round %d, whole", round)
                    .isEqualTo(expected);
                assertThat(hash(body, true, chunks)).as("round %d, chunks", round).isEqualTo(expected);
            }
        }

        /** Edit-heavy text of several stages, as the benchmarks measure it. */
        @Test
        void editHeavyTextOfSeveralStages() {
            StringBuilder text = new StringBuilder();
            Random random = new Random(1_048_576);
            while (text.length() < 300_000) {
                String[] words = "The quick brown fox jumps over the lazy dog again and again".split(" ");
                for (int k = 0; k < words.length; k++) {
                    text.append(words[k]).append(random.nextInt(4) == 0 ? "  " : random.nextInt(4) == 0 ? "\t" : " ");
                }
                text.append(random.nextBoolean() ? " \r\n" : "\r\n").append(random.nextInt(10) == 0 ? "\r\n" : "");
            }
            byte[] body = text.toString().getBytes(StandardCharsets.US_ASCII);
            Hashed expected = hash(body, false, List.of(body.length));
            assertThat(hash(body, true, List.of(body.length))).isEqualTo(expected);
            assertThat(hash(body, true, List.of(8191, 64, 65, 63, 16_384))).isEqualTo(expected);
        }

        private void assertSame(byte[] body, String description) {
            Hashed expected = hash(body, false, List.of(body.length));
            assertThat(hash(body, true, List.of(body.length))).as("body %s", description).isEqualTo(expected);
            assertThat(hash(body, true, List.of(BLOCK + 1, 1, BLOCK))).as("body %s in chunks", description)
                .isEqualTo(expected);
        }
    }

    /** The digest and canonical length of a relaxed body fed in the given chunk sizes (cycled). */
    private static Hashed hash(byte[] body, boolean vector, List<Integer> chunks) {
        return BodyHasherTest.hash(BodyHasher.create(Canonicalization.RELAXED, Long.MAX_VALUE, vector), body, chunks);
    }

    private static byte[] text(Random random, int length, boolean rough) {
        byte[] body = new byte[length];
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(rough ? 12 : 40);
            body[i] = switch (pick) {
                case 0 -> ' ';
                case 1 -> '\t';
                case 2 -> '\r';
                case 3 -> '\n';
                case 4 -> (byte) (0x80 + random.nextInt(128));
                case 5 -> (byte) random.nextInt(32);
                case 6, 7, 8 -> ' ';
                default -> (byte) ('a' + random.nextInt(26));
            };
            if (pick == 2 && i + 1 < length && random.nextInt(4) != 0) {
                body[++i] = '\n';
            }
        }
        return body;
    }
}
