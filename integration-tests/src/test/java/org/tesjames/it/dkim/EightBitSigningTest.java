package org.tesjames.it.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.it.harness.DkimChecks;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.RemoteMx;
import org.tesjames.it.harness.Submission;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;

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
    private static final DkimKeyDirectory KEYS = DkimKeyDirectory.create();
    private static final DkimKey RSA = KEYS.write("tes.test", DkimKeyType.RSA, "rsa2026");
    private static final DkimKey ED25519 = KEYS.write("tes.test", DkimKeyType.ED25519, "ed2026");

    private static final int MX_PORT = OutboundPorts.free();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS.path() + "\n").outboundPort(MX_PORT));

    private static TesJamesServer james;
    private static RecordingSmtpSink eightBit;
    private static RecordingSmtpSink sevenBit;

    @BeforeAll
    static void setUp() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
        KEYS.publish(extension.dns());
        eightBit = RemoteMx.start(extension.dns(), "eight.test", "127.0.0.2", MX_PORT, true);
        sevenBit = RemoteMx.start(extension.dns(), "seven.test", "127.0.0.3", MX_PORT, false);
    }

    @AfterAll
    static void tearDown() {
        eightBit.close();
        sevenBit.close();
    }

    private static void submit(String recipient, String id) throws Exception {
        Submission.submit(james, USER, PASSWORD, recipient, "From: Writer <" + USER + ">\r\nTo: " + recipient
            + "\r\nSubject: 8bit " + id + "\r\nMessage-ID: <" + id + "@tes.test>\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000"
            + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n\r\n" + TEXT, "BODY=8BITMIME");
    }

    private static void assertSignedAndIntact(ReceivedMessage received) throws Exception {
        byte[] raw = received.rawBytes();
        List<DkimSignatureResult> results = DkimChecks.verify(extension.dns(), raw);
        assertThat(results).as("signatures at the sink").hasSize(2);
        assertThat(results).allSatisfy(result -> assertThat(result.isPass()).as(result.toString()).isTrue());
        assertThat(DkimChecks.jdkimVerified(raw, RSA)).containsExactly("tes.test/rsa2026");
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
