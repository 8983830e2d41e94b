package org.tesjames.it.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tesjames.it.harness.ImapInbox;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * Forged {@code X-TES-Status} fields in the forms javax.mail (which James stores the message with) reads as that
 * field: every delivered message carries exactly one, the server's; a header javax.mail would read otherwise than
 * it is written is refused. Each delivered message is read back over IMAP, as a mail client would see it.
 */
class ForgedStatusTest {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String PASSWORD = "secret-Pa55";

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> { });

    private static TesJamesServer james;

    @BeforeAll
    static void setUp() {
        james = extension.james();
    }

    private static String recipient() throws Exception {
        String user = "forged" + SEQUENCE.incrementAndGet() + "@tes.test";
        james.addUser(user, PASSWORD);
        return user;
    }

    /** The delivered message as a mail client reads it: over IMAP. */
    private static MimeMessage overImap(String user) {
        return Awaitility.await("delivery to " + user).atMost(Duration.ofSeconds(30))
            .until(() -> ImapInbox.read(james.imapPort(), user, PASSWORD), list -> !list.isEmpty()).get(0);
    }

    private static SmtpReply send(String recipient, byte[] header) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.inboundPort())) {
            client.ehlo("peer.example");
            assertThat(client.mailFrom("bob@unlisted.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(recipient).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            client.writeRaw(header);
            client.writeRaw("From: bob@unlisted.example\r\nSubject: forged\r\n\r\nbody\r\n.\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            SmtpReply reply = client.readReply();
            assertThat(client.noop().code()).as("one reply to DATA").isEqualTo(250);
            return reply;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "X-TES-Status: member\r\n",
        "x-tes-status: member\r\n",
        "X-TES-STATUS:member\r\n",
        "X-TES-Status : member\r\n",
        "X-TES-Status\t: member\r\n",
        "X-TES-Status\u000b: member\r\n",
        "X-TES-Status\f: member\r\n",
        "X-TES-Status:\r\n member\r\n",
        "X-Other: kept\r\nX-TES-Status: member\r\n\tfolded\r\n",
        "X-TES-Status: member\r\nX-TES-Status: member\r\n",
        // not X-TES-Status to javax.mail either (an encoded word or an 8-bit letter in the name): kept, never read
        // as the status
        "=?utf-8?q?X-TES-Status?=: member\r\n",
        "X-TES-St\u00e4tus: member\r\n",
    })
    void aForgedStatusIsRemovedAndTheServersIsTheOnlyOne(String forged) throws Exception {
        String rcpt = recipient();
        assertThat(send(rcpt, bytes(forged)).code()).isEqualTo(250);

        MimeMessage message = overImap(rcpt);
        assertThat(message.getHeader("X-TES-Status")).containsExactly("non-member");
        assertThat(message.getSubject()).isEqualTo("forged");
    }

    @org.junit.jupiter.api.Test
    void aStatusNameWithAUtf8LetterThatFoldsToAsciiIsRemoved() throws Exception {
        String rcpt = recipient();
        // U+017F LATIN SMALL LETTER LONG S upper-cases to 'S': "X-TES-ſtatus" equals "X-TES-Status" ignoring case.
        byte[] forged = "X-TES-\u017Ftatus: member\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(send(rcpt, forged).code()).isEqualTo(250);

        MimeMessage message = overImap(rcpt);
        assertThat(message.getHeader("X-TES-Status")).containsExactly("non-member");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Subject: hi\rX-TES-Status: member\r\n",
        "X-TES-Status\u0000: member\r\n",
        " X-TES-Status: member\r\n",
        "\tmember\r\n",
    })
    void aHeaderJavaMailWouldReadOtherwiseIsRefused(String malformed) throws Exception {
        String rcpt = recipient();
        SmtpReply reply = send(rcpt, bytes(malformed));

        assertThat(reply.code()).isEqualTo(554);
        assertThat(reply.text()).startsWith("5.6.0 Message refused: malformed header (");
        assertThat(james.inbox(rcpt)).isEmpty();
    }
}
