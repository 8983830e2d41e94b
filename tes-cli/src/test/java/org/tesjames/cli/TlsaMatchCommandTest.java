package org.tesjames.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;

/** {@code tes tlsa-match} end to end, with generated chains written as PEM. */
class TlsaMatchCommandTest {
    private static final TestPki PKI = TestPki.create("Test Root", "Test Intermediate", KeyType.EC_P256);
    private static final TestCertificate MX = PKI.leaf("mx.example.com").keyType(KeyType.EC_P256).build();
    private static final TestCertificate STRANGER = TestCertificates.selfSigned(KeyType.EC_P256, "mx.example.com");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Tes tes = new Tes(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private static String tlsa(int usage, int selector, int matchingType, TestCertificate certificate) {
        return usage + " " + selector + " " + matchingType + " "
            + HexFormat.of().formatHex(certificate.tlsaAssociationData(selector, matchingType));
    }

    private Path chainFile(TestCertificate certificate) throws Exception {
        return Files.writeString(dir.resolve("chain.pem"), certificate.chainPem());
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of("tlsa-match"));
        all.addAll(List.of(args));
        return tes.run(all);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Nested
    class Verified {
        @Test
        void daneEeSpkiMatchExitsZeroNamingTheRecordAndDepth() throws Exception {
            String record = tlsa(3, 1, 1, MX);

            assertThat(run("--tlsa", record, "--chain", chainFile(MX).toString())).isEqualTo(Tes.OK);
            assertThat(stdout())
                .contains("record 1: " + record + " (DANE-EE(3) SPKI(1) SHA2-256(1)): usable")
                .contains("certificate 0: CN=mx.example.com")
                .contains("name check: none (no --name)")
                .contains("result: verified by " + record + " at depth 0");
        }

        @Test
        void daneTaIntermediateWithMatchingNameVerifiesAtDepthOne() throws Exception {
            String record = tlsa(2, 1, 1, PKI.intermediate().orElseThrow());

            assertThat(run("--tlsa", record, "--chain", chainFile(MX).toString(), "--name", "mx.example.com"))
                .isEqualTo(Tes.OK);
            assertThat(stdout()).contains("result: verified by " + record + " at depth 1");
        }

        @Test
        void optionsAcceptTheEqualsForm() throws Exception {
            assertThat(run("--tlsa=" + tlsa(3, 0, 2, MX), "--chain=" + chainFile(MX))).isEqualTo(Tes.OK);
        }
    }

    @Nested
    class NotVerified {
        @Test
        void aMismatchExitsOne() throws Exception {
            assertThat(run("--tlsa", tlsa(3, 1, 1, STRANGER), "--chain", chainFile(MX).toString()))
                .isEqualTo(Tes.FAILED);
            assertThat(stdout()).contains("result: not verified: no match: none of the 1 usable TLSA records");
        }

        @Test
        void daneTaWithAnotherNameIsANameMismatch() throws Exception {
            assertThat(run("--tlsa", tlsa(2, 1, 1, PKI.intermediate().orElseThrow()),
                "--chain", chainFile(MX).toString(), "--name", "mx.example.net")).isEqualTo(Tes.FAILED);
            assertThat(stdout()).contains("result: not verified: name mismatch: certificate names [mx.example.com], "
                + "reference identifiers [mx.example.net]");
        }

        @Test
        void pkixRecordsAreListedAsUnusable() throws Exception {
            String record = tlsa(1, 1, 1, MX);

            assertThat(run("--tlsa", record, "--chain", chainFile(MX).toString())).isEqualTo(Tes.FAILED);
            assertThat(stdout())
                .contains("record 1: " + record + " (PKIX-EE(1) SPKI(1) SHA2-256(1)): unusable: usage PKIX-EE(1) "
                    + "is not usable for SMTP (RFC 7672 section 3.1.3)")
                .contains("result: not verified: no usable TLSA record");
        }

        @Test
        void aWeakerDigestIsShownAsIgnored() throws Exception {
            assertThat(run("--tlsa", tlsa(3, 1, 1, MX), "--tlsa", tlsa(3, 1, 2, STRANGER),
                "--chain", chainFile(MX).toString())).isEqualTo(Tes.FAILED);
            assertThat(stdout()).contains("record 1: ").contains("ignored: SHA2-256(1) ignored: a stronger digest")
                .contains("record 2: ").contains("result: not verified: no match");
        }

        @Test
        void anExpiredChainBelowATrustAnchorIsInvalid() throws Exception {
            TestCertificate expired = PKI.leaf("mx.example.com").keyType(KeyType.EC_P256).expired().build();

            assertThat(run("--tlsa", tlsa(2, 1, 1, PKI.intermediate().orElseThrow()),
                "--chain", chainFile(expired).toString())).isEqualTo(Tes.FAILED);
            assertThat(stdout()).contains("result: not verified: invalid chain: certificate at depth 0");
        }
    }

    @Nested
    class UsageErrors {
        @Test
        void aBadRecordIsAUsageErrorNamingIt() throws Exception {
            assertThat(run("--tlsa", "3 1 x 00", "--chain", chainFile(MX).toString())).isEqualTo(Tes.USAGE);
            assertThat(stderr()).contains("bad --tlsa '3 1 x 00': TLSA matching type must be a decimal number 0-255,"
                + " got 'x'");
        }

        @Test
        void badHexIsAUsageError() throws Exception {
            assertThat(run("--tlsa", "3 1 1 0g", "--chain", chainFile(MX).toString())).isEqualTo(Tes.USAGE);
            assertThat(stderr()).contains("non-hex character 'g'");
        }

        @Test
        void recordsAndChainAreRequired() throws Exception {
            assertThat(run("--chain", chainFile(MX).toString())).isEqualTo(Tes.USAGE);
            assertThat(stderr()).contains("needs at least one --tlsa record");
            assertThat(run("--tlsa", tlsa(3, 1, 1, MX))).isEqualTo(Tes.USAGE);
            assertThat(stderr()).contains("needs --chain");
        }

        @Test
        void anUnknownOptionIsAUsageError() {
            assertThat(run("--frob", "1")).isEqualTo(Tes.USAGE);
            assertThat(stderr()).contains("unknown argument '--frob'");
        }

        @Test
        void aMissingChainFileIsAUsageError() {
            assertThat(run("--tlsa", tlsa(3, 1, 1, MX), "--chain", dir.resolve("absent.pem").toString()))
                .isEqualTo(Tes.USAGE);
            assertThat(stderr()).contains("no such chain file: " + dir.resolve("absent.pem"));
        }

        @Test
        void anEmptyChainFileIsAUsageError() throws Exception {
            Path empty = Files.writeString(dir.resolve("empty.pem"), "");

            assertThat(run("--tlsa", tlsa(3, 1, 1, MX), "--chain", empty.toString())).isEqualTo(Tes.USAGE);
            assertThat(stderr()).contains("chain file " + empty + " contains no certificate");
        }

        @Test
        void aFileWithoutPemCertificatesIsAUsageError() throws Exception {
            Path junk = Files.writeString(dir.resolve("junk.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n"
                + "-----END CERTIFICATE-----\n");

            assertThat(run("--tlsa", tlsa(3, 1, 1, MX), "--chain", junk.toString())).isEqualTo(Tes.USAGE);
            assertThat(stderr()).contains("chain file " + junk + " is not PEM certificates");
        }
    }

    @Test
    void helpMentionsTlsaMatch() {
        assertThat(tes.run(List.of("help"))).isEqualTo(Tes.OK);
        assertThat(stdout()).contains("tlsa-match --tlsa");
    }
}
