package org.tesjames.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimSignature;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.xbill.DNS.Type;

/** {@code tes verify}, end to end against the test DNS server with a message signed by the project's signer. */
class VerifyCommandTest {
    private static final String MESSAGE = """
        From: Alice <alice@example.com>
        To: bob@example.net
        Subject: Hello
        Date: Fri, 1 Mar 2024 10:00:00 +0000
        Message-ID: <1@example.com>

        Hello Bob.
        """.replace("\n", "\r\n");

    private static DkimKey key;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Tes tes = new Tes(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    private TestDnsServer dns;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        key = DkimKeyFile.parse(DkimKeyFile.pem(DkimKeyFile.generate(DkimKeyType.RSA, 2048).getPrivate()),
            "example.com", "sel", Path.of("sel"));
    }

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        dns.zone("example.com")
            .txt("sel._domainkey", key.keyRecord().text())
            .txt("@", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("_dmarc", "v=DMARC1; p=reject");
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private Path write(String message) throws Exception {
        Path file = dir.resolve("message.eml");
        Files.write(file, message.getBytes(StandardCharsets.ISO_8859_1));
        return file;
    }

    private static String signed(String message) {
        DkimSigner signer = new DkimSigner(domain -> List.of(key), Clock.systemUTC());
        StringBuilder head = new StringBuilder();
        for (DkimSignature signature : signer.sign("example.com", message.getBytes(StandardCharsets.ISO_8859_1))
            .signatures()) {
            head.append(signature.headerField()).append("\r\n");
        }
        return head + message;
    }

    private int verify(Path file, String... options) {
        List<String> args = new ArrayList<>(List.of("verify", file.toString(), "--resolver",
            dns.host() + ":" + dns.port(), "--timeout", "2s", "--authserv-id", "mx.example.net"));
        args.addAll(Arrays.asList(options));
        return tes.run(args);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Nested
    class Results {
        @Test
        void signedMessageFromAnAuthorisedHostPasses() throws Exception {
            int status = verify(write(signed(MESSAGE)), "--client-ip", "192.0.2.1", "--helo", "mta.example.com",
                "--mail-from", "<alice@example.com>");

            assertThat(status).as(output() + errors()).isEqualTo(Tes.OK);
            assertThat(output())
                .contains("Message-ID: <1@example.com>")
                .contains("dkim: 1 signature(s)")
                .contains("  signature 1: d=example.com s=sel a=rsa-sha256: pass")
                .contains("spf: pass (identity mailfrom, domain example.com): ")
                .contains("dmarc: pass, disposition none; author domain example.com")
                .contains("  record at _dmarc.example.com: p=reject adkim=r aspf=r pct=100; applied policy reject")
                .contains("  alignment: dkim aligned, spf aligned")
                .contains("Authentication-Results: mx.example.net;\r\n\tdkim=pass header.d=example.com header.s=sel"
                    + " header.b=")
                .contains("\tspf=pass smtp.mailfrom=example.com;\r\n"
                    + "\tdmarc=pass (p=reject dis=none) header.from=example.com");
        }

        @Test
        void alteredUnsignedPathFailsWithTheReasons() throws Exception {
            String tampered = signed(MESSAGE).replace("Hello Bob.", "Hello Bob!");
            int status = verify(write(tampered), "--client-ip", "203.0.113.9", "--helo", "mta.example.org",
                "--mail-from", "alice@example.com");

            assertThat(status).as(output() + errors()).isEqualTo(Tes.FAILED);
            assertThat(output())
                .contains("  signature 1: d=example.com s=sel a=rsa-sha256: fail (body_hash_mismatch: ")
                .contains("spf: fail (identity mailfrom, domain example.com)")
                .contains("dmarc: fail, disposition reject; author domain example.com")
                .contains("  alignment: dkim not aligned, spf not aligned")
                .contains("dmarc=fail (p=reject dis=reject) header.from=example.com");
        }

        @Test
        void nullSenderChecksTheHeloWhichAlignsForDmarc() throws Exception {
            dns.zone("example.com").txt("mta", "v=spf1 ip4:192.0.2.1 -all");
            int status = verify(write(MESSAGE), "--client-ip", "192.0.2.1", "--helo", "mta.example.com",
                "--mail-from", "<>");

            assertThat(status).as(output() + errors()).isEqualTo(Tes.OK);
            assertThat(output())
                .contains("MAIL FROM <>")
                .contains("dkim: none (no DKIM-Signature)")
                .contains("spf: pass (identity helo, domain mta.example.com)")
                .contains("spf=pass smtp.helo=mta.example.com")
                .contains("  alignment: dkim not aligned, spf aligned");
        }

        @Test
        void dmarcLookupFailureIsATemporaryFailure() throws Exception {
            dns.fault("_dmarc.example.com", Type.TXT, Fault.servfail());
            int status = verify(write(signed(MESSAGE)), "--client-ip", "192.0.2.1", "--helo", "mta.example.com",
                "--mail-from", "alice@example.com");

            assertThat(status).as(output() + errors()).isEqualTo(Tes.TEMPORARY_FAILURE);
            assertThat(output()).contains("dmarc: temperror").contains("  record lookup failed: TXT _dmarc.example.com");
        }

        @Test
        void dkimKeyTimeoutWithDmarcFailIsATemporaryFailure() throws Exception {
            dns.fault("sel._domainkey.example.com", Type.TXT, Fault.noAnswer());
            int status = verify(write(signed(MESSAGE)), "--client-ip", "203.0.113.9", "--helo", "mta.example.org",
                "--mail-from", "alice@example.com");

            assertThat(status).as(output() + errors()).isEqualTo(Tes.TEMPORARY_FAILURE);
            assertThat(output()).contains(": temperror (dns_temporary_failure: ");
        }
    }

    /** What an SMTP server could have received as HELO and MAIL FROM, and SPF defines (RFC 7208 section 4.3). */
    @Nested
    class SpfInputs {
        @BeforeEach
        void explainedRecord() {
            dns.zone("example.com").replace("@", Type.TXT, "\"v=spf1 ip4:192.0.2.0/24 -all exp=why.example.com\"")
                .txt("why", "%{l} at %{h} may not send");
        }

        @Test
        void oddHeloAndAnEmptyLocalPartAreAccepted() throws Exception {
            int status = verify(write(MESSAGE), "--client-ip", "203.0.113.9", "--helo", "JUMPIN' JUPITER",
                "--mail-from", "<@example.com>");

            assertThat(status).as(output() + errors()).isEqualTo(Tes.FAILED);
            assertThat(output())
                .contains("HELO JUMPIN' JUPITER, MAIL FROM <@example.com>")
                .contains("spf: fail (identity mailfrom, domain example.com): 203.0.113.9 matched -all of example.com")
                .contains("  explanation: postmaster at JUMPIN' JUPITER may not send");
        }

        @Test
        void quotedLocalPartIsReadWithoutItsQuotes() throws Exception {
            int status = verify(write(MESSAGE), "--client-ip", "203.0.113.9", "--helo", "[203.0.113.9]",
                "--mail-from", "\"Macro Error\"@example.com");

            assertThat(status).as(output() + errors()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("  explanation: Macro Error at [203.0.113.9] may not send");
        }

        @Test
        void unquotedSpaceInTheLocalPartIsRefused() throws Exception {
            int status = verify(write(MESSAGE), "--client-ip", "192.0.2.1", "--helo", "h.example.com",
                "--mail-from", "Macro Error@example.com");

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("quote a local part with spaces");
            assertThat(dns.queryCount()).isZero();
        }

        @Test
        void heloWithAControlCharacterIsRefused() throws Exception {
            int status = verify(write(MESSAGE), "--client-ip", "192.0.2.1", "--helo", "h.example.com\r\nRSET",
                "--mail-from", "a@example.com");

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("bad --helo").contains("without control characters");
        }
    }

    @Nested
    class BadArguments {
        @Test
        void missingFile() {
            int status = verify(dir.resolve("nothing.eml"), "--client-ip", "192.0.2.1", "--helo", "h.example.com",
                "--mail-from", "a@example.com");

            assertThat(status).isEqualTo(Tes.NO_INPUT);
            assertThat(errors()).contains("tes: no such file: " + dir.resolve("nothing.eml"));
        }

        @Test
        void unreadableFile() {
            int status = verify(dir, "--client-ip", "192.0.2.1", "--helo", "h.example.com",
                "--mail-from", "a@example.com");

            assertThat(status).isEqualTo(Tes.NO_INPUT);
            assertThat(errors()).contains("tes: cannot read " + dir);
        }

        @Test
        void clientIpMustBeAnAddress() throws Exception {
            int status = verify(write(MESSAGE), "--client-ip", "mail.example.com", "--helo", "h.example.com",
                "--mail-from", "a@example.com");

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("tes: bad --client-ip 'mail.example.com': an IPv4 or IPv6 address");
            assertThat(dns.queryCount()).isZero();
        }

        @Test
        void ipv4OctetsAreChecked() throws Exception {
            assertThat(verify(write(MESSAGE), "--client-ip", "192.0.2.300", "--helo", "h.example.com",
                "--mail-from", "a@example.com")).isEqualTo(Tes.USAGE);
        }

        @Test
        void heloIsRequired() throws Exception {
            int status = verify(write(MESSAGE), "--client-ip", "192.0.2.1", "--mail-from", "a@example.com");

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("tes: verify needs --helo");
        }

        @Test
        void mailFromMustBeAnAddress() throws Exception {
            int status = verify(write(MESSAGE), "--client-ip", "192.0.2.1", "--helo", "h.example.com",
                "--mail-from", "alice");

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("tes: bad --mail-from 'alice': local@domain, or <> for the null sender");
        }

        @Test
        void optionsOnlyOnce() throws Exception {
            int status = verify(write(MESSAGE), "--client-ip", "192.0.2.1", "--client-ip", "192.0.2.2",
                "--helo", "h.example.com", "--mail-from", "a@example.com");

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("tes: --client-ip given twice");
        }

        @Test
        void unknownOption() throws Exception {
            int status = verify(write(MESSAGE), "--client", "192.0.2.1");

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("tes: unknown option '--client' for verify");
        }

        @Test
        void badAuthservId() throws Exception {
            int status = tes.run(List.of("verify", write(MESSAGE).toString(), "--client-ip", "192.0.2.1", "--helo",
                "h.example.com", "--mail-from", "a@example.com", "--authserv-id", "a;b"));

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("tes: bad --authserv-id 'a;b': a host name");
        }
    }
}
