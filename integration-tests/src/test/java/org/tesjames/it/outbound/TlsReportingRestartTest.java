package org.tesjames.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.tls.TestCertificates;

import com.fasterxml.jackson.databind.JsonNode;

/** SMTP TLS reporting across a restart of James: two real James servers, one after the other, one state file. */
class TlsReportingRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration FIRST_TICK = Duration.ofMinutes(1);
    private static final String PATH = "/restart";
    private static final String REPORTS = "reports.rua-restart.test";
    private static final TestDnsServer dns = TesJamesExtension.internetLikeDns();

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    /** The threads of TES's own that a James starts: the TLS reporting ticks and the DKIM key reload. */
    private static Set<Thread> tesThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
            .filter(t -> t.getName().equals("tes-tlsrpt") || t.getName().equals("tes-dkim-keys-reload"))
            .collect(Collectors.toSet());
    }

    /**
     * The state file keeps the period's counts across a restart: a session counted by one James (a 7 d period,
     * stopped before its end; periods end at multiples of the interval since the epoch, the next 7 d one on a
     * Thursday 00:00 UTC) is in the report the next James (a 2 s period, the same state file) sends. The first
     * James stops before its first tick (a minute after its start, a quarter of the interval at most a minute), so
     * the count is in the file because the stop wrote it; the stop also ends the threads that James started.
     */
    @Test
    void theCountsOfAPeriodSurviveARestartOfJames(@TempDir Path directory) throws Exception {
        Path state = directory.resolve("tlsrpt.state");
        JsonNode report;
        String domain = "restart.test";
        DkimKeyDirectory keys = DkimKeyDirectory.create();
        keys.write("tes.test", DkimKeyType.RSA, "restart");
        dns.zone(domain).unsigned().ttl(1).mx("@", 10, "mx." + domain + ".").a("mx", "127.0.3.30")
            .txt("_smtp._tls", "v=TLSRPTv1; rua=https://" + REPORTS + ":" + TlsReportingTest.REPORT_PORT + PATH);
        dns.zone("rua-restart.test").unsigned().ttl(1).a("reports", "127.0.3.31");
        try (RecordingSmtpSink mx = OutboundRig.starttlsSink("127.0.3.30",
                 TestCertificates.selfSigned("mx." + domain));
             HttpsReportSink reports = HttpsReportSink.start("127.0.3.31", TlsReportingTest.REPORT_PORT,
                 TlsReportingTest.CA.issue(REPORTS))) {
            Set<Thread> before = tesThreads();
            Instant started = Instant.now();
            try (TesJamesServer first = TesJamesServer.start(dns, conf -> TlsReportingTest.configure(conf,
                    keys.path(), Duration.ofDays(7), "tlsrpt.state-file=" + state + "\n"))) {
                OutboundRig.submit(first, OutboundRig.newSender(first), "before restart", "dave@" + domain);
                assertThat(mx.awaitMessage(WAIT).tls()).isTrue();   // the outcome is recorded at the handshake
                if (Duration.between(started, Instant.now()).compareTo(FIRST_TICK) < 0) {
                    assertThat(Files.exists(state) && Files.readString(state).contains(domain))
                        .as("no tick has written the state yet").isFalse();
                }
            }
            assertThat(state).as("the state file written when James stopped").exists();
            assertThat(Files.readString(state)).as("the state written when James stopped").contains(domain);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(tesThreads())
                .as("the threads the first James started (TLS reporting, DKIM key reload) end with it")
                .isSubsetOf(before));
            assertThat(reports.posted(PATH)).as("the first James's period has not ended").isEmpty();

            try (TesJamesServer second = TesJamesServer.start(dns, conf -> TlsReportingTest.configure(conf,
                    keys.path(), Duration.ofSeconds(2), "tlsrpt.state-file=" + state + "\n"))) {
                Awaitility.await().atMost(WAIT).pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(() -> !reports.posted(PATH).isEmpty());
            }
            report = reports.posted(PATH).get(0);
        }
        assertThat(report.path("policies")).hasSize(1);
        JsonNode policy = report.path("policies").get(0);
        assertThat(policy.path("policy").path("policy-type").asText()).isEqualTo("no-policy-found");
        assertThat(policy.path("policy").path("policy-domain").asText()).isEqualTo(domain);
        assertThat(policy.path("summary").path("total-successful-session-count").asLong()).isOne();
        assertThat(policy.path("summary").path("total-failure-session-count").asLong()).isZero();
    }
}
