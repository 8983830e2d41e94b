package org.tesjames.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.sts.PolicyServer;
import org.tesjames.testing.tls.TestPki;
import org.xbill.DNS.Type;

/** {@code tes sts} end to end: the test DNS server and a policy host on loopback with a CA given as trust store. */
class StsCommandTest {
    private static final String POLICY_ADDRESS = "127.0.3.1";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Tes tes = new Tes(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    private final TestPki pki = TestPki.create("CLI STS CA");

    @TempDir
    Path temp;

    private TestDnsServer dns;
    private PolicyServer policyServer;
    private Path trustStore;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        trustStore = Files.writeString(temp.resolve("ca.pem"), pki.root().chainPem());
        policyServer = PolicyServer.start(POLICY_ADDRESS, 0, pki.issue("mta-sts.example.com"));
        dns.zone("example.com").mx("@", 10, "mx1").mx("@", 20, "mx2").a("mx1", "192.0.2.1").a("mx2", "192.0.2.2")
            .a("mta-sts", POLICY_ADDRESS);
    }

    @AfterEach
    void stop() {
        policyServer.close();
        dns.close();
    }

    private int sts(String... extra) {
        List<String> args = new ArrayList<>(List.of("sts", "example.com", "--resolver", "127.0.0.1:" + dns.port(),
            "--trust-store", trustStore.toString(), "--port", String.valueOf(policyServer.port()), "--timeout", "2s"));
        args.addAll(List.of(extra));
        return tes.run(args);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheRecordThePolicyTheCacheAndTheAdmittedMxHosts() {
        dns.zone("example.com").txt("_mta-sts", "v=STSv1; id=20260101;");
        policyServer.policy("version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n");

        assertThat(sts()).isEqualTo(Tes.OK);
        assertThat(output())
            .contains("TXT _mta-sts.example.com: \"v=STSv1; id=20260101;\"")
            .contains("  mode: enforce", "  mx: mx1.example.com", "  max_age: 86400")
            .contains("cache: id 20260101, fetched ")
            .contains("MX 10 mx1.example.com: admitted")
            .contains("MX 20 mx2.example.com: not admitted (not listed)")
            .contains("result: enforce policy, 1 MX host(s) admitted");
    }

    @Test
    void aDomainWithoutRecordHasNoPolicy() {
        assertThat(sts()).isEqualTo(Tes.FAILED);
        assertThat(output()).contains("TXT _mta-sts.example.com: NXDOMAIN", "result: no policy");
        assertThat(policyServer.requests()).isZero();
    }

    @Test
    void anUntrustedPolicyHostIsNoPolicyAndSaysWhy() {
        dns.zone("example.com").txt("_mta-sts", "v=STSv1; id=1;");
        policyServer.policy("version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n");

        assertThat(tes.run(List.of("sts", "example.com", "--resolver", "127.0.0.1:" + dns.port(), "--port",
            String.valueOf(policyServer.port()), "--timeout", "2s"))).isEqualTo(Tes.FAILED);
        assertThat(output()).contains("sts-webpki-invalid", "certificate-not-trusted");
    }

    @Test
    void aTxtLookupFailureIsATemporaryFailure() {
        dns.fault("_mta-sts.example.com", Type.TXT, Fault.servfail());

        assertThat(sts()).isEqualTo(Tes.TEMPORARY_FAILURE);
        assertThat(output()).contains("SERVFAIL", "result: no policy (temporary failure)");
    }

    @Test
    void aBadDomainOrOptionIsAUsageError() {
        assertThat(tes.run(List.of("sts", "-bad-.example"))).isEqualTo(Tes.USAGE);
        assertThat(tes.run(List.of("sts", "example.com", "--port", "0"))).isEqualTo(Tes.USAGE);
        assertThat(tes.run(List.of("sts", "example.com", "--colour", "red"))).isEqualTo(Tes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad --port", "unknown option '--colour'");
    }
}
