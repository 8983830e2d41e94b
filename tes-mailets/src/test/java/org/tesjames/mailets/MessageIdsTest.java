package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

    private static MimeMessage withMessageId(String value) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setText("body");
        message.setHeader("Message-ID", value);
        return message;
    }

    private static MimeMessage parsed(String header) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream((header + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static void assertSafe(String quoted) {
        assertThat(quoted).doesNotContain("\r", "\n").hasSizeLessThanOrEqualTo(MessageIds.MAX_LENGTH);
        assertThat(quoted.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @Test
    void aPlainMessageIdIsQuotedAsItIs() throws Exception {
        assertThat(MessageIds.of(withMessageId("<1@example.com>"))).isEqualTo("<1@example.com>");
    }

    @Test
    void noMessageIdIsNone() throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setText("body");

        assertThat(MessageIds.of(message)).isEqualTo(MessageIds.NONE);
        assertThat(MessageIds.of(FakeMail.builder().name("m").mimeMessage(message).build()))
            .isEqualTo(MessageIds.NONE);
    }

    @Nested
    class HostileValues {
        @Test
        void aFoldedMessageIdIsUnfolded() throws Exception {
            String quoted = MessageIds.of(parsed("From: a@example.com\r\nMessage-ID:\r\n <1@example.com>\r\n\t(x)"));

            assertThat(quoted).isEqualTo("<1@example.com> (x)");
        }

        @Test
        void crLfCannotStartAnotherSmtpReplyLine() throws Exception {
            String quoted = MessageIds.of(withMessageId("<1@example.com>\r\n250 2.0.0 OK"));

            assertSafe(quoted);
            assertThat(quoted).isEqualTo("<1@example.com>250 2.0.0 OK");
        }

        @Test
        void aBareCrOrLfIsRemoved() throws Exception {
            assertThat(MessageIds.of(withMessageId("<1@example.com>\rINFO forged"))).isEqualTo("<1@example.com>INFO forged");
            assertThat(MessageIds.of(withMessageId("<1@example.com>\nINFO forged"))).isEqualTo("<1@example.com>INFO forged");
        }

        @Test
        void nulAndOtherControlCharactersAreRemoved() throws Exception {
            assertThat(MessageIds.of(withMessageId("<1\u0000@\u0007example\u001b.com\u007f>")))
                .isEqualTo("<1@example.com>");
        }

        @Test
        void nonAsciiIsReplaced() throws Exception {
            assertThat(MessageIds.of(withMessageId("<b\u00fccher\u2028\ud83d\ude00@example.com>")))
                .isEqualTo("<b?cher??@example.com>");
        }

        @Test
        void aTenKilobyteMessageIdIsCutWithAnEllipsis() throws Exception {
            String id = "<" + "x".repeat(10_000) + "@example.com>";

            String quoted = MessageIds.of(withMessageId(id));

            assertSafe(quoted);
            assertThat(quoted).hasSize(MessageIds.MAX_LENGTH).startsWith("<xxx").endsWith("x...");
        }

        @Test
        void onlyControlCharactersIsNone() throws Exception {
            assertThat(MessageIds.quotable("\r\n\u0000 \t")).isEqualTo(MessageIds.NONE);
        }
    }
}
