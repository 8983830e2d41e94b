package org.tesjames.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.xbill.DNS.Type;

/** {@code tes dane} end to end, against the signed zones of the test DNS server validated with its anchor. */
class DaneCommandTest {
    private static final String MX = "mx.example.com";
    private static final String SINK_ADDRESS = "127.0.0.2";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Tes tes = new Tes(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    @TempDir
    Path temp;

    private TestDnsServer dns;
    private Path anchors;
    private RecordingSmtpSink sink;

    @BeforeEach
    void startDns() throws IOException {
        dns = TestDnsServer.start();
        anchors = Files.writeString(temp.resolve("anchors.ds"), dns.trustAnchorText(), StandardCharsets.US_ASCII);
    }

    @AfterEach
    void stop() {
        if (sink != null) {
            sink.close();
        }
        dns.close();
    }

    /** example.com: signed, MX 10 mx.example.com, mx at the sink's address. */
    private void exampleCom() {
        dns.zone("example.com").mx("@", 10, "mx").a("mx", SINK_ADDRESS);
    }

    private int dane(String domain, String... options) {
        List<String> args = new ArrayList<>(List.of("dane", domain, "--resolver", "127.0.0.1:" + dns.port(),
            "--anchors", anchors.toString(), "--timeout", "2s"));
        args.addAll(List.of(options));
        return tes.run(args);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Nested
    class Lookup {
        @Test
        void secureUsableHostIsVerifiedWithoutConnecting() {
            exampleCom();
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, certificate.certificate())
                .tlsa("_25._tcp.mx", 1, 1, 1, certificate.certificate());

            int status = dane("example.com");

            assertThat(status).as(output()).isEqualTo(Tes.OK);
            assertThat(output())
                .contains("MX: 1 record(s)", "secure, source MX")
                .contains("host mx.example.com. (preference 10)")
                .contains("addresses: 127.0.0.2, secure")
                .contains("TLSA _25._tcp.mx.example.com.: 2 record(s)")
                .containsPattern("3 1 1 [0-9A-Fa-f]+: usable")
                .containsPattern("1 1 1 [0-9A-Fa-f]+: unusable \\(")
                .contains("outcome: secure-usable")
                .contains("reference identifiers: mx.example.com., example.com.")
                .contains("result: verified");
        }

        @Test
        void insecureZoneIsNotVerified() {
            dns.zone("example.net").unsigned().mx("@", 10, "mx").a("mx", SINK_ADDRESS);

            int status = dane("example.net");

            assertThat(status).as(output()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("insecure, source MX", "TLSA: not looked up", "outcome: insecure",
                "result: not verified");
        }

        @Test
        void bogusTlsaIsIndeterminate() {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, "a1".repeat(32))
                .badSignature("_25._tcp.mx", Type.TLSA);

            int status = dane("example.com");

            assertThat(status).as(output()).isEqualTo(Tes.TEMPORARY_FAILURE);
            assertThat(output()).contains("outcome: indeterminate (TLSA lookup failed", "result: indeterminate");
        }

        @Test
        void tlsaLookupTimeoutIsIndeterminate() {
            exampleCom();
            dns.fault("_25._tcp.mx.example.com", Type.TLSA, Fault.noAnswer());

            int status = dane("example.com");

            assertThat(status).as(output()).isEqualTo(Tes.TEMPORARY_FAILURE);
            assertThat(output()).contains("failure TIMEOUT", "outcome: indeterminate", "result: indeterminate");
        }

        @Test
        void aHostKnownNotVerifiedWinsOverAnIndeterminateOne() {
            dns.zone("example.com").mx("@", 10, "mx").mx("@", 20, "mx2.example.net.").a("mx", SINK_ADDRESS)
                .tlsa("_25._tcp.mx", 3, 1, 1, "a1".repeat(32)).badSignature("_25._tcp.mx", Type.TLSA);
            dns.zone("example.net").unsigned().a("mx2", SINK_ADDRESS);

            int status = dane("example.com");

            assertThat(status).as(output()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("outcome: indeterminate", "outcome: insecure", "result: not verified");
        }

        @Test
        void nullMxIsNotVerified() {
            dns.zone("example.org").mx("@", 0, ".");

            int status = dane("example.org");

            assertThat(status).as(output()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("source null MX", "result: not verified (null MX");
        }
    }

    @Nested
    class Connect {
        private int connect() {
            return dane("example.com", "--connect", "--port", String.valueOf(sink.port()));
        }

        @Test
        void matchingCertificateIsVerified() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            sink = RecordingSmtpSink.builder().bindAddress(SINK_ADDRESS).hostname(MX).startTls(certificate).start();
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, certificate.certificate());

            int status = connect();

            assertThat(status).as(output()).isEqualTo(Tes.OK);
            assertThat(output())
                .contains("connect 127.0.0.2:" + sink.port())
                .contains("STARTTLS: DANE-authenticated, SNI mx.example.com, minimum TLSv1.2")
                .contains("TLS: TLSv1.3 ")
                .containsPattern("DANE: verified by 3 1 1 [0-9A-Fa-f]+ at depth 0")
                .contains("result: verified");
        }

        @Test
        void certificateNotMatchingTheTlsaRecordsIsNotVerified() throws IOException {
            sink = RecordingSmtpSink.builder().bindAddress(SINK_ADDRESS).hostname(MX)
                .startTls(TestCertificates.selfSigned(MX)).start();
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1,
                TestCertificates.selfSigned(KeyType.EC_P256, MX).certificate());

            int status = connect();

            assertThat(status).as(output()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("does not match TLSA", "host verdict: not verified",
                "result: not verified");
        }

        @Test
        void missingStartTlsFailsASecureUsableHost() throws IOException {
            sink = RecordingSmtpSink.builder().bindAddress(SINK_ADDRESS).hostname(MX).startTls(false).start();
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, TestCertificates.selfSigned(MX).certificate());

            int status = connect();

            assertThat(status).as(output()).isEqualTo(Tes.FAILED);
            assertThat(output()).contains("STARTTLS: not offered", "STARTTLS missing, required");
        }
    }

    @Nested
    class Usage {
        @Test
        void missingDomainIsAUsageError() {
            assertThat(tes.run(List.of("dane"))).isEqualTo(Tes.USAGE);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("dane needs a domain");
        }

        @Test
        void badPortIsAUsageError() {
            assertThat(tes.run(List.of("dane", "example.com", "--port", "70000"))).isEqualTo(Tes.USAGE);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad --port");
        }

        @Test
        void unknownOptionIsAUsageError() {
            assertThat(tes.run(List.of("dane", "example.com", "--tlsa", "x"))).isEqualTo(Tes.USAGE);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--tlsa'");
        }

        @Test
        void connectTakesNoValue() {
            assertThat(tes.run(List.of("dane", "example.com", "--connect=yes"))).isEqualTo(Tes.USAGE);
        }

        @Test
        void missingAnchorsFileIsAUsageErrorBeforeAnyQuery() {
            int status = tes.run(List.of("dane", "example.com", "--resolver", "127.0.0.1:" + dns.port(),
                "--anchors", temp.resolve("absent.ds").toString()));

            assertThat(status).isEqualTo(Tes.USAGE);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad --anchors", "does not exist");
            assertThat(dns.queryCount()).isZero();
        }

        @Test
        void zeroTimeoutIsAUsageError() {
            assertThat(tes.run(List.of("dane", "example.com", "--timeout", "0s"))).isEqualTo(Tes.USAGE);
        }
    }
}
