package org.tesjames.it.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * The inbound listener's limits on a message, through a real James: each one exceeded gets one {@code 552 5.3.4}
 * reply naming the limit, nothing is stored, and the session goes on.
 */
class MessageLimitsTest {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .replaceInListener(TesJamesServer.INBOUND, "<maxmessagesize>51200</maxmessagesize>",
            "<maxmessagesize>2048</maxmessagesize>")
        .modify("tes.properties", text -> text + "\nsmtp.max-header-bytes=65536\n"));

    private static TesJamesServer james;

    @BeforeAll
    static void setUp() {
        james = extension.james();
    }

    private static String recipient() throws Exception {
        String user = "limits" + SEQUENCE.incrementAndGet() + "@tes.test";
        james.addUser(user, "secret-Pa55");
        return user;
    }

    private static SmtpReply send(String recipient, String header, String body) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.inboundPort())) {
            client.ehlo("peer.example");
            assertThat(client.mailFrom("bob@unlisted.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(recipient).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            client.writeRaw((header + "From: bob@unlisted.example\r\nSubject: limits\r\n\r\n" + body + ".\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            SmtpReply reply = client.readReply();
            assertThat(client.noop().code()).as("one reply to DATA").isEqualTo(250);
            return reply;
        }
    }

    @Test
    void aHundredThousandHeaderFieldsAreRefusedAtTheFieldLimit() throws Exception {
        String rcpt = recipient();
        SmtpReply reply = send(rcpt, "X-Filler: 1\r\n".repeat(100_000), "body\r\n");

        assertThat(reply.code()).isEqualTo(552);
        assertThat(reply.text()).isEqualTo("5.3.4 Message refused: more than 1000 header fields");
        assertThat(james.inbox(rcpt)).isEmpty();
    }

    @Test
    void aHeaderSectionOverItsSizeLimitIsRefused() throws Exception {
        String rcpt = recipient();
        String longField = "X-Long: start\r\n" + (" " + "y".repeat(70) + "\r\n").repeat(1500);
        SmtpReply reply = send(rcpt, longField, "body\r\n");

        assertThat(reply.code()).isEqualTo(552);
        assertThat(reply.text()).isEqualTo("5.3.4 Message refused: header section larger than 65536 octets");
        assertThat(james.inbox(rcpt)).isEmpty();
    }

    @Test
    void aMessageOverTheListenersMaxMessageSizeIsRefusedNamingTheLimit() throws Exception {
        String rcpt = recipient();
        SmtpReply reply = send(rcpt, "", ("z".repeat(998) + "\r\n").repeat(3000));

        assertThat(reply.code()).isEqualTo(552);
        assertThat(reply.text()).isEqualTo("5.3.4 Message refused: larger than the limit of 2097152 octets");
        assertThat(james.inbox(rcpt)).isEmpty();
    }

    @Test
    void aMessageWithinTheLimitsIsAccepted() throws Exception {
        String rcpt = recipient();
        SmtpReply reply = send(rcpt, "X-Filler: 1\r\n".repeat(900), ("z".repeat(998) + "\r\n").repeat(1000));

        assertThat(reply.code()).isEqualTo(250);
        assertThat(james.awaitInbox(rcpt, 1, java.time.Duration.ofSeconds(30))).hasSize(1);
    }
}
