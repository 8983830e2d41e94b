package org.tesjames.it.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.it.harness.DkimChecks;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.HarnessProbe;
import org.tesjames.it.harness.Submission;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;

/**
 * TES DKIM signing through a real James: {@code dkim.keys} in {@code tes.properties} loaded by the Guice module,
 * {@code TesDkimSign} in the processor chain. The shipped chain signs in {@code relay}; to read the signed mail
 * back, this test also signs in {@code local-delivery}.
 */
class DkimSigningTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final DkimKeyDirectory KEYS = DkimKeyDirectory.create();
    private static final DkimKey KEY = KEYS.write("tes.test", DkimKeyType.RSA, "it2026");

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS.path() + "\n")
        .replace("mailetcontainer.xml", "<mailet match=\"All\" class=\"LocalDelivery\"/>",
            "<mailet match=\"All\" class=\"org.tesjames.mailets.TesDkimSign\"/>\n"
                + "            <mailet match=\"All\" class=\"LocalDelivery\"/>"));

    private static TesJamesServer james;

    @BeforeAll
    static void users() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
    }

    private static void submit(String from, String subject) throws Exception {
        Submission.submit(james, USER, PASSWORD, USER, "From: " + from + "\r\nTo: " + USER + "\r\nSubject: "
            + subject + "\r\nMessage-ID: <" + subject + "@tes.test>\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "Hello,\r\n\r\nsigned  by   TES.\r\n");
    }

    /** Waits for the message with this subject in the inbox (the count is not read before the mail is sent). */
    private static byte[] delivered(String subject) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            for (byte[] raw : james.probe(HarnessProbe.class).inbox(USER)) {
                if (new String(raw, StandardCharsets.ISO_8859_1).contains("Subject: " + subject + "\r\n")) {
                    return raw;
                }
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no delivered message with subject " + subject + " within 30 s");
    }

    @Test
    void anAuthenticatedUsersMailIsSignedWithItsDomainKeyAndVerifies() throws Exception {
        submit("Writer <" + USER + ">", "signed");

        byte[] message = delivered("signed");
        String text = new String(message, StandardCharsets.ISO_8859_1);

        assertThat(text).contains("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=tes.test; s=it2026;");
        assertThat(DkimChecks.jdkimVerified(message, KEY)).containsExactly("tes.test/it2026");
    }

    @Test
    void mailFromADomainTheUserMayNotSendForIsDeliveredUnsigned() throws Exception {
        submit("someone@other.example", "unsigned");

        String text = new String(delivered("unsigned"), StandardCharsets.ISO_8859_1);

        assertThat(text).doesNotContain("DKIM-Signature");
    }
}
