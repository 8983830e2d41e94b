package org.tesjames.mailets.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.Predicate;

import javax.mail.Session;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Test;

class StampedCopyTest {
    private static final String FIRST = "X-First: ours\r\n";
    private static final Predicate<String> MARKED = value -> value.contains("drop");

    private static MimeMessageWrapper wrapper(byte[] octets) throws Exception {
        return new MimeMessageWrapper(MimeMessageInputStreamSource.create("test", new ByteArrayInputStream(octets)));
    }

    /** The octets James reads of the message (its source's, for a message James has not changed). */
    private static byte[] written(MimeMessage message) throws Exception {
        if (message instanceof MimeMessageWrapper wrapper) {
            try (InputStream in = wrapper.getMessageInputStream()) {
                return in.readAllBytes();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    /** The header lines javax.mail reads from the octets (field by field, folding kept), and the octets after them. */
    private static List<String> fields(byte[] octets) throws Exception {
        return Collections.list(new InternetHeaders(new ByteArrayInputStream(octets)).getAllHeaderLines());
    }

    private static byte[] body(byte[] octets) throws Exception {
        InputStream in = new ByteArrayInputStream(octets);
        new InternetHeaders(in);
        return in.readAllBytes();
    }

    @Test
    void putsTheNewLinesFirstLeavesOutTheSelectedFieldsAndCopiesEveryOtherOctet() throws Exception {
        byte[] original = ("Received: from a\r\n by b\r\n"
            + "x-stamp : drop me\r\n"
            + "X-Stamp: keep\r\n"
            + "X-Stamp:\r\n\tdrop (folded)\r\n"
            + "Subject: caf\u00e9\r\n"
            + "\r\nbody\r\n\r\nX-Stamp: drop, but in the body\r\n").getBytes(StandardCharsets.ISO_8859_1);

        StampedCopy.Copy copy = StampedCopy.of(wrapper(original), FIRST, "X-Stamp", MARKED);

        assertThat(copy.removed()).isEqualTo(2);
        assertThat(new String(written(copy.message()), StandardCharsets.ISO_8859_1)).isEqualTo("X-First: ours\r\n"
            + "Received: from a\r\n by b\r\n"
            + "X-Stamp: keep\r\n"
            + "Subject: caf\u00e9\r\n"
            + "\r\nbody\r\n\r\nX-Stamp: drop, but in the body\r\n");
        assertThat(copy.message().getSubject()).isEqualTo("caf\u00e9");
    }

    @Test
    void readsFieldsAsJavaMailDoesWhateverTheLineEndsAndFolding() throws Exception {
        String[] lines = {"X-Stamp: drop", "x-STAMP:drop", " X-Stamp : drop", "X-Stamp: keep", "X-Stampede: drop",
            "X-Stamp", "Other: drop", " continued drop", "\tcontinued keep", "From: a@b.example", "Bare: x\ry",
            "X-Stamp: d\rrop"};
        String[] ends = {"\r\n", "\n", "\r", "\r\r\n"};
        Random random = new Random(7);
        for (int round = 0; round < 5000; round++) {
            StringBuilder text = new StringBuilder();
            int count = 1 + random.nextInt(8);
            for (int i = 0; i < count; i++) {
                text.append(lines[random.nextInt(lines.length)]).append(ends[random.nextInt(ends.length)]);
            }
            text.append(random.nextBoolean() ? "\r\n" : "\n").append("body line\r\n");
            byte[] original = text.toString().getBytes(StandardCharsets.ISO_8859_1);

            StampedCopy.Copy copy = StampedCopy.of(wrapper(original), FIRST, "X-Stamp", MARKED);

            List<String> expected = new ArrayList<>();
            expected.add("X-First: ours");
            int removed = 0;
            // javax.mail reads lines that continue no field as a field of their own (without the white space)
            int orphans = text.charAt(0) == ' ' || text.charAt(0) == '\t' ? 1 : 0;
            List<String> read = fields(original);
            for (String field : read.subList(orphans, read.size())) {
                int colon = field.indexOf(':');
                String name = (colon < 0 ? field : field.substring(0, colon)).trim();
                if (name.equalsIgnoreCase("X-Stamp") && MARKED.test(field.substring(colon + 1))) {
                    removed++;
                } else {
                    expected.add(field);
                }
            }
            byte[] stamped = written(copy.message());
            assertThat(fields(stamped)).as("%s", text).isEqualTo(expected);
            assertThat(copy.removed()).as("%s", text).isEqualTo(removed);
            assertThat(copy.orphans()).as("%s", text).isEqualTo(orphans);
            assertThat(body(stamped)).as("%s", text).isEqualTo(body(original));
        }
    }

    @Test
    void aHeaderThatStartsWithAContinuationLineCannotExtendTheNewLines() throws Exception {
        byte[] original = "\tdkim=pass header.d=member.example\r\n more\r\nSubject: s\r\n\r\nbody\r\n"
            .getBytes(StandardCharsets.US_ASCII);

        StampedCopy.Copy copy = StampedCopy.of(wrapper(original), FIRST, "X-Stamp", MARKED);

        assertThat(copy.orphans()).isEqualTo(1);
        assertThat(copy.message().getHeader("X-First")).containsExactly("ours");
        assertThat(new String(written(copy.message()), StandardCharsets.US_ASCII))
            .isEqualTo("X-First: ours\r\nSubject: s\r\n\r\nbody\r\n");
    }

    @Test
    void aHeaderOrALineEndAcrossTheReadBufferIsCopiedWhole() throws Exception {
        for (String end : new String[] {"\r\n", "\r\r\n", "\r", "\n"}) {
            for (int padding = 8150; padding < 8200; padding++) {
                byte[] original = ("X-Pad: " + "p".repeat(padding) + end + "X-Stamp: drop" + end + end + "body\r\n")
                    .getBytes(StandardCharsets.US_ASCII);

                StampedCopy.Copy copy = StampedCopy.of(wrapper(original), FIRST, "X-Stamp", MARKED);

                assertThat(copy.removed()).isEqualTo(1);
                assertThat(new String(written(copy.message()), StandardCharsets.US_ASCII)).as("%d %s", padding, end)
                    .isEqualTo("X-First: ours\r\nX-Pad: " + "p".repeat(padding) + "\r\n\r\nbody\r\n");
            }
        }
    }

    @Test
    void aMessageWithoutBodyOrWithoutHeaderGetsTheEmptyLineJavaMailWouldWrite() throws Exception {
        assertThat(written(StampedCopy.of(wrapper("Subject: only\r\n".getBytes(StandardCharsets.US_ASCII)), FIRST,
            "X-Stamp", MARKED).message())).isEqualTo("X-First: ours\r\nSubject: only\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        assertThat(written(StampedCopy.of(wrapper("\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)), FIRST,
            "X-Stamp", MARKED).message())).isEqualTo("X-First: ours\r\n\r\nbody\r\n"
            .getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aMessageOtherThanJamesOwnIsWrittenOutFirst() throws Exception {
        MimeMessage plain = new MimeMessage(Session.getDefaultInstance(new Properties()),
            new ByteArrayInputStream("X-Stamp: drop\r\nSubject: s\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));

        StampedCopy.Copy copy = StampedCopy.of(plain, FIRST, "X-Stamp", MARKED);

        assertThat(copy.removed()).isEqualTo(1);
        assertThat(new String(written(copy.message()), StandardCharsets.US_ASCII))
            .isEqualTo("X-First: ours\r\nSubject: s\r\n\r\nbody\r\n");
    }

    @Test
    void aLargeBodyIsCopiedOctetForOctet() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024];
        new Random(3).nextBytes(body);
        ByteArrayOutputStream original = new ByteArrayOutputStream();
        original.write("Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        original.write(body);

        StampedCopy.Copy copy = StampedCopy.of(wrapper(original.toByteArray()), FIRST, "X-Stamp", MARKED);

        byte[] stamped = written(copy.message());
        assertThat(body(stamped)).isEqualTo(body);
        assertThat(fields(stamped)).containsExactly("X-First: ours", "Subject: big");
        copy.message().dispose();
    }

    @Test
    void copiesOnEitherSideOfTheInMemoryThresholdAlikeAndCanBeReadAgain() throws Exception {
        byte[] top = FIRST.getBytes(StandardCharsets.US_ASCII);
        byte[] head = "Subject: edge\nX-Stamp: drop me\n\n".getBytes(StandardCharsets.US_ASCII); // bare LFs grow
        for (int size : new int[] {StampedCopy.IN_MEMORY - top.length - 1, StampedCopy.IN_MEMORY - top.length,
            StampedCopy.IN_MEMORY - top.length + 1, StampedCopy.IN_MEMORY + 4096}) {
            byte[] original = new byte[size];
            System.arraycopy(head, 0, original, 0, head.length);
            Random random = new Random(size);
            for (int i = head.length; i < size; i++) {
                original[i] = (byte) (random.nextInt(10) == 0 ? '\n' : 'a' + random.nextInt(26));
            }

            StampedCopy.Copy copy = StampedCopy.of(wrapper(original), FIRST, "X-Stamp", MARKED);

            byte[] stamped = written(copy.message());
            assertThat(fields(stamped)).as("size %d", size).containsExactly("X-First: ours", "Subject: edge");
            assertThat(body(stamped)).as("size %d", size).isEqualTo(body(original));
            assertThat(written(copy.message())).as("read again, size %d", size).isEqualTo(stamped);
            assertThat(copy.message().getMessageSize()).as("size %d", size).isEqualTo(stamped.length);
            assertThat(copy.removed()).isEqualTo(1);
            copy.message().dispose();
        }
    }

    @Test
    void theCopysStreamReadsAsAByteArrayInputStreamOfTheSameOctets() throws Exception {
        byte[] octets = new byte[1000];
        new Random(7).nextBytes(octets);
        for (int length : new int[] {0, 1, 999, 1000}) {
            InputStream ours = new StampedCopy.OctetStream(octets, length);
            InputStream jdk = new ByteArrayInputStream(octets, 0, length);
            Random steps = new Random(length);
            byte[] a = new byte[64];
            byte[] b = new byte[64];
            while (true) {
                assertThat(ours.available()).isEqualTo(jdk.available());
                int step = steps.nextInt(5);
                if (step == 0) {
                    int next = ours.read();
                    assertThat(next).isEqualTo(jdk.read());
                    if (next < 0) {
                        break;
                    }
                } else if (step == 1) {
                    long n = steps.nextInt(40) - 5;
                    assertThat(ours.skip(n)).isEqualTo(jdk.skip(n));
                } else if (step == 2) {
                    ours.mark(0);
                    jdk.mark(0);
                    assertThat(ours.read()).isEqualTo(jdk.read());
                    ours.reset();
                    jdk.reset();
                } else {
                    int offset = steps.nextInt(8);
                    int len = steps.nextInt(a.length - offset + 1);
                    int n = ours.read(a, offset, len);
                    assertThat(n).as("length %d", length).isEqualTo(jdk.read(b, offset, len));
                    assertThat(Arrays.copyOfRange(a, offset, offset + Math.max(n, 0)))
                        .isEqualTo(Arrays.copyOfRange(b, offset, offset + Math.max(n, 0)));
                }
            }
            assertThat(ours.read(a, 0, 0)).isEqualTo(jdk.read(b, 0, 0));
            assertThatThrownBy(() -> ours.read(a, 60, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}

