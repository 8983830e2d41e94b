package org.tesjames.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.RemoteMx;
import org.tesjames.it.harness.Submission;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.RecordingSmtpSink;

/**
 * Mail submitted to a real James and signed by the shipped relay processor ({@code TesDkimSign}, RSA-2048 and
 * Ed25519 for one domain) arrives at a remote MX with signatures that dkimpy verifies, fetching the keys over DNS
 * from the test DNS server: a plain message, and an 8-bit one relayed to an MX without 8BITMIME.
 */
@Tag("interop")
class DkimpyThroughJamesTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final DkimKeyDirectory KEYS = DkimKeyDirectory.create();
    private static final DkimKey RSA = KEYS.write("tes.test", DkimKeyType.RSA, "rsa2026");
    private static final DkimKey ED25519 = KEYS.write("tes.test", DkimKeyType.ED25519, "ed2026");

    private static final int MX_PORT = OutboundPorts.free();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS.path() + "\n").outboundPort(MX_PORT));

    private static TesJamesServer james;
    private static RecordingSmtpSink sink;

    @BeforeAll
    static void setUp() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
        KEYS.publish(extension.dns());
        sink = RemoteMx.start(extension.dns(), "remote.test", "127.0.0.4", MX_PORT, false);
    }

    @AfterAll
    static void tearDown() {
        sink.close();
    }

    private static byte[] relay(String id, String contentHeaders, String body) throws Exception {
        sink.clear();
        Submission.submit(james, USER, PASSWORD, "bob@remote.test", "From: Writer <" + USER
            + ">\r\nTo: Bob <bob@remote.test>\r\nSubject: dkimpy " + id + "\r\nMessage-ID: <" + id
            + "@tes.test>\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000\r\n" + contentHeaders + "\r\n" + body);
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
