package org.tesjames.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimSignature;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.it.harness.DkimChecks;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * DKIM interop with dkimpy (Debian {@code python3-dkim}), both ways, RSA-2048 and Ed25519 (RFC 8463): messages
 * signed by the project's {@link DkimSigner} verify with dkimpy, and messages signed by dkimpy (relaxed and simple
 * canonicalisation) pass the project's {@link DkimVerifier}. The key records are served by the project's
 * {@link TestDnsServer}; dkimpy fetches them over DNS with dnspython ({@code interop/dkimpy_driver.py}).
 */
@Tag("interop")
class DkimpyInteropTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String DOMAIN = "interop.test";

    private static TestDnsServer dns;
    private static DkimKey rsa;
    private static DkimKey ed25519;
    private static KeyPair rsaPair;
    private static KeyPair ed25519Pair;

    @TempDir
    static Path work;

    /** Messages exercising the canonicalisations: folding, whitespace, case, empty lines, 8-bit, no body. */
    static Stream<Arguments> messages() {
        return Stream.of(
            Arguments.of("plain", "From: Writer <writer@interop.test>\r\nTo: bob@remote.example\r\n"
                + "Subject: hello\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000\r\nMessage-ID: <p1@interop.test>\r\n"
                + "\r\nHello Bob,\r\n\r\nsee you.\r\n"),
            Arguments.of("whitespace and folding", "from:   Writer\r\n  <writer@interop.test>\r\n"
                + "To: bob@remote.example,\r\n\tcarol@remote.example\r\nSUBJECT:  spaced\t out  \r\n"
                + "Date: Thu, 15 Jan 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain;\r\n charset=us-ascii\r\n\r\n"
                + "  leading and trailing   \r\ntabs\t\there \r\n\r\n\r\n\r\n"),
            Arguments.of("8bit body", "From: writer@interop.test\r\nTo: bob@remote.example\r\nSubject: 8bit\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln — ✓\r\n"),
            Arguments.of("empty body", "From: writer@interop.test\r\nTo: bob@remote.example\r\nSubject: empty\r\n"
                + "\r\n"));
    }

    @BeforeAll
    static void setUp() throws Exception {
        rsaPair = DkimKeyFile.generate(DkimKeyType.RSA, 2048);
        ed25519Pair = DkimKeyFile.generate(DkimKeyType.ED25519, 0);
        rsa = DkimKeyFile.parse(DkimKeyFile.pem(rsaPair.getPrivate()), DOMAIN, "rsa2026", Path.of("rsa2026.pem"));
        ed25519 = DkimKeyFile.parse(DkimKeyFile.pem(ed25519Pair.getPrivate()), DOMAIN, "ed2026",
            Path.of("ed2026.pem"));
        dns = TestDnsServer.start();
        dns.zone(DOMAIN)
            .txt("rsa2026._domainkey", rsa.keyRecord().text())
            .txt("ed2026._domainkey", ed25519.keyRecord().text());
    }

    @AfterAll
    static void tearDown() {
        dns.close();
    }

    private static Path driver() {
        try {
            return Path.of(DkimpyInteropTest.class.getResource("/interop/dkimpy_driver.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the dkimpy driver with the message on stdin; its stdout, or an AssertionError with its stderr. */
    static byte[] dkimpy(byte[] message, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, driver().toString()));
        command.addAll(Arrays.asList(arguments));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(message);
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("dkimpy driver did not finish: " + command);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("dkimpy driver " + command + " exited " + process.exitValue() + ": "
                + new String(err.get(), StandardCharsets.UTF_8));
        }
        return out.get();
    }

    private static byte[] readAll(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String dnsAddress() {
        return dns.address().getAddress().getHostAddress() + ":" + dns.address().getPort();
    }

    /** The dkimpy key file of a key: PKCS#8 PEM for RSA, the base64 of the raw 32-byte seed for Ed25519. */
    static Path dkimpyKeyFile(KeyPair pair, DkimKeyType type) throws IOException {
        Path file = Files.createTempFile(work, "dkimpy-key", ".txt");
        if (type == DkimKeyType.RSA) {
            Files.writeString(file, DkimKeyFile.pem(pair.getPrivate()), StandardCharsets.US_ASCII);
        } else {
            byte[] pkcs8 = pair.getPrivate().getEncoded();
            byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
            Files.writeString(file, Base64.getEncoder().encodeToString(seed), StandardCharsets.US_ASCII);
        }
        return file;
    }

    private static byte[] projectSigned(String message, DkimKey... keys) {
        DkimSigner signer = new DkimSigner(domain -> List.of(keys), Clock.systemUTC());
        StringBuilder head = new StringBuilder();
        List<DkimSignature> signatures = signer.sign(DOMAIN, bytes(message)).signatures();
        assertThat(signatures).hasSize(keys.length);
        for (DkimSignature signature : signatures) {
            head.append(signature.headerField()).append("\r\n");
        }
        return bytes(head + message);
    }

    private static List<String> dkimpyVerdicts(byte[] signed) throws Exception {
        String out = new String(dkimpy(signed, "verify", "--dns", dnsAddress()), StandardCharsets.UTF_8);
        return out.lines().toList();
    }

    @Nested
    class ProjectSignsDkimpyVerifies {
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.tesjames.it.interop.DkimpyInteropTest#messages")
        void rsa2048SignatureVerifiesWithDkimpy(String name, String message) throws Exception {
            assertThat(dkimpyVerdicts(projectSigned(message, rsa))).containsExactly("interop.test rsa2026 pass");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.tesjames.it.interop.DkimpyInteropTest#messages")
        void ed25519SignatureVerifiesWithDkimpy(String name, String message) throws Exception {
            assertThat(dkimpyVerdicts(projectSigned(message, ed25519))).containsExactly("interop.test ed2026 pass");
        }

        @Test
        void bothSignaturesOfADualSignedMessageVerifyWithDkimpy() throws Exception {
            String message = (String) messages().findFirst().orElseThrow().get()[1];

            assertThat(dkimpyVerdicts(projectSigned(message, rsa, ed25519)))
                .containsExactly("interop.test rsa2026 pass", "interop.test ed2026 pass");
        }

        @Test
        void dkimpyFailsASignatureWhoseBodyChanged() throws Exception {
            String message = (String) messages().findFirst().orElseThrow().get()[1];
            String tampered = new String(projectSigned(message, rsa), StandardCharsets.UTF_8)
                .replace("see you.", "see you!");

            assertThat(dkimpyVerdicts(bytes(tampered))).singleElement().asString()
                .startsWith("interop.test rsa2026 fail");
        }
    }

    @Nested
    class DkimpySignsProjectVerifies {
        static Stream<Arguments> cases() {
            List<Arguments> cases = new ArrayList<>();
            for (String canon : List.of("relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed")) {
                for (DkimKeyType type : DkimKeyType.values()) {
                    messages().forEach(message -> cases.add(Arguments.of(type, canon, message.get()[0],
                        message.get()[1])));
                }
            }
            return cases.stream();
        }

        @ParameterizedTest(name = "{0} {1} {2}")
        @MethodSource("cases")
        void dkimpySignaturePassesTheProjectVerifier(DkimKeyType type, String canon, String name, String message)
                throws Exception {
            boolean isRsa = type == DkimKeyType.RSA;
            Path key = dkimpyKeyFile(isRsa ? rsaPair : ed25519Pair, type);
            byte[] signed = dkimpy(bytes(message), "sign", "--domain", DOMAIN, "--selector",
                isRsa ? "rsa2026" : "ed2026", "--key", key.toString(), "--algorithm",
                isRsa ? "rsa-sha256" : "ed25519-sha256", "--canon", canon);
            assertThat(new String(signed, StandardCharsets.UTF_8)).startsWith("DKIM-Signature: ")
                .contains("c=" + canon);

            List<DkimSignatureResult> results = DkimChecks.verify(dns, signed);

            assertThat(results).singleElement().satisfies(result -> {
                assertThat(result.result()).as(result.toString()).isEqualTo(DkimResult.PASS);
                assertThat(result.domain()).isEqualTo(DOMAIN);
            });
        }

        @Test
        void aDkimpySignatureOverATamperedBodyFailsTheProjectVerifier() throws Exception {
            String message = (String) messages().findFirst().orElseThrow().get()[1];
            byte[] signed = dkimpy(bytes(message), "sign", "--domain", DOMAIN, "--selector", "ed2026", "--key",
                dkimpyKeyFile(ed25519Pair, DkimKeyType.ED25519).toString(), "--algorithm", "ed25519-sha256");
            byte[] tampered = bytes(new String(signed, StandardCharsets.UTF_8).replace("see you.", "see you!"));

            DkimSignatureResult result = DkimChecks.verify(dns, tampered).get(0);

            assertThat(result.result()).isEqualTo(DkimResult.FAIL);
        }
    }
}
