package org.tesjames.core.dkim.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.DkimTags;

class DkimSignerTest {
    private static final Instant NOW = Instant.parse("2024-03-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String MESSAGE = """
        Received: from client by server; Fri, 1 Mar 2024 10:00:00 +0000
        From: Alice <alice@example.com>
        To: bob@example.net,
        \tcarol@example.net
        To: dave@example.net
        Subject:   Hello    world\t
        Date: Fri, 1 Mar 2024 10:00:00 +0000
        Message-ID: <1@example.com>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=us-ascii
        X-Not-Signed: yes

        Hello Bob,  \t
        this is the body.


        """.replace("\n", "\r\n");

    @TempDir
    Path keys;

    private static byte[] bytes(String message) {
        return message.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The message with the signatures prepended, as a transport would send it. */
    private static byte[] signed(byte[] message, DkimSigner.Result result) {
        StringBuilder head = new StringBuilder();
        for (DkimSignature signature : result.signatures()) {
            head.append(signature.headerField()).append("\r\n");
        }
        byte[] prefix = bytes(head.toString());
        byte[] all = new byte[prefix.length + message.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(message, 0, all, prefix.length, message.length);
        return all;
    }

    private DkimKeyStore store() throws Exception {
        return DkimKeyStore.load(keys);
    }

    private static Map<String, String> tags(DkimSignature signature) {
        return DkimTags.parse(signature.value());
    }

    @Nested
    class Rsa {
        @Test
        void rsa1024SignatureVerifiesWithJdkim() throws Exception {
            TestKeys.write(keys, "example.com", "s1024", TestKeys.RSA_1024.getPrivate());
            DkimKeyStore store = store();
            DkimSigner.Result result = new DkimSigner(store, CLOCK).sign("example.com", bytes(MESSAGE));

            assertThat(result.signatures()).hasSize(1);
            byte[] signed = signed(bytes(MESSAGE), result);
            assertThat(TestVerifiers.jdkimVerifiedRsa(signed, new TestVerifiers.Records()
                .publish(store.activeKeys("example.com").get(0)))).containsExactly("example.com/s1024");
        }

        @Test
        void rsa2048SignatureVerifiesWithJdkimAndCarriesTheDocumentedTags() throws Exception {
            TestKeys.write(keys, "example.com", "s2048", TestKeys.RSA_2048.getPrivate());
            DkimKeyStore store = store();
            DkimSignature signature = new DkimSigner(store, CLOCK).sign("example.com", bytes(MESSAGE))
                .signatures().get(0);

            Map<String, String> tags = tags(signature);
            assertThat(tags).containsEntry("v", "1").containsEntry("a", "rsa-sha256")
                .containsEntry("c", "relaxed/relaxed").containsEntry("d", "example.com").containsEntry("s", "s2048")
                .containsEntry("t", String.valueOf(NOW.getEpochSecond())).doesNotContainKey("l");
            assertThat(signature.value().lines()).allSatisfy(line -> assertThat(line.length()).isLessThan(100));
            assertThat(TestVerifiers.jdkimVerifiedRsa(signed(bytes(MESSAGE), new DkimSigner.Result(List.of(signature),
                List.of())), new TestVerifiers.Records().publish(store.activeKeys("example.com").get(0))))
                .containsExactly("example.com/s2048");
        }

        @Test
        void alteredSubjectNoLongerVerifies() throws Exception {
            TestKeys.write(keys, "example.com", "s2048", TestKeys.RSA_2048.getPrivate());
            DkimKeyStore store = store();
            DkimSigner.Result result = new DkimSigner(store, CLOCK).sign("example.com", bytes(MESSAGE));

            byte[] tampered = signed(bytes(MESSAGE.replace("Hello    world", "Hello    there")), result);
            assertThat(TestVerifiers.jdkimVerifiedRsa(tampered, new TestVerifiers.Records()
                .publish(store.activeKeys("example.com").get(0)))).isEmpty();
        }

        @Test
        void messageWithBareLineFeedsIsSignedInItsCrlfForm() throws Exception {
            TestKeys.write(keys, "example.com", "s2048", TestKeys.RSA_2048.getPrivate());
            DkimKeyStore store = store();
            byte[] lf = bytes(MESSAGE.replace("\r\n", "\n"));
            DkimSigner.Result result = new DkimSigner(store, CLOCK).sign("example.com", lf);

            assertThat(TestVerifiers.jdkimVerifiedRsa(signed(bytes(MESSAGE), result), new TestVerifiers.Records()
                .publish(store.activeKeys("example.com").get(0)))).containsExactly("example.com/s2048");
        }

        @Test
        void signedMimeMessageVerifiesAfterTheHeadersAreAdded() throws Exception {
            TestKeys.write(keys, "example.com", "s2048", TestKeys.RSA_2048.getPrivate());
            DkimKeyStore store = store();
            Session session = Session.getInstance(new Properties());
            MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(bytes(MESSAGE)));

            DkimSigner.Result result = new DkimSigner(store, CLOCK).sign("example.com", message);
            result.addTo(message);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);

            assertThat(TestVerifiers.jdkimVerifiedRsa(out.toByteArray(), new TestVerifiers.Records()
                .publish(store.activeKeys("example.com").get(0)))).containsExactly("example.com/s2048");
        }
    }

    @Nested
    class Ed25519 {
        @Test
        void ed25519SignatureVerifiesOverTheSha256OfTheHeaderData() throws Exception {
            TestKeys.write(keys, "example.com", "ed", TestKeys.ED25519.getPrivate());
            DkimKeyStore store = store();
            DkimSigner.Result result = new DkimSigner(store, CLOCK).sign("example.com", bytes(MESSAGE));

            DkimSignature signature = result.signatures().get(0);
            assertThat(tags(signature)).containsEntry("a", "ed25519-sha256").containsEntry("s", "ed");
            DkimKey key = store.activeKeys("example.com").get(0);
            assertThat(TestVerifiers.verifiedEd25519(signed(bytes(MESSAGE), result),
                Map.of("example.com/ed", key.publicKey()))).containsExactly("example.com/ed");
        }

        @Test
        void ed25519SignatureFailsWithAnotherKeyOrAnAlteredBody() throws Exception {
            TestKeys.write(keys, "example.com", "ed", TestKeys.ED25519.getPrivate());
            DkimKeyStore store = store();
            DkimSigner.Result result = new DkimSigner(store, CLOCK).sign("example.com", bytes(MESSAGE));
            byte[] otherKey = DkimKeyFile.parse(DkimKeyFile.pem(TestKeys.ED25519_B.getPrivate()), "example.com",
                "ed", Path.of("x")).publicKey();

            assertThat(TestVerifiers.verifiedEd25519(signed(bytes(MESSAGE), result),
                Map.of("example.com/ed", otherKey))).isEmpty();
            assertThat(TestVerifiers.verifiedEd25519(signed(bytes(MESSAGE.replace("the body", "a body")), result),
                Map.of("example.com/ed", store.activeKeys("example.com").get(0).publicKey()))).isEmpty();
        }
    }

    @Test
    void domainWithBothKeyTypesIsSignedTwiceAndBothVerify() throws Exception {
        TestKeys.write(keys, "example.com", "rsa1", TestKeys.RSA_2048.getPrivate());
        TestKeys.write(keys, "example.com", "ed1", TestKeys.ED25519.getPrivate());
        DkimKeyStore store = store();
        DkimSigner.Result result = new DkimSigner(store, CLOCK).sign("Example.COM", bytes(MESSAGE));

        assertThat(result.signatures()).extracting(DkimSignature::type)
            .containsExactly(DkimKeyType.RSA, DkimKeyType.ED25519);
        byte[] signed = signed(bytes(MESSAGE), result);
        DkimKey rsa = store.activeKey("example.com", DkimKeyType.RSA).orElseThrow();
        DkimKey ed = store.activeKey("example.com", DkimKeyType.ED25519).orElseThrow();
        assertThat(TestVerifiers.jdkimVerifiedRsa(signed, new TestVerifiers.Records().publish(rsa).publish(ed)))
            .containsExactly("example.com/rsa1");
        assertThat(TestVerifiers.verifiedEd25519(signed, Map.of("example.com/ed1", ed.publicKey())))
            .containsExactly("example.com/ed1");
    }

    @Nested
    class SignedHeaderList {
        @Test
        void listsEachPresentHeaderPerOccurrenceAndFromOnceMore() throws Exception {
            TestKeys.write(keys, "example.com", "ed", TestKeys.ED25519.getPrivate());
            DkimSignature signature = new DkimSigner(store(), CLOCK).sign("example.com", bytes(MESSAGE))
                .signatures().get(0);

            assertThat(DkimTags.withoutWhitespace(tags(signature).get("h")))
                .isEqualTo("from:from:to:to:subject:date:message-id:mime-version:content-type");
        }

        @Test
        void aSecondFromAddedAfterSigningBreaksTheSignature() throws Exception {
            TestKeys.write(keys, "example.com", "s2048", TestKeys.RSA_2048.getPrivate());
            DkimKeyStore store = store();
            DkimSigner.Result result = new DkimSigner(store, CLOCK).sign("example.com", bytes(MESSAGE));

            byte[] withSecondFrom = signed(bytes("From: mallory@example.org\r\n" + MESSAGE), result);
            assertThat(TestVerifiers.jdkimVerifiedRsa(withSecondFrom, new TestVerifiers.Records()
                .publish(store.activeKeys("example.com").get(0)))).isEmpty();
        }

        @Test
        void configuredHeaderListIsHonouredAndStillVerifies() throws Exception {
            TestKeys.write(keys, "example.com", "s2048", TestKeys.RSA_2048.getPrivate());
            DkimKeyStore store = store();
            SignedHeaders headers = SignedHeaders.of(List.of("From", "Subject", "X-Not-Signed"), Set.of("Subject"));
            DkimSigner.Result result = new DkimSigner(store, headers, CLOCK).sign("example.com", bytes(MESSAGE));

            assertThat(DkimTags.withoutWhitespace(tags(result.signatures().get(0)).get("h")))
                .isEqualTo("from:from:subject:subject:x-not-signed");
            assertThat(TestVerifiers.jdkimVerifiedRsa(signed(bytes(MESSAGE), result), new TestVerifiers.Records()
                .publish(store.activeKeys("example.com").get(0)))).containsExactly("example.com/s2048");
        }

        @Test
        void headerListWithoutFromIsRefused() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SignedHeaders.of(List.of("Subject"), Set.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("From");
        }
    }

    @Nested
    class Idempotence {
        @Test
        void signingAnAlreadySignedMessageAddsNothing() throws Exception {
            TestKeys.write(keys, "example.com", "rsa1", TestKeys.RSA_2048.getPrivate());
            TestKeys.write(keys, "example.com", "ed1", TestKeys.ED25519.getPrivate());
            DkimSigner signer = new DkimSigner(store(), CLOCK);
            byte[] once = signed(bytes(MESSAGE), signer.sign("example.com", bytes(MESSAGE)));

            DkimSigner.Result again = signer.sign("example.com", once);

            assertThat(again.signatures()).isEmpty();
            assertThat(again.alreadySigned()).containsExactly("example.com/rsa1", "example.com/ed1");
        }

        @Test
        void aClientSuppliedSignatureWithOurDomainAndSelectorIsNotTakenForOurs() throws Exception {
            TestKeys.write(keys, "example.com", "rsa1", TestKeys.RSA_2048.getPrivate());
            byte[] forged = bytes("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa1;"
                + " h=from; bh=AAAA; b=AAAA\r\n" + MESSAGE);

            DkimSigner.Result result = new DkimSigner(store(), CLOCK).sign("example.com", forged);

            assertThat(result.signatures()).singleElement()
                .satisfies(signature -> assertThat(signature.selector()).isEqualTo("rsa1"));
            assertThat(result.alreadySigned()).isEmpty();
        }

        @Test
        void aValidSignatureWithOurDomainAndSelectorButAnotherKeyIsNotOurs(@TempDir Path otherKeys) throws Exception {
            TestKeys.write(keys, "example.com", "rsa1", TestKeys.RSA_2048.getPrivate());
            TestKeys.write(otherKeys, "example.com", "rsa1", TestKeys.RSA_1024_B.getPrivate());
            byte[] signedElsewhere = signed(bytes(MESSAGE),
                new DkimSigner(DkimKeyStore.load(otherKeys), CLOCK).sign("example.com", bytes(MESSAGE)));

            DkimSigner.Result result = new DkimSigner(store(), CLOCK).sign("example.com", signedElsewhere);

            assertThat(result.signatures()).hasSize(1);
            assertThat(result.alreadySigned()).isEmpty();
        }

        @Test
        void ourSignatureThatNoLongerVerifiesDoesNotCount() throws Exception {
            TestKeys.write(keys, "example.com", "rsa1", TestKeys.RSA_2048.getPrivate());
            DkimSigner signer = new DkimSigner(store(), CLOCK);
            String once = new String(signed(bytes(MESSAGE), signer.sign("example.com", bytes(MESSAGE))),
                StandardCharsets.ISO_8859_1);
            byte[] changed = bytes(once.replace("Subject:   Hello    world", "Subject: Changed"));

            DkimSigner.Result again = signer.sign("example.com", changed);

            assertThat(again.signatures()).hasSize(1);
            assertThat(again.alreadySigned()).isEmpty();
        }

        @Test
        void ourSignatureIsRecognisedAmongManyForgedOnes() throws Exception {
            TestKeys.write(keys, "example.com", "rsa1", TestKeys.RSA_2048.getPrivate());
            DkimSigner signer = new DkimSigner(store(), CLOCK);
            StringBuilder forged = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                forged.append("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa1; h=from; bh=AAAA; b=AAAA\r\n");
            }
            byte[] once = signed(bytes(forged + MESSAGE), signer.sign("example.com", bytes(forged + MESSAGE)));

            DkimSigner.Result again = signer.sign("example.com", once);

            assertThat(again.signatures()).isEmpty();
            assertThat(again.alreadySigned()).containsExactly("example.com/rsa1");
        }

        @Test
        void aSignatureWithAnotherSelectorDoesNotPreventSigning() throws Exception {
            TestKeys.write(keys, "example.com", "rsa1", TestKeys.RSA_2048.getPrivate());
            byte[] foreign = bytes("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=old; h=from; bh=x; b=y\r\n"
                + MESSAGE);

            DkimSigner.Result result = new DkimSigner(store(), CLOCK).sign("example.com", foreign);

            assertThat(result.signatures()).hasSize(1);
            assertThat(result.alreadySigned()).isEmpty();
        }
    }

    @Test
    void domainWithoutKeysGetsNoSignature() throws Exception {
        TestKeys.write(keys, "example.com", "rsa1", TestKeys.RSA_1024.getPrivate());
        DkimSigner.Result result = new DkimSigner(store(), CLOCK).sign("example.org", bytes(MESSAGE));

        assertThat(result.signatures()).isEmpty();
        assertThat(result.alreadySigned()).isEmpty();
    }
}
