package org.tesjames.it.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerification;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * A submitted message with an 8-bit body (UTF-8 text, {@code Content-Transfer-Encoding: 8bit}) is signed by the
 * shipped relay processor ({@code TesDkimSign} right before {@code RemoteDelivery}) and relayed to a remote MX
 * that announces 8BITMIME and to one that does not. RemoteDelivery converts 8-bit parts to quoted-printable for
 * a server without 8BITMIME, after signing, which would break the body hash; {@code TesDkimSign} therefore
 * converts them before signing. At both sinks the signatures (RSA and Ed25519) verify with the keys published
 * in the test DNS server, and the text reads back unchanged.
 */
class EightBitSigningTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final String TEXT = "Grüße aus Köln, señor Müller: 10 € — ✓ naïve café\r\n";
    private static final Path KEYS = keys();
    private static final DkimKey RSA = write(DkimKeyType.RSA, "rsa2026");
    private static final DkimKey ED25519 = write(DkimKeyType.ED25519, "ed2026");

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS + "\n"));

    private static TesJamesServer james;
    private static RecordingSmtpSink eightBit;
    private static RecordingSmtpSink sevenBit;

    private static Path keys() {
        try {
            return Files.createTempDirectory("tes-dkim-8bit-it");
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
        extension.dns().zone("eight.test").mx("@", 10, "mx.eight.test.").a("mx", "127.0.0.2");
        extension.dns().zone("seven.test").mx("@", 10, "mx.seven.test.").a("mx", "127.0.0.3");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
            port = socket.getLocalPort();
        }
        james.remoteSmtpPort(port);
        eightBit = RecordingSmtpSink.builder().bindAddress("127.0.0.2").port(port).hostname("mx.eight.test")
            .start();
        sevenBit = RecordingSmtpSink.builder().bindAddress("127.0.0.3").port(port).hostname("mx.seven.test")
            .eightBitMime(false).start();
    }

    @AfterAll
    static void tearDown() {
        eightBit.close();
        sevenBit.close();
    }

    private static void submit(String recipient, String id) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort()).trustAll()
                .connect()) {
            client.ehlo("client.example");
            client.starttls();
            client.ehlo("client.example");
            assertThat(client.authPlain(USER, PASSWORD).code()).isEqualTo(235);
            assertThat(client.mailFrom(USER, "BODY=8BITMIME").code()).isEqualTo(250);
            assertThat(client.rcptTo(recipient).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            String message = "From: Writer <" + USER + ">\r\nTo: " + recipient + "\r\nSubject: 8bit " + id
                + "\r\nMessage-ID: <" + id + "@tes.test>\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n" + TEXT;
            assertThat(client.message(message.getBytes(StandardCharsets.UTF_8)).code()).isEqualTo(250);
        }
    }

    private static List<DkimSignatureResult> verified(byte[] message) throws Exception {
        DkimVerifier verifier = new DkimVerifier(DnsJavaClient.create(List.of(extension.dns().address()),
            Duration.ofSeconds(3), 1), Clock.systemUTC());
        DkimVerification verification = verifier.verify(message).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return verification.signatures();
    }

    private static List<String> jdkimVerified(byte[] message) throws Exception {
        DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) ->
            (selector + "._domainkey." + domain).equals(RSA.selector() + "._domainkey." + RSA.domain())
                ? List.of(RSA.keyRecord().text()) : List.of());
        List<SignatureRecord> records = verifier.verify(new ByteArrayInputStream(message));
        return records == null ? List.of()
            : records.stream().map(record -> record.getDToken() + "/" + record.getSelector()).toList();
    }

    private static void assertSignedAndIntact(ReceivedMessage received) throws Exception {
        byte[] raw = received.rawBytes();
        List<DkimSignatureResult> results = verified(raw);
        assertThat(results).as("signatures at the sink").hasSize(2);
        assertThat(results).allSatisfy(result -> assertThat(result.isPass()).as(result.toString()).isTrue());
        assertThat(jdkimVerified(raw)).containsExactly("tes.test/rsa2026");
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        assertThat(((String) message.getContent()).replace("\r\n", "\n")).isEqualTo(TEXT.replace("\r\n", "\n"));
    }

    @Test
    void an8BitMessageRelayedToAServerWithout8BitMimeArrivesSevenBitCleanAndVerifies() throws Exception {
        submit("bob@seven.test", "seven");

        ReceivedMessage received = sevenBit.awaitMessage(Duration.ofSeconds(60));
        for (byte octet : received.rawBytes()) {
            assertThat(octet & 0xff).as("octets sent to a server without 8BITMIME").isLessThan(128);
        }
        assertSignedAndIntact(received);
    }

    @Test
    void an8BitMessageRelayedToAServerWith8BitMimeVerifies() throws Exception {
        submit("bob@eight.test", "eight");

        assertSignedAndIntact(eightBit.awaitMessage(Duration.ofSeconds(60)));
    }
}
