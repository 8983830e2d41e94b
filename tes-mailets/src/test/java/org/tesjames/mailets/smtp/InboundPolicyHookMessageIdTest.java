package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.tesjames.mailets.MessageIds;

/** The Message-ID the inbound hook reads from the header lines as they stream in is the one javax.mail reads. */
class InboundPolicyHookMessageIdTest {
    private static final String[] LINES = {"Message-ID: <1@a.example>", "message-id:<2@a.example>",
        " Message-ID : <3@a.example>", "Message-ID:", "Message-ID:   ", "Message-ID", "Message-IDs: <4@a.example>",
        "X-Message-ID: <5@a.example>", "Message-ID: <6@a.example> (comment)", "Message-ID: \u00e9t\u00e9@a.example",
        "Subject: s", " <folded@a.example>", "\t(more)", " :<colon@a.example>", " ", "From: a@a.example", "Message-ID: " + "x".repeat(300)};

    private static String streamed(List<String> header) {
        InboundPolicyHook.HeaderState state = new InboundPolicyHook.HeaderState();
        for (String line : header) {
            byte[] octets = (line + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            state.passed(octets, octets[0] == ' ' || octets[0] == '\t');
        }
        return state.quotedMessageId();
    }

    private static String javaMail(List<String> header) throws Exception {
        String message = String.join("\r\n", header) + "\r\n\r\nbody\r\n";
        return MessageIds.of(new MimeMessage(Session.getDefaultInstance(new Properties()),
            new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1))));
    }

    @Test
    void everyMixOfFieldsGivesJavaMailsMessageId() throws Exception {
        Random random = new Random(11);
        for (int round = 0; round < 3000; round++) {
            List<String> header = new ArrayList<>();
            String first = LINES[random.nextInt(LINES.length)];
            // a header that starts with a continuation line is refused before it is stored
            header.add(first.startsWith(" ") || first.startsWith("\t") ? "Subject: s" : first);
            int count = random.nextInt(6);
            for (int i = 0; i < count; i++) {
                header.add(LINES[random.nextInt(LINES.length)]);
            }

            assertThat(streamed(header)).as("%s", header).isEqualTo(javaMail(header));
        }
    }

    @Test
    void aFoldedMessageIdIsReadWhole() throws Exception {
        List<String> header = List.of("Subject: s", "Message-ID:", " <folded@a.example>", "\t(comment)",
            "Message-ID: <second@a.example>");

        assertThat(streamed(header)).isEqualTo("<folded@a.example> (comment)").isEqualTo(javaMail(header));
    }

    @Test
    void noMessageIdIsNone() throws Exception {
        assertThat(streamed(List.of("Subject: s"))).isEqualTo(MessageIds.NONE);
    }
}
