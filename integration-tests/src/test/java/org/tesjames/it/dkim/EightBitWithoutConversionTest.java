package org.tesjames.it.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.verify.DkimFailureReason;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * Why {@code TesDkimSign} converts 8-bit parts before signing: with {@code convert8bit=false}, James's
 * RemoteDelivery re-encodes the 8-bit body as quoted-printable for a remote MX without 8BITMIME after the
 * signature was made, and the signature fails at the MX with a body hash mismatch. (With the default, see
 * {@link EightBitSigningTest}, it verifies.)
 */
class EightBitWithoutConversionTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final Path KEYS = keys();
    private static final DkimKey KEY = write();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS + "\n")
        .replace("mailetcontainer.xml", "<mailet match=\"All\" class=\"org.tesjames.mailets.TesDkimSign\"/>",
            "<mailet match=\"All\" class=\"org.tesjames.mailets.TesDkimSign\">"
                + "<convert8bit>false</convert8bit></mailet>"));

    private static TesJamesServer james;
    private static RecordingSmtpSink sevenBit;

    private static Path keys() {
        try {
            return Files.createTempDirectory("tes-dkim-8bit-raw-it");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DkimKey write() {
        try {
            Path file = KEYS.resolve("tes.test").resolve("ed2026.pem");
            DkimKeyFile.write(file, DkimKeyFile.generate(DkimKeyType.ED25519, 0).getPrivate());
            return DkimKeyFile.read(file, "tes.test", "ed2026");
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the test DKIM key", e);
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
        extension.dns().zone("tes.test").txt(KEY.selector() + "._domainkey", KEY.keyRecord().text());
        extension.dns().zone("seven.test").mx("@", 10, "mx.seven.test.").a("mx", "127.0.0.5");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.5"))) {
            port = socket.getLocalPort();
        }
        james.remoteSmtpPort(port);
        sevenBit = RecordingSmtpSink.builder().bindAddress("127.0.0.5").port(port).hostname("mx.seven.test")
            .eightBitMime(false).start();
    }

    @AfterAll
    static void tearDown() {
        sevenBit.close();
    }

    @Test
    void remoteDeliveryReencodesAfterSigningAndBreaksTheBodyHash() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort()).trustAll()
                .connect()) {
            client.ehlo("client.example");
            client.starttls();
            client.ehlo("client.example");
            assertThat(client.authPlain(USER, PASSWORD).code()).isEqualTo(235);
            assertThat(client.mailFrom(USER).code()).isEqualTo(250);
            assertThat(client.rcptTo("bob@seven.test").code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message(("From: " + USER + "\r\nTo: bob@seven.test\r\nSubject: raw 8bit\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n").getBytes(StandardCharsets.UTF_8))
                .code()).isEqualTo(250);
        }

        ReceivedMessage received = sevenBit.awaitMessage(Duration.ofSeconds(60));
        assertThat(received.rawText()).contains("Content-Transfer-Encoding: quoted-printable");
        DkimVerifier verifier = new DkimVerifier(DnsJavaClient.create(List.of(extension.dns().address()),
            Duration.ofSeconds(3), 1), Clock.systemUTC());
        List<DkimSignatureResult> results = verifier.verify(received.rawBytes()).toCompletableFuture()
            .get(30, TimeUnit.SECONDS).signatures();

        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.result()).isEqualTo(DkimResult.FAIL);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.BODY_HASH_MISMATCH);
        });
    }
}
