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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.ImapInbox;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * swaks, a third-party SMTP client, against the server that {@code bin/run-james} starts: STARTTLS delivery on
 * the inbound port and authenticated submission, both landing in the demo mailbox read back over IMAP.
 * Then the script is stopped as Ctrl-C would and must stop James.
 */
@Tag("interop")
class RunJamesSwaksTest {
    private static final String USER = "demo@localhost";
    private static final String PASSWORD = "demo-Pa55";
    private static TestDnsServer dns;
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
        dns = TesJamesExtension.internetLikeDns();
        builder.environment().put("TES_DNS", "127.0.0.1:" + dns.port());
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
        if (dns != null) {
            dns.close();
        }
        try (Stream<Path> paths = Files.walk(home)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
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
    void swaksDeliversOverStarttlsAndSubmitsWithAuthThenCtrlCStopsJames() throws Exception {
        SwaksResult inbound = swaks("--server", "127.0.0.1:" + smtpPort, "--tls",
            "--from", "someone@example.com", "--to", USER,
            "--header", "Subject: swaks over starttls", "--body", "inbound body");
        assertThat(inbound.exitCode()).as(inbound.transcript()).isZero();
        assertThat(inbound.transcript()).contains("<~  250");

        SwaksResult submission = swaks("--server", "127.0.0.1:" + submissionPort, "--tls",
            "--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD,
            "--from", USER, "--to", USER,
            "--header", "Subject: swaks submission", "--body", "submitted body");
        assertThat(submission.exitCode()).as(submission.transcript()).isZero();
        assertThat(submission.transcript()).contains("235");

        List<String> subjects = Awaitility.await("two messages for " + USER).atMost(Duration.ofSeconds(60))
            .until(RunJamesSwaksTest::inboxSubjects, list -> list.size() >= 2);
        assertThat(subjects).containsExactlyInAnyOrder("swaks over starttls", "swaks submission");

        runJames.destroy();
        assertThat(runJames.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(output()).contains("run-james: stopped").contains("JAMES server stopped");
    }

    private static List<String> inboxSubjects() throws Exception {
        List<String> subjects = new ArrayList<>();
        for (MimeMessage message : ImapInbox.read(imapPort, USER, PASSWORD)) {
            subjects.add(message.getSubject());
        }
        return subjects;
    }
}
