package org.tesjames.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.ImapInbox;
import org.tesjames.it.harness.NsdServer;
import org.tesjames.it.harness.TemporaryDirectories;
import org.tesjames.it.harness.TestDkimSigner;

/**
 * Third-party peers against the server that {@code bin/run-james} starts, with NSD (an authoritative DNS server)
 * serving the TES zones as the resolver ({@code TES_DNS}): swaks delivers over STARTTLS on the inbound port and
 * submits with AUTH; TES accepts members over TLS 1.2+, rejects them over plaintext, accepts non-members; mail
 * is read back over IMAP. Then the script is stopped as Ctrl-C would and must stop James.
 */
@Tag("interop")
class RunJamesSwaksTest {
    private static final String USER = "demo@localhost";
    private static final String PASSWORD = "demo-Pa55";
    private static final TestDkimSigner MEMBER_KEY = TestDkimSigner.generate("member.test");
    private static NsdServer nsd;
    private static Process runJames;
    private static Path home;
    private static Path output;
    private static int smtpPort;
    private static int submissionPort;
    private static int imapPort;

    @BeforeAll
    static void startRunJames() throws Exception {
        Path root = Path.of(System.getProperty("tes.root.dir"));
        home = Files.createTempDirectory("tes-run-james-");
        output = home.resolve("run-james.out");
        smtpPort = freePort();
        submissionPort = freePort();
        imapPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/run-james").toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
        builder.environment().put("TES_HOME", home.resolve("james").toString());
        builder.environment().put("TES_SMTP_PORT", String.valueOf(smtpPort));
        builder.environment().put("TES_SUBMISSION_PORT", String.valueOf(submissionPort));
        builder.environment().put("TES_SUBMISSIONS_PORT", String.valueOf(freePort()));
        builder.environment().put("TES_IMAP_PORT", String.valueOf(imapPort));
        builder.environment().put("TES_WEBADMIN_PORT", String.valueOf(freePort()));
        builder.environment().put("TES_DEMO_PASSWORD", PASSWORD);
        nsd = NsdServer.start(Map.of(
            "member.test", NsdServer.zone("member.test", "tes-master IN CNAME m.master.test.",
                MEMBER_KEY.masterFileRecord()),
            "master.test", NsdServer.zone("master.test", "member.test.tes-member.m IN TXT \"v=TES1\""),
            "trusted-email-services.com", NsdServer.zone("trusted-email-services.com",
                "m.master.test.tes-member IN TXT \"v=TES1\""),
            "nonmember.test", NsdServer.zone("nonmember.test", "@ IN A 192.0.2.1")));
        builder.environment().put("TES_DNS", "127.0.0.1:" + nsd.port());
        runJames = builder.start();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (!output().contains("run-james: ready")) {
            if (!runJames.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("bin/run-james did not become ready:\n" + output());
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (runJames != null && runJames.isAlive()) {
            runJames.destroyForcibly().waitFor();
        }
        if (nsd != null) {
            nsd.close();
        }
        TemporaryDirectories.delete(home);
    }

    private static String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static SwaksResult swaks(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("swaks", "--timeout", "30"));
        command.addAll(List.of(arguments));
        Process swaks = new ProcessBuilder(command).redirectErrorStream(true).start();
        String transcript = new String(swaks.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!swaks.waitFor(60, TimeUnit.SECONDS)) {
            swaks.destroyForcibly();
            throw new IllegalStateException("swaks did not finish:\n" + transcript);
        }
        return new SwaksResult(swaks.exitValue(), transcript);
    }

    record SwaksResult(int exitCode, String transcript) {
    }

    @Test
    void swaksDeliversOverStarttlsAndSubmitsWithAuthAndTesDecidesMembershipThroughNsdThenCtrlCStopsJames()
            throws Exception {
        SwaksResult nonMember = swaks("--server", "127.0.0.1:" + smtpPort, "--tls",
            "--from", "someone@nonmember.test", "--to", USER,
            "--header", "Subject: non-member over starttls", "--body", "inbound body");
        assertThat(nonMember.exitCode()).as(nonMember.transcript()).isZero();
        assertThat(nonMember.transcript()).contains("<~  250");

        Path signed = home.resolve("signed.eml");
        Files.writeString(signed, MEMBER_KEY.sign("From: Alice <alice@member.test>\r\nTo: " + USER
            + "\r\nSubject: member over tls 1.2\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
            + "Message-ID: <swaks-signed@member.test>\r\n\r\nmember body\r\n"), StandardCharsets.US_ASCII);
        SwaksResult member = swaks("--server", "127.0.0.1:" + smtpPort, "--tls", "--tls-protocol", "tlsv1_2",
            "--from", "alice@member.test", "--to", USER, "--data", signed.toString());
        assertThat(member.exitCode()).as(member.transcript()).isZero();

        SwaksResult memberUnsigned = swaks("--server", "127.0.0.1:" + smtpPort, "--tls", "--tls-protocol", "tlsv1_2",
            "--from", "alice@member.test", "--to", USER, "--header", "Message-Id: <swaks-unsigned@member.test>",
            "--body", "never delivered");
        assertThat(memberUnsigned.exitCode()).as(memberUnsigned.transcript()).isNotZero();
        assertThat(memberUnsigned.transcript()).contains("550 5.7.1 The message is not DKIM signed by policy of"
            + " member.test (<swaks-unsigned@member.test>)");

        SwaksResult memberPlaintext = swaks("--server", "127.0.0.1:" + smtpPort,
            "--from", "alice@member.test", "--to", USER, "--body", "never delivered");
        assertThat(memberPlaintext.exitCode()).as(memberPlaintext.transcript()).isNotZero();
        assertThat(memberPlaintext.transcript()).contains("550 5.7.1 Member is not TES compliant");

        SwaksResult submission = swaks("--server", "127.0.0.1:" + submissionPort, "--tls",
            "--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD,
            "--from", USER, "--to", USER,
            "--header", "Subject: swaks submission", "--header", "X-TES-Status: member", "--body", "submitted");
        assertThat(submission.exitCode()).as(submission.transcript()).isZero();
        assertThat(submission.transcript()).contains("235");

        SwaksResult plaintextAuth = swaks("--server", "127.0.0.1:" + submissionPort,
            "--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD, "--from", USER, "--to", USER);
        assertThat(plaintextAuth.exitCode()).as(plaintextAuth.transcript()).isNotZero();
        assertThat(plaintextAuth.transcript()).contains("Host did not advertise authentication");

        Map<String, List<String>> status = Awaitility.await("three messages for " + USER)
            .atMost(Duration.ofSeconds(60))
            .until(RunJamesSwaksTest::tesStatusBySubject, map -> map.size() >= 3);
        assertThat(status).containsOnly(
            Map.entry("non-member over starttls", List.of("non-member")),
            Map.entry("member over tls 1.2", List.of("member")),
            Map.entry("swaks submission", List.of()));
        MimeMessage signedMember = ImapInbox.read(imapPort, USER, PASSWORD).stream()
            .filter(message -> subject(message).equals("member over tls 1.2")).findFirst().orElseThrow();
        assertThat(signedMember.getHeader("Authentication-Results")).singleElement().asString()
            .contains("dkim=pass").contains("header.d=member.test");

        runJames.destroy();
        assertThat(runJames.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(output()).contains("run-james: stopped").contains("JAMES server stopped");
    }

    private static String subject(MimeMessage message) {
        try {
            return String.valueOf(message.getSubject());
        } catch (javax.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Subject -> X-TES-Status values of every message in the demo INBOX. */
    private static Map<String, List<String>> tesStatusBySubject() throws Exception {
        Map<String, List<String>> status = new java.util.HashMap<>();
        for (MimeMessage message : ImapInbox.read(imapPort, USER, PASSWORD)) {
            String[] values = message.getHeader("X-TES-Status");
            status.put(subject(message), values == null ? List.of() : List.of(values));
        }
        return status;
    }
}
