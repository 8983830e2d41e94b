package org.tesjames.it.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.verify.DkimFailureReason;
import org.tesjames.core.dkim.verify.DkimResult;
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
 * Why {@code TesDkimSign} converts 8-bit parts before signing: with {@code convert8bit=false}, James's
 * RemoteDelivery re-encodes the 8-bit body as quoted-printable for a remote MX without 8BITMIME after the
 * signature was made, and the signature fails at the MX with a body hash mismatch. (With the default, see
 * {@link EightBitSigningTest}, it verifies.)
 */
class EightBitWithoutConversionTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final DkimKeyDirectory KEYS = DkimKeyDirectory.create();
    private static final DkimKey KEY = KEYS.write("tes.test", DkimKeyType.ED25519, "ed2026");

    private static final int MX_PORT = OutboundPorts.free();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS.path() + "\n")
        .outboundPort(MX_PORT)
        .replace("mailetcontainer.xml", "<mailet match=\"All\" class=\"org.tesjames.mailets.TesDkimSign\"/>",
            "<mailet match=\"All\" class=\"org.tesjames.mailets.TesDkimSign\">"
                + "<convert8bit>false</convert8bit></mailet>"));

    private static TesJamesServer james;
    private static RecordingSmtpSink sevenBit;

    @BeforeAll
    static void setUp() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
        KEYS.publish(extension.dns());
        sevenBit = RemoteMx.start(extension.dns(), "seven.test", "127.0.0.5",
            MX_PORT, false);
    }

    @AfterAll
    static void tearDown() {
        sevenBit.close();
    }

    @Test
    void remoteDeliveryReencodesAfterSigningAndBreaksTheBodyHash() throws Exception {
        Submission.submit(james, USER, PASSWORD, "bob@seven.test", "From: " + USER
            + "\r\nTo: bob@seven.test\r\nSubject: raw 8bit\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n");

        ReceivedMessage received = sevenBit.awaitMessage(Duration.ofSeconds(60));
        assertThat(received.rawText()).contains("Content-Transfer-Encoding: quoted-printable");
        List<DkimSignatureResult> results = DkimChecks.verify(extension.dns(), received.rawBytes());

        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.result()).isEqualTo(DkimResult.FAIL);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.BODY_HASH_MISMATCH);
        });
    }
}
