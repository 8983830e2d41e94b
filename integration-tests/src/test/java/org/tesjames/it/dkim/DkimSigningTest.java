package org.tesjames.it.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.it.harness.HarnessProbe;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * TES DKIM signing through a real James: {@code dkim.keys} in {@code tes.properties} loaded by the Guice module,
 * {@code TesDkimSign} in the processor chain. The shipped chain signs in {@code relay}; to read the signed mail
 * back, this test also signs in {@code local-delivery}.
 */
class DkimSigningTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final Path KEYS = keys();
    private static final DkimKey KEY = generate();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS + "\n")
        .replace("mailetcontainer.xml", "<mailet match=\"All\" class=\"LocalDelivery\"/>",
            "<mailet match=\"All\" class=\"org.tesjames.mailets.TesDkimSign\"/>\n"
                + "            <mailet match=\"All\" class=\"LocalDelivery\"/>"));

    private static TesJamesServer james;

    private static Path keys() {
        try {
            return Files.createTempDirectory("tes-dkim-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DkimKey generate() {
        try {
            KeyPair pair = DkimKeyFile.generate(DkimKeyType.RSA, 2048);
            Path file = KEYS.resolve("tes.test").resolve("it2026.pem");
            DkimKeyFile.write(file, pair.getPrivate());
            return DkimKeyFile.read(file, "tes.test", "it2026");
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate the test DKIM key", e);
        }
    }

    @BeforeAll
    static void users() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
    }

    private static void submit(String from, String subject) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort()).trustAll()
                .connect()) {
            client.ehlo("client.example");
            client.starttls();
            client.ehlo("client.example");
            assertThat(client.authPlain(USER, PASSWORD).code()).isEqualTo(235);
            assertThat(client.mailFrom(USER).code()).isEqualTo(250);
            assertThat(client.rcptTo(USER).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message("From: " + from + "\r\nTo: " + USER + "\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject + "@tes.test>\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                + "Hello,\r\n\r\nsigned  by   TES.\r\n").code()).isEqualTo(250);
        }
    }

    private static byte[] delivered(String subject) throws Exception {
        int expected = james.inbox(USER).size() + 1;
        james.awaitInbox(USER, expected, Duration.ofSeconds(30));
        for (byte[] raw : james.probe(HarnessProbe.class).inbox(USER)) {
            if (new String(raw, StandardCharsets.ISO_8859_1).contains("Subject: " + subject + "\r\n")) {
                return raw;
            }
        }
        throw new AssertionError("no delivered message with subject " + subject);
    }

    private static List<String> jdkimVerified(byte[] message) throws Exception {
        DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) ->
            (selector + "._domainkey." + domain).equals(KEY.selector() + "._domainkey." + KEY.domain())
                ? List.of(KEY.keyRecord().text()) : List.of());
        List<SignatureRecord> records = verifier.verify(new ByteArrayInputStream(message));
        return records == null ? List.of()
            : records.stream().map(record -> record.getDToken() + "/" + record.getSelector()).toList();
    }

    @Test
    void anAuthenticatedUsersMailIsSignedWithItsDomainKeyAndVerifies() throws Exception {
        submit("Writer <" + USER + ">", "signed");

        byte[] message = delivered("signed");
        String text = new String(message, StandardCharsets.ISO_8859_1);

        assertThat(text).contains("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=tes.test; s=it2026;");
        assertThat(jdkimVerified(message)).containsExactly("tes.test/it2026");
    }

    @Test
    void mailFromADomainTheUserMayNotSendForIsDeliveredUnsigned() throws Exception {
        submit("someone@other.example", "unsigned");

        String text = new String(delivered("unsigned"), StandardCharsets.ISO_8859_1);

        assertThat(text).doesNotContain("DKIM-Signature");
    }
}
