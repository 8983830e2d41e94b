package org.tesjames.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dkim.DkimKeyRecord;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.Type;

/** {@code tes dkim keygen|check}, end to end against the test DNS server. */
class DkimCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Tes tes = new Tes(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    @TempDir
    Path keys;

    private int run(String... args) {
        return tes.run(List.of(args));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private DkimKey key(String domain, String selector) throws Exception {
        return DkimKeyFile.read(keys.resolve(domain).resolve(selector + ".pem"), domain, selector);
    }

    @Nested
    class Keygen {
        @Test
        void writesAn2048BitRsaKeyByDefaultAndPrintsTheRecordInStringsOf255Octets() throws Exception {
            assertThat(run("dkim", "keygen", "--domain", "Example.COM", "--selector", "2024-01", "--keys",
                keys.toString())).isEqualTo(Tes.OK);

            DkimKey key = key("example.com", "2024-01");
            assertThat(key.type()).isEqualTo(DkimKeyType.RSA);
            assertThat(key.bits()).isEqualTo(2048);
            String line = output().lines().filter(l -> l.startsWith("2024-01._domainkey.example.com. IN TXT "))
                .findFirst().orElseThrow();
            List<String> strings = new ArrayList<>();
            java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(line);
            while (matcher.find()) {
                strings.add(matcher.group(1));
            }
            assertThat(strings).hasSizeGreaterThan(1).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
            assertThat(String.join("", strings)).startsWith("v=DKIM1; k=rsa; p=")
                .isEqualTo(key.keyRecord().text());
        }

        @Test
        void writesAnEd25519KeyWithTheRaw32BytePublicKey() throws Exception {
            assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "ed", "--type", "ed25519",
                "--keys", keys.toString())).isEqualTo(Tes.OK);

            DkimKey key = key("example.com", "ed");
            String p = key.keyRecord().text().replaceFirst(".*p=", "");
            assertThat(Base64.getDecoder().decode(p)).hasSize(32);
            assertThat(output()).contains("ed._domainkey.example.com. IN TXT \"v=DKIM1; k=ed25519; p=" + p + "\"");
        }

        @Test
        void refusesToOverwriteAnExistingKey() throws Exception {
            run("dkim", "keygen", "--domain", "example.com", "--selector", "ed", "--type", "ed25519", "--keys",
                keys.toString());
            byte[] before = Files.readAllBytes(keys.resolve("example.com/ed.pem"));

            assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "ed", "--type", "ed25519",
                "--keys", keys.toString())).isEqualTo(Tes.FAILED);
            assertThat(errors()).contains("never overwritten");
            assertThat(Files.readAllBytes(keys.resolve("example.com/ed.pem"))).isEqualTo(before);
        }

        @Test
        void refusesRsaKeysShorterThan1024Bits() {
            assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "s", "--bits", "512",
                "--keys", keys.toString())).isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("bad --bits 512");
            assertThat(keys.resolve("example.com")).doesNotExist();
        }

        @Test
        void missingOptionIsAUsageError() {
            assertThat(run("dkim", "keygen", "--domain", "example.com", "--keys", keys.toString()))
                .isEqualTo(Tes.USAGE);
            assertThat(errors()).contains("missing --selector");
        }
    }

    @Nested
    class Check {
        private TestDnsServer dns;
        private DkimKey key;

        @BeforeEach
        void generateKeyAndStartDns() throws Exception {
            dns = TestDnsServer.start();
            assertThat(run("dkim", "keygen", "--domain", "example.com", "--selector", "ed", "--type", "ed25519",
                "--keys", keys.toString())).isEqualTo(Tes.OK);
            key = key("example.com", "ed");
            out.reset();
        }

        @AfterEach
        void stopDns() {
            dns.close();
        }

        private int check() {
            return run("dkim", "check", "--domain", "example.com", "--selector", "ed", "--keys", keys.toString(),
                "--resolver", "127.0.0.1:" + dns.port());
        }

        private void publish(String... strings) {
            dns.zone("example.com").txtStrings("ed._domainkey", strings);
        }

        @Test
        void matchingRecordSplitIntoSeveralStrings() {
            publish(key.keyRecord().txtStrings().toArray(String[]::new));
            String text = key.keyRecord().text();
            dns.zone("example.com").remove("ed._domainkey", Type.TXT);
            publish(text.substring(0, 20), text.substring(20));

            assertThat(check()).isEqualTo(Tes.OK);
            assertThat(output()).contains("result: match");
        }

        @Test
        void noRecord() {
            dns.zone("example.com").txt("other", "x");
            assertThat(check()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("result: mismatch: no TXT record at ed._domainkey.example.com.");
        }

        @Test
        void severalRecords() {
            publish(key.keyRecord().text());
            publish("v=DKIM1; k=ed25519; p=");
            assertThat(check()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("result: mismatch: 2 TXT records");
        }

        @Test
        void malformedTags() {
            publish("v=DKIM1; k=ed25519; p");
            assertThat(check()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("result: mismatch: malformed key record: 'p' is not tag=value");
        }

        @Test
        void keyTypeMismatch() {
            publish(key.keyRecord().text().replace("k=ed25519", "k=rsa"));
            assertThat(check()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("result: mismatch: k=rsa published, the key file holds a ed25519 key");
        }

        @Test
        void missingKeyTagMeansRsa() {
            publish(key.keyRecord().text().replace("k=ed25519; ", ""));
            assertThat(check()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("k=rsa published");
        }

        @Test
        void publicKeyDiffers() {
            DkimKey other = DkimKeyRecordHolder.otherEd25519();
            publish(DkimKeyRecord.of(DkimKeyType.ED25519, other.publicKey()).text());
            assertThat(check()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("result: mismatch: p= differs from the public key of the key file");
        }

        @Test
        void revokedKey() {
            publish("v=DKIM1; k=ed25519; p=");
            assertThat(check()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("result: mismatch: the key is revoked (empty p=)");
        }

        @Test
        void dnsFailureIsTemporary() {
            publish(key.keyRecord().text());
            dns.fault("ed._domainkey.example.com", Type.TXT, Fault.servfail());
            assertThat(check()).isEqualTo(Tes.TEMPORARY_FAILURE);
            assertThat(output()).contains("result: temporary failure");
        }

        @Test
        void missingKeyFile() {
            assertThat(run("dkim", "check", "--domain", "example.com", "--selector", "nope", "--keys",
                keys.toString(), "--resolver", "127.0.0.1:" + dns.port())).isEqualTo(Tes.NO_INPUT);
        }

        @Test
        void unknownOptionIsAUsageError() {
            assertThat(run("dkim", "check", "--domain", "example.com", "--selector", "ed", "--keys",
                keys.toString(), "--bits", "2048")).isEqualTo(Tes.USAGE);
        }
    }

    /** A second Ed25519 key, not in the key directory. */
    static final class DkimKeyRecordHolder {
        static DkimKey otherEd25519() {
            try {
                return DkimKeyFile.parse(DkimKeyFile.pem(DkimKeyFile.generate(DkimKeyType.ED25519, 0).getPrivate()),
                    "example.com", "ed", Path.of("other.pem"));
            } catch (DkimKeyFile.BadKeyException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
