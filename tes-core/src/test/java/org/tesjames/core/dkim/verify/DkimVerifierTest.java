package org.tesjames.core.dkim.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.james.jdkim.DKIMSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimSignature;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.mail.HeaderFields;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.TestZone;
import org.xbill.DNS.Type;

class DkimVerifierTest {
    private static final Instant NOW = Instant.parse("2024-03-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String MESSAGE = """
        Received: from client by server; Fri, 1 Mar 2024 10:00:00 +0000
        From: Alice <alice@example.com>
        To: bob@example.net,
        \tcarol@example.net
        Subject:   Hello    world\t
        Date: Fri, 1 Mar 2024 10:00:00 +0000
        Message-ID: <1@example.com>

        Hello Bob,  \t
        this is the body.


        """.replace("\n", "\r\n");

    private static DkimKey rsa1024;
    private static DkimKey rsa2048;
    private static DkimKey ed25519;
    private static KeyPair rsa768;

    private TestDnsServer dns;
    private TestZone zone;
    private DkimVerifier verifier;

    @BeforeAll
    static void keys() throws Exception {
        rsa1024 = key("rsa1", DkimKeyFile.generate(DkimKeyType.RSA, 1024));
        rsa2048 = key("rsa2", DkimKeyFile.generate(DkimKeyType.RSA, 2048));
        ed25519 = key("ed", DkimKeyFile.generate(DkimKeyType.ED25519, 0));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(768);
        rsa768 = generator.generateKeyPair();
    }

    private static DkimKey key(String selector, KeyPair pair) throws Exception {
        return DkimKeyFile.parse(DkimKeyFile.pem(pair.getPrivate()), "example.com", selector, Path.of(selector));
    }

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.start();
        zone = dns.zone("example.com");
        for (DkimKey key : List.of(rsa1024, rsa2048, ed25519)) {
            publish(key);
        }
        verifier = new DkimVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0), CLOCK);
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private void publish(DkimKey key) {
        zone.txt(key.selector() + "._domainkey", key.keyRecord().text());
    }

    /** A fresh RSA-2048 key pair published under selector {@code j}, for jDKIM-made signatures. */
    private KeyPair rsa2048Pair() throws Exception {
        KeyPair pair = DkimKeyFile.generate(DkimKeyType.RSA, 2048);
        publish(key("j", pair));
        return pair;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The message signed by the project's signer with the keys, signatures prepended. */
    private static String signed(String message, DkimKey... keys) {
        DkimSigner signer = new DkimSigner(domain -> List.of(keys), CLOCK);
        StringBuilder head = new StringBuilder();
        for (DkimSignature signature : signer.sign("example.com", bytes(message)).signatures()) {
            head.append(signature.headerField()).append("\r\n");
        }
        return head + message;
    }

    /** The message signed by jDKIM's RSA signer with a signature template of our choosing (l=, x=, c=). */
    private static String jdkimSigned(String message, String template, KeyPair key) throws Exception {
        String field = new DKIMSigner(template, key.getPrivate()).sign(new ByteArrayInputStream(bytes(message)));
        return field + "\r\n" + message;
    }

    private DkimVerification verify(String message) throws Exception {
        return verifier.verify(bytes(message)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private DkimSignatureResult only(String message) throws Exception {
        DkimVerification verification = verify(message);
        assertThat(verification.signatures()).hasSize(1);
        return verification.signatures().get(0);
    }

    @Nested
    class StreamedBody {
        /** Verifies from the header alone and body hashes fed in chunks of {@code chunk} octets. */
        private DkimVerification streamed(String message, int chunk) throws Exception {
            byte[] octets = bytes(message);
            int blank = message.indexOf("\r\n\r\n") + 4;
            HeaderFields header = HeaderFields.parse(java.util.Arrays.copyOf(octets, blank));
            BodyHashes.Streaming body = BodyHashes.streaming(verifier.bodyHashesNeeded(header, ""));
            for (int at = blank; at < octets.length; at += chunk) {
                body.update(octets, at, Math.min(chunk, octets.length - at));
            }
            return verifier.verify(header, "", body.finish()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        @Test
        void givesTheResultsOfTheWholeMessageWhateverTheChunks() throws Exception {
            String message = jdkimSigned(signed(MESSAGE, rsa1024, ed25519), "v=1; a=rsa-sha256; c=simple/simple;"
                + " d=example.com; h=from:to:subject; s=j; l=20; bh=; b=;", rsa2048Pair());
            DkimVerification whole = verify(message);

            for (int chunk : new int[] {1, 3, 7, 64, 100_000}) {
                DkimVerification streamed = streamed(message, chunk);
                assertThat(streamed.signatures()).extracting(DkimSignatureResult::result)
                    .as("chunks of %d", chunk)
                    .containsExactly(DkimResult.PASS, DkimResult.PASS, DkimResult.PASS)
                    .isEqualTo(whole.signatures().stream().map(DkimSignatureResult::result).toList());
            }
        }

        @Test
        void needsOneHashPerCanonicalisationAndLength() throws Exception {
            String message = jdkimSigned(signed(MESSAGE, rsa1024, ed25519), "v=1; a=rsa-sha256; c=simple/simple;"
                + " d=example.com; h=from; s=j; l=20; bh=; b=;", rsa2048Pair());
            HeaderFields header = HeaderFields.parse(bytes(message.substring(0, message.indexOf("\r\n\r\n") + 4)));

            assertThat(verifier.bodyHashesNeeded(header, "")).containsExactlyInAnyOrder(
                new BodyHashes.Key(org.tesjames.core.dkim.BodyHasher.Canonicalization.SIMPLE, 20),
                new BodyHashes.Key(org.tesjames.core.dkim.BodyHasher.Canonicalization.RELAXED, Long.MAX_VALUE));
        }

        @Test
        void aChangedStreamedBodyFailsTheBodyHash() throws Exception {
            String message = signed(MESSAGE, ed25519);

            DkimVerification streamed = streamed(message.replace("this is the body", "this is another body"), 5);

            assertThat(streamed.signatures().get(0).reason()).isEqualTo(DkimFailureReason.BODY_HASH_MISMATCH);
        }
    }

    @Nested
    class Passing {
        @Test
        void rsa1024SignaturePasses() throws Exception {
            DkimSignatureResult result = only(signed(MESSAGE, rsa1024));

            assertThat(result.result()).as(result.toString()).isEqualTo(DkimResult.PASS);
            assertThat(result.domain()).isEqualTo("example.com");
            assertThat(result.selector()).isEqualTo("rsa1");
            assertThat(result.algorithm()).isEqualTo("rsa-sha256");
            assertThat(result.bodyLength()).isEmpty();
        }

        @Test
        void rsa2048SignaturePasses() throws Exception {
            assertThat(only(signed(MESSAGE, rsa2048)).result()).isEqualTo(DkimResult.PASS);
        }

        @Test
        void ed25519SignaturePasses() throws Exception {
            DkimSignatureResult result = only(signed(MESSAGE, ed25519));

            assertThat(result.result()).as(result.toString()).isEqualTo(DkimResult.PASS);
            assertThat(result.algorithm()).isEqualTo("ed25519-sha256");
        }

        @Test
        void bareLfMessagePassesAsOnTheWire() throws Exception {
            String signed = signed(MESSAGE, rsa1024);

            assertThat(only(signed.replace("\r\n", "\n")).result()).isEqualTo(DkimResult.PASS);
        }

        @Test
        void simpleCanonicalisationSignedByJdkimPasses() throws Exception {
            String message = jdkimSigned(MESSAGE, "v=1; a=rsa-sha256; c=simple/simple; d=example.com; "
                + "h=from:to:subject; s=j; bh=; b=;", rsa2048Pair());

            assertThat(only(message).result()).isEqualTo(DkimResult.PASS);
        }

        @Test
        void relaxedHeaderSimpleBodySignedByJdkimPasses() throws Exception {
            String message = jdkimSigned(MESSAGE, "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; "
                + "h=from:to:subject:date; s=j; bh=; b=;", rsa2048Pair());

            assertThat(only(message).result()).isEqualTo(DkimResult.PASS);
        }

    }

    @Nested
    class Failing {
        @Test
        void tamperedHeaderFailsWithSignatureMismatch() throws Exception {
            String tampered = signed(MESSAGE, rsa1024).replace("Hello    world", "Hello    moon");

            DkimSignatureResult result = only(tampered);

            assertThat(result.result()).isEqualTo(DkimResult.FAIL);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.SIGNATURE_MISMATCH);
        }

        @Test
        void tamperedEd25519HeaderFailsWithSignatureMismatch() throws Exception {
            String tampered = signed(MESSAGE, ed25519).replace("From: Alice", "From: Mallory");

            assertThat(only(tampered).reason()).isEqualTo(DkimFailureReason.SIGNATURE_MISMATCH);
        }

        @Test
        void tamperedBodyFailsWithBodyHashMismatch() throws Exception {
            String tampered = signed(MESSAGE, rsa2048).replace("the body", "the bodY");

            DkimSignatureResult result = only(tampered);

            assertThat(result.result()).isEqualTo(DkimResult.FAIL);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.BODY_HASH_MISMATCH);
        }

        @Test
        void signatureWithExpiryInThePastFailsAsExpired() throws Exception {
            KeyPair pair = DkimKeyFile.generate(DkimKeyType.RSA, 1024);
            publish(key("x", pair));
            // x= in 2096: jDKIM refuses to sign an expired template, so our verifier's clock moves past it
            String message = jdkimSigned(MESSAGE, "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; "
                + "h=from; s=x; t=1700000000; x=4000000000; bh=; b=;", pair);
            DkimVerifier later = new DkimVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0),
                Clock.fixed(Instant.ofEpochSecond(4000000001L), ZoneOffset.UTC));

            DkimSignatureResult expired = later.verify(bytes(message)).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .signatures().get(0);

            assertThat(expired.result()).isEqualTo(DkimResult.FAIL);
            assertThat(expired.reason()).isEqualTo(DkimFailureReason.SIGNATURE_EXPIRED);
            assertThat(only(message).result()).as("before x=").isEqualTo(DkimResult.PASS);
        }

        @Test
        void revokedKeyFails() throws Exception {
            zone.replace("rsa1._domainkey", Type.TXT, "\"v=DKIM1; k=rsa; p=\"");

            DkimSignatureResult result = only(signed(MESSAGE, rsa1024));

            assertThat(result.result()).isEqualTo(DkimResult.FAIL);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.KEY_REVOKED);
        }

        @Test
        void rsaKeyShorterThan1024BitsFails() throws Exception {
            DkimKey weak = new DkimKey("example.com", "weak", DkimKeyType.RSA, rsa768.getPrivate(),
                rsa768.getPublic().getEncoded(), 768, Path.of("weak"));
            publish(weak);

            DkimSignatureResult result = only(signed(MESSAGE, weak));

            assertThat(result.result()).isEqualTo(DkimResult.FAIL);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.KEY_TOO_SHORT);
        }

        @Test
        void signatureNotCoveringFromFails() throws Exception {
            String message = "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa1; h=subject:to; bh=AAAA; b=AAAA\r\n"
                + MESSAGE;

            DkimSignatureResult result = only(message);

            assertThat(result.result()).isEqualTo(DkimResult.FAIL);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.FROM_NOT_SIGNED);
        }

        @Test
        void readsFoldedHNamesWithoutTheirWhitespace() throws Exception {
            String message = "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa1; h=\r\n\tsubject :\r\n to:Fr\r\n om ;"
                + " bh=AAAA; b=AAAA\r\n" + MESSAGE;

            DkimSignatureResult result = only(message);

            assertThat(result.reason()).isEqualTo(DkimFailureReason.BODY_HASH_MISMATCH);
        }
    }

    @Nested
    class Errors {
        @ParameterizedTest
        @ValueSource(strings = {"from:", ":from", "from::to", "from: \r\n :to"})
        void emptyNameInHIsPermerror(String h) throws Exception {
            String message = "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa1; h=" + h + "; bh=AAAA; b=AAAA\r\n"
                + MESSAGE;

            DkimSignatureResult result = only(message);

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.MALFORMED_SIGNATURE);
            assertThat(result.detail()).isEqualTo("empty header name in h=");
        }

        @Test
        void missingKeyRecordIsPermerror() throws Exception {
            zone.remove("rsa1._domainkey");

            DkimSignatureResult result = only(signed(MESSAGE, rsa1024));

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.NO_KEY_RECORD);
        }

        @Test
        void keyLookupTimeoutIsTemperror() throws Exception {
            dns.fault("rsa1._domainkey.example.com", Type.TXT, Fault.noAnswer());

            DkimSignatureResult result = only(signed(MESSAGE, rsa1024));

            assertThat(result.result()).isEqualTo(DkimResult.TEMPERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.DNS_TEMPORARY_FAILURE);
        }

        @Test
        void servfailIsTemperror() throws Exception {
            dns.fault("rsa1._domainkey.example.com", Type.TXT, Fault.servfail());

            assertThat(only(signed(MESSAGE, rsa1024)).result()).isEqualTo(DkimResult.TEMPERROR);
        }

        @Test
        void malformedTagListIsPermerror() throws Exception {
            DkimSignatureResult result = only("DKIM-Signature: v=1; a=rsa-sha256;; d=example.com\r\n" + MESSAGE);

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.MALFORMED_SIGNATURE);
        }

        @Test
        void missingRequiredTagIsPermerror() throws Exception {
            String withoutBh = signed(MESSAGE, rsa1024).replaceFirst("bh=[^;\\r]*", "xh=1");

            DkimSignatureResult result = only(withoutBh);

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.MISSING_TAG);
            assertThat(result.selector()).isEqualTo("rsa1");
        }

        @Test
        void nonNumericLengthIsPermerror() throws Exception {
            String message = "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa1; h=from; l=ten; bh=AAAA; b=AAAA\r\n"
                + MESSAGE;

            assertThat(only(message).reason()).isEqualTo(DkimFailureReason.MALFORMED_SIGNATURE);
        }

        @Test
        void malformedKeyRecordIsPermerror() throws Exception {
            zone.replace("rsa1._domainkey", Type.TXT, "\"v=DKIM1; k=rsa; p=not*base64\"");

            DkimSignatureResult result = only(signed(MESSAGE, rsa1024));

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.MALFORMED_KEY_RECORD);
        }

        @Test
        void keyRecordOverTheMaximumSizeIsPermerror() throws Exception {
            DkimVerifier strict = new DkimVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0),
                CLOCK, new DkimVerifier.Settings(5, 100));

            DkimSignatureResult result = strict.verify(bytes(signed(MESSAGE, rsa1024))).toCompletableFuture()
                .get(10, TimeUnit.SECONDS).signatures().get(0);

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.KEY_RECORD_TOO_LARGE);
        }

        @Test
        void rsaSha1IsPermerrorNotFail() throws Exception {
            String message = "DKIM-Signature: v=1; a=rsa-sha1; d=example.com; s=rsa1; h=from; bh=AAAA; b=AAAA\r\n"
                + MESSAGE;

            DkimSignatureResult result = only(message);

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.SHA1_NOT_ACCEPTED);
        }

        @Test
        void unknownAlgorithmIsNeutral() throws Exception {
            String message = "DKIM-Signature: v=1; a=rsa-sha512; d=example.com; s=rsa1; h=from; bh=AAAA; b=AAAA\r\n"
                + MESSAGE;

            DkimSignatureResult result = only(message);

            assertThat(result.result()).isEqualTo(DkimResult.NEUTRAL);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.UNSUPPORTED_ALGORITHM);
        }

        @Test
        void unknownVersionIsNeutral() throws Exception {
            String message = "DKIM-Signature: v=2; a=rsa-sha256; d=example.com; s=rsa1; h=from; bh=AAAA; b=AAAA\r\n"
                + MESSAGE;

            assertThat(only(message).reason()).isEqualTo(DkimFailureReason.UNSUPPORTED_VERSION);
        }
    }

    /** RFC 6376 section 6.1.2: a key record that excludes the signature is ignored: permerror, not fail. */
    @Nested
    class KeyRecordsThatExcludeTheSignature {
        private void publishRsa1024As(String recordText) {
            zone.remove("rsa1._domainkey", Type.TXT);
            zone.txt("rsa1._domainkey", recordText);
        }

        private String rsa1024Record(String extraTags) {
            return rsa1024.keyRecord().text().replace("; p=", "; " + extraTags + "; p=");
        }

        @Test
        void keyTypeDifferentFromAlgorithmIsPermerrorNotFail() throws Exception {
            zone.replace("rsa1._domainkey", Type.TXT, "\"" + ed25519.keyRecord().text() + "\"");

            DkimSignatureResult result = only(signed(MESSAGE, rsa1024));

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.KEY_TYPE_MISMATCH);
        }

        @Test
        void keyHashListWithoutSha256IsPermerrorNotFail() throws Exception {
            publishRsa1024As(rsa1024Record("h=sha1"));

            DkimSignatureResult result = only(signed(MESSAGE, rsa1024));

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.KEY_HASH_NOT_ALLOWED);
        }

        @Test
        void keyHashListWithSha256Passes() throws Exception {
            publishRsa1024As(rsa1024Record("h=sha1:sha256"));

            assertThat(only(signed(MESSAGE, rsa1024)).result()).isEqualTo(DkimResult.PASS);
        }

        @Test
        void keyServiceListWithoutEmailIsPermerrorNotFail() throws Exception {
            publishRsa1024As(rsa1024Record("s=other"));

            DkimSignatureResult result = only(signed(MESSAGE, rsa1024));

            assertThat(result.result()).isEqualTo(DkimResult.PERMERROR);
            assertThat(result.reason()).isEqualTo(DkimFailureReason.KEY_SERVICE_NOT_EMAIL);
        }

        @Test
        void keyServiceListWithEmailOrStarPasses() throws Exception {
            publishRsa1024As(rsa1024Record("s=other:email"));
            assertThat(only(signed(MESSAGE, rsa1024)).result()).isEqualTo(DkimResult.PASS);

            publishRsa1024As(rsa1024Record("s=*"));
            assertThat(only(signed(MESSAGE, rsa1024)).result()).isEqualTo(DkimResult.PASS);
        }
    }

    @Nested
    class SeveralSignatures {
        @Test
        void eachSignatureHasItsOwnResult() throws Exception {
            zone.remove("ed._domainkey");
            String message = signed(MESSAGE, rsa1024, ed25519);

            DkimVerification verification = verify(message);

            assertThat(verification.signatures()).extracting(DkimSignatureResult::selector, DkimSignatureResult::result)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("rsa1", DkimResult.PASS),
                    org.assertj.core.groups.Tuple.tuple("ed", DkimResult.PERMERROR));
            assertThat(verification.notEvaluated()).isZero();
            assertThat(verification.anyPass()).isTrue();
        }

        @Test
        void signaturesPastTheMaximumAreNotEvaluated() throws Exception {
            DkimVerifier one = new DkimVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0),
                CLOCK, new DkimVerifier.Settings(1, 4096));

            DkimVerification verification = one.verify(bytes(signed(MESSAGE, rsa1024, ed25519)))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(verification.signatures()).hasSize(1);
            assertThat(verification.notEvaluated()).isEqualTo(1);
        }

        /** Signatures a relay or an attacker prepended, each of another domain. */
        private String othersPrepended(String message, int count) {
            StringBuilder others = new StringBuilder();
            for (int i = 0; i < count; i++) {
                others.append("DKIM-Signature: v=1; a=rsa-sha256; d=other").append(i)
                    .append(".example; s=x; h=from; bh=AAAA; b=AAAA\r\n");
            }
            return others + message;
        }

        @Test
        void pastTheMaximumTheSignaturesOfThePreferredDomainAreEvaluatedFirst() throws Exception {
            DkimVerifier two = new DkimVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0),
                CLOCK, new DkimVerifier.Settings(2, 4096));
            String message = othersPrepended(signed(MESSAGE, rsa1024), 3);

            DkimVerification preferring = two.verify(org.tesjames.core.mail.HeaderFields.parse(bytes(message)),
                "EXAMPLE.com.").toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(preferring.signatures()).extracting(DkimSignatureResult::domain)
                .containsExactly("other0.example", "example.com");
            assertThat(preferring.signatures().get(1).result()).isEqualTo(DkimResult.PASS);
            assertThat(preferring.notEvaluated()).isEqualTo(2);
        }

        @Test
        void withoutAPreferredDomainTheTopSignaturesAreEvaluated() throws Exception {
            DkimVerifier two = new DkimVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0),
                CLOCK, new DkimVerifier.Settings(2, 4096));
            String message = othersPrepended(signed(MESSAGE, rsa1024), 3);

            DkimVerification verification = two.verify(bytes(message)).toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(verification.signatures()).extracting(DkimSignatureResult::domain)
                .containsExactly("other0.example", "other1.example");
        }

        @Test
        void unsignedMessageHasNoResults() throws Exception {
            assertThat(verify(MESSAGE).signatures()).isEmpty();
        }
    }

    /**
     * RFC 6376 section 5.4.2 header selection in linear time: a quadratic selection (a scan of the header per
     * {@code h=} name) takes minutes on these; the timeout is only a cliff guard.
     */
    @Nested
    class HugeHeaders {
        private static final int MANY = 100_000;
        private static final Duration CLIFF = Duration.ofSeconds(20);

        /**
         * A relaxed/relaxed rsa-sha256 signature over {@code h=}, with the header data built here independently
         * of the verifier: each listed name takes the bottom-most instance not yet taken.
         */
        private String signedWith(List<String> fields, List<String> h) throws Exception {
            String body = "body\r\n";
            String bh = java.util.Base64.getEncoder().encodeToString(
                java.security.MessageDigest.getInstance("SHA-256").digest(bytes(body)));
            String signatureField = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; "
                + "s=rsa1; h=" + String.join(":", h) + "; bh=" + bh + "; b=";
            java.util.Map<String, java.util.ArrayDeque<String>> remaining = new java.util.HashMap<>();
            for (String field : fields) {
                String name = field.substring(0, field.indexOf(':')).strip().toLowerCase(java.util.Locale.ROOT);
                remaining.computeIfAbsent(name, n -> new java.util.ArrayDeque<>()).push(field);
            }
            StringBuilder data = new StringBuilder();
            for (String name : h) {
                java.util.ArrayDeque<String> left = remaining.get(name.toLowerCase(java.util.Locale.ROOT));
                if (left != null && !left.isEmpty()) {
                    String field = left.pop();
                    data.append(org.tesjames.core.mail.HeaderFields.relaxed(field.substring(0, field.indexOf(':')),
                        field.substring(field.indexOf(':') + 1))).append("\r\n");
                }
            }
            data.append(org.tesjames.core.mail.HeaderFields.relaxed("DKIM-Signature",
                signatureField.substring(signatureField.indexOf(':') + 1)));
            java.security.Signature rsa = java.security.Signature.getInstance("SHA256withRSA");
            rsa.initSign(rsa1024.privateKey());
            rsa.update(bytes(data.toString()));
            String b = java.util.Base64.getEncoder().encodeToString(rsa.sign());
            return signatureField + b + "\r\n" + String.join("\r\n", fields) + "\r\n\r\n" + body;
        }

        @Test
        void aHundredThousandFieldsAndAHundredThousandHNamesVerifyInLinearTime() throws Exception {
            List<String> fields = new java.util.ArrayList<>();
            fields.add("From: alice@example.com");
            List<String> h = new java.util.ArrayList<>();
            h.add("from");
            for (int i = 0; i < MANY; i++) {
                fields.add("X-Trace: " + i);
                h.add(i % 2 == 0 ? "x-trace" : "X-TRACE");
            }
            String message = signedWith(fields, h);

            DkimSignatureResult result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(CLIFF,
                () -> only(message));

            assertThat(result.result()).as(result.toString()).isEqualTo(DkimResult.PASS);
        }

        @Test
        void aHundredThousandHNamesOverAFewFieldsVerifyInLinearTime() throws Exception {
            List<String> fields = List.of("From: alice@example.com", "Subject: one", "Subject: two");
            List<String> h = new java.util.ArrayList<>(List.of("from"));
            for (int i = 0; i < MANY; i++) {
                h.add(i % 3 == 0 ? "subject" : "x-absent-" + (i % 1000));
            }
            String message = signedWith(fields, h);

            DkimSignatureResult result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(CLIFF,
                () -> only(message));

            assertThat(result.result()).as(result.toString()).isEqualTo(DkimResult.PASS);
        }

        @Test
        void aHundredThousandFieldsWithAShortHVerifyInLinearTime() throws Exception {
            List<String> fields = new java.util.ArrayList<>();
            for (int i = 0; i < MANY; i++) {
                fields.add("Received: hop " + i);
            }
            fields.add("From: alice@example.com");
            String message = signedWith(fields, List.of("from", "received", "received", "subject"));

            DkimSignatureResult result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(CLIFF,
                () -> only(message));

            assertThat(result.result()).as(result.toString()).isEqualTo(DkimResult.PASS);
        }
    }

    @Nested
    class BodyLength {
        private KeyPair pair;

        @BeforeEach
        void publishKey() throws Exception {
            pair = DkimKeyFile.generate(DkimKeyType.RSA, 1024);
            publish(key("l", pair));
        }

        @Test
        void textAppendedAfterTheSignedLengthStillPassesAndIsReported() throws Exception {
            String signed = jdkimSigned(MESSAGE, "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; h=from; s=l; "
                + "l=10; bh=; b=;", pair);

            DkimSignatureResult result = only(signed + "Appended by a list\r\n");

            assertThat(result.result()).as(result.toString()).isEqualTo(DkimResult.PASS);
            assertThat(result.bodyLength()).hasValue(10);
            assertThat(result.unsignedBodyOctets()).isGreaterThan(0);
        }

        @Test
        void changeWithinTheSignedLengthFails() throws Exception {
            String signed = jdkimSigned(MESSAGE, "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; h=from; s=l; "
                + "l=10; bh=; b=;", pair);

            assertThat(only(signed.replace("Hello Bob", "Hello Eve")).reason())
                .isEqualTo(DkimFailureReason.BODY_HASH_MISMATCH);
        }

        @Test
        void lengthLongerThanTheBodyFails() throws Exception {
            String signed = jdkimSigned(MESSAGE, "v=1; a=rsa-sha256; c=simple/simple; d=example.com; h=from; s=l; "
                + "l=1000; bh=; b=;", pair);

            assertThat(only(signed).reason()).isEqualTo(DkimFailureReason.BODY_SHORTER_THAN_LENGTH);
        }
    }
}
