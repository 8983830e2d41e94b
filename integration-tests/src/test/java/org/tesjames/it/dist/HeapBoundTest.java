package org.tesjames.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.ImapInbox;
import org.tesjames.it.harness.JamesProcess;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * The inbound listener with the TES hooks keeps a message's header, not the message, on the heap: the packaged
 * distribution started with {@code -Xmx256m} receives eight 40 MB messages sent at the same time, refuses each with
 * the size limit (30 MiB here) once it has all arrived, stays up and goes on delivering mail. Before, the
 * authentication hook, which sees the lines before James's size filter, held each message on the heap (twice
 * over while its buffer grew) and the server ran out of memory.
 *
 * <p>Why refused and not accepted: the memory app's mail queue clones every queued message into a byte array
 * ({@code MemoryMailQueueFactory}), so eight accepted 40 MB messages exceed a 256 MB heap in James itself, with or
 * without TES. The distributed and JPA apps queue messages outside the heap.
 */
class HeapBoundTest {
    private static final String USER = "heap@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final int MESSAGES = 8;
    private static final int MEGABYTES = 40;

    @Test
    void eightConcurrent40MbMessagesAreReceivedWithA256MbHeap() throws Exception {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             JamesProcess james = JamesProcess.start(dns, conf -> conf.replaceInListener("inbound",
                 "<maxmessagesize>51200</maxmessagesize>", "<maxmessagesize>30720</maxmessagesize>"), "256m")) {
            james.addUser(USER, PASSWORD);

            ExecutorService senders = Executors.newFixedThreadPool(MESSAGES);
            List<Future<SmtpReply>> replies = new ArrayList<>();
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    int n = i;
                    replies.add(senders.submit(() -> sendBig(james.inboundPort(), n)));
                }
                for (Future<SmtpReply> future : replies) {
                    SmtpReply reply;
                    try {
                        reply = future.get(5, TimeUnit.MINUTES);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new AssertionError("a sender failed: " + e.getCause() + "\n" + tail(james), e);
                    }
                    assertThat(reply.code()).as(() -> reply + "\n" + tail(james)).isEqualTo(552);
                    assertThat(reply.text()).isEqualTo("5.3.4 Message refused: larger than the limit of 31457280 octets");
                }
            } finally {
                senders.shutdownNow();
            }

            try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", james.inboundPort())) {
                client.ehlo("peer.example");
                assertThat(client.mailFrom("bob@remote.example").code()).isEqualTo(250);
                assertThat(client.rcptTo(USER).code()).isEqualTo(250);
                assertThat(client.data().code()).isEqualTo(354);
                assertThat(client.message("From: bob@remote.example\r\nSubject: after the big ones\r\n\r\nsmall\r\n")
                    .code()).isEqualTo(250);
            }
            MimeMessage small = Awaitility.await("delivery after the big messages").atMost(Duration.ofSeconds(60))
                .until(() -> ImapInbox.read(james.imapPort(), USER, PASSWORD), list -> !list.isEmpty()).get(0);
            assertThat(small.getSubject()).isEqualTo("after the big ones");
            assertThat(james.log()).doesNotContain("OutOfMemoryError");
        }
    }

    /** The errors James logged, then the end of its log. */
    private static String tail(JamesProcess james) {
        try {
            return String.join("\n", james.log().lines()
                .filter(line -> line.contains("Exception") || line.contains("Error")).limit(30).toList())
                + "\n...\n" + james.logTail();
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static SmtpReply sendBig(int port, int n) throws Exception {
        byte[] line = ("x".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] megabyte = new byte[line.length * 1000];
        for (int i = 0; i < 1000; i++) {
            System.arraycopy(line, 0, megabyte, i * line.length, line.length);
        }
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", port).timeout(Duration.ofMinutes(5))
                .connect()) {
            client.ehlo("peer.example");
            assertThat(client.mailFrom("bob@remote.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(USER).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            client.writeRaw(("From: bob@remote.example\r\nSubject: big " + n + "\r\nMessage-ID: <big" + n
                + "@remote.example>\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < MEGABYTES; i++) {
                client.writeRaw(megabyte);
            }
            client.writeRaw(".\r\n".getBytes(StandardCharsets.US_ASCII));
            return client.readReply();
        }
    }
}
