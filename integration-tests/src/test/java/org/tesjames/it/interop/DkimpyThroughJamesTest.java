package org.tesjames.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * Mail submitted to a real James and signed by the shipped relay processor ({@code TesDkimSign}, RSA-2048 and
 * Ed25519 for one domain) arrives at a remote MX with signatures that dkimpy verifies, fetching the keys over DNS
 * from the test DNS server: a plain message, and an 8-bit one relayed to an MX without 8BITMIME.
 */
@Tag("interop")
class DkimpyThroughJamesTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final Path KEYS = keys();
    private static final DkimKey RSA = write(DkimKeyType.RSA, "rsa2026");
    private static final DkimKey ED25519 = write(DkimKeyType.ED25519, "ed2026");

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS + "\n"));

    private static TesJamesServer james;
    private static RecordingSmtpSink sink;

    private static Path keys() {
        try {
            return Files.createTempDirectory("tes-dkimpy-it");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DkimKey write(DkimKeyType type, String selector) {
        try {
            Path file = KEYS.resolve("tes.test").resolve(selector + ".pem");
            DkimKeyFile.write(file, DkimKeyFile.generate(type, 2048).getPrivate());
            return DkimKeyFile.read(file, "tes.test", selector);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the test DKIM key", e);
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
        extension.dns().zone("tes.test")
            .txt(RSA.selector() + "._domainkey", RSA.keyRecord().text())
            .txt(ED25519.selector() + "._domainkey", ED25519.keyRecord().text());
        extension.dns().zone("remote.test").mx("@", 10, "mx.remote.test.").a("mx", "127.0.0.4");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.4"))) {
            port = socket.getLocalPort();
        }
        james.remoteSmtpPort(port);
        sink = RecordingSmtpSink.builder().bindAddress("127.0.0.4").port(port).hostname("mx.remote.test")
            .eightBitMime(false).start();
    }

    @AfterAll
    static void tearDown() {
        sink.close();
    }

    private static byte[] relay(String id, String contentHeaders, String body) throws Exception {
        sink.clear();
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort()).trustAll()
                .connect()) {
            client.ehlo("client.example");
            client.starttls();
            client.ehlo("client.example");
            assertThat(client.authPlain(USER, PASSWORD).code()).isEqualTo(235);
            assertThat(client.mailFrom(USER).code()).isEqualTo(250);
            assertThat(client.rcptTo("bob@remote.test").code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            String message = "From: Writer <" + USER + ">\r\nTo: Bob <bob@remote.test>\r\nSubject: dkimpy " + id
                + "\r\nMessage-ID: <" + id + "@tes.test>\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000\r\n"
                + contentHeaders + "\r\n" + body;
            assertThat(client.message(message.getBytes(StandardCharsets.UTF_8)).code()).isEqualTo(250);
        }
        return sink.awaitMessage(Duration.ofSeconds(60)).rawBytes();
    }

    private static List<String> dkimpyVerdicts(byte[] message) throws Exception {
        String address = extension.dns().address().getAddress().getHostAddress() + ":"
            + extension.dns().address().getPort();
        return new String(DkimpyInteropTest.dkimpy(message, "verify", "--dns", address), StandardCharsets.UTF_8)
            .lines().toList();
    }

    @Test
    void bothSignaturesOfAPlainMessageVerifyWithDkimpy() throws Exception {
        byte[] received = relay("plain", "", "Hello Bob,\r\n\r\n  signed by TES, checked by dkimpy.  \r\n");

        assertThat(dkimpyVerdicts(received)).containsExactlyInAnyOrder("tes.test rsa2026 pass",
            "tes.test ed2026 pass");
    }

    @Test
    void anEightBitMessageRelayedWithout8BitMimeVerifiesWithDkimpy() throws Exception {
        byte[] received = relay("eight", "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n", "Grüße aus Köln — ✓\r\n");

        assertThat(dkimpyVerdicts(received)).containsExactlyInAnyOrder("tes.test rsa2026 pass",
            "tes.test ed2026 pass");
    }
}
