package org.tesjames.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.mail.BodyPart;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.it.harness.DkimChecks;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.JamesConf;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.TestZone;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.sts.PolicyServer;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;
import org.xbill.DNS.Type;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * SMTP TLS Reporting (RFC 8460) end to end through a real James: a destination with an MTA-STS {@code enforce}
 * policy, an MX host it does not list (refused without a session: a failure), one that presents a certificate for
 * another name (a failed session) and a valid one (a delivered mail), and a TLS-RPT record with a {@code mailto:} and
 * an {@code https:} destination. After
 * the (shortened) period the report arrives at both: by mail at the MX host of the mailto address (a recording
 * sink), DKIM-signed by the reporting domain, and by POST at an HTTPS server on loopback whose certificate comes
 * from the test CA that {@code tlsrpt.trust-store} trusts. Its JSON counts are the sessions made.
 */
class TlsReportingTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final int POLICY_PORT = OutboundPorts.free();
    static final int REPORT_PORT = OutboundPorts.free();
    static final TestPki CA = TestPki.create("TLS-RPT Test CA");
    private static final DkimKeyDirectory KEYS = DkimKeyDirectory.create();
    private static final Path CA_FILE = caFile();
    private static final String DOMAIN = "rpt.test";
    private static final String RUA_DOMAIN = "rua.test";

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(TlsReportingTest::configure);

    private static TesJamesServer james;
    private static TestDnsServer dns;
    private static PolicyServer policyServer;
    private static HttpsReportSink reports;

    private static void configure(JamesConf conf) {
        KEYS.write("tes.test", DkimKeyType.RSA, "rpt2026");
        configure(conf, KEYS.path(), INTERVAL, "");
    }

    /**
     * The outbound rig, MTA-STS with the test CA, TLS reporting every {@code interval} signed with the keys of
     * {@code keys}, and {@code more}.
     */
    static void configure(JamesConf conf, Path keys, Duration interval, String more) {
        OutboundRig.overlay().accept(conf);
        conf.modify("tes.properties", text -> text + "\ndkim.keys=" + keys + "\nsts.trust-store=" + CA_FILE
            + "\nsts.fetch.port=" + POLICY_PORT + "\nsts.fetch.timeout=5s\n"
            + "tlsrpt.enabled=true\ntlsrpt.organization-name=TES Test Org\n"
            + "tlsrpt.contact-info=mailto:tls-admin@tes.test\ntlsrpt.reporting-domain=tes.test\n"
            + "tlsrpt.interval=" + interval.toSeconds() + "s\ntlsrpt.trust-store=" + CA_FILE
            + "\ntlsrpt.retry.delay=1s\n" + more);
    }

    private static Path caFile() {
        try {
            Path file = Files.createTempFile("tlsrpt-ca-", ".pem");
            file.toFile().deleteOnExit();
            Files.writeString(file, CA.root().chainPem());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        james = extension.james();
        dns = extension.dns();
        KEYS.publish(dns);
        dns.zone(RUA_DOMAIN).unsigned().ttl(1).mx("@", 10, "mx." + RUA_DOMAIN + ".").a("mx", "127.0.3.13")
            .a("reports", "127.0.3.20")
            .txt("_smtp._tls", "v=TLSRPTv1; rua=https://reports." + RUA_DOMAIN + ":" + REPORT_PORT + "/loop");
        reports = HttpsReportSink.start("127.0.3.20", REPORT_PORT, CA.issue("reports." + RUA_DOMAIN));
    }

    @AfterAll
    static void tearDown() {
        if (reports != null) {
            reports.close();
        }
        if (policyServer != null) {
            policyServer.close();
        }
    }

    @Test
    void theReportOfAPeriodArrivesByMailAndByHttpsWithTheSessionsCounted() throws Exception {
        TestZone zone = dns.zone(DOMAIN).unsigned().ttl(1)
            .mx("@", 5, "mx0." + DOMAIN + ".").a("mx0", "127.0.3.14")
            .mx("@", 10, "mx1." + DOMAIN + ".").a("mx1", "127.0.3.11")
            .mx("@", 20, "mx2." + DOMAIN + ".").a("mx2", "127.0.3.12")
            .a("mta-sts", "127.0.3.10");
        policyServer = PolicyServer.start("127.0.3.10", POLICY_PORT, CA.issue("mta-sts." + DOMAIN));
        policyServer.policy("version: STSv1\r\nmode: enforce\r\nmx: mx1." + DOMAIN + "\r\nmx: mx2." + DOMAIN
            + "\r\nmax_age: 86400\r\n");
        zone.txt("_mta-sts", "v=STSv1; id=1;");
        zone.txt("_smtp._tls", "v=TLSRPTv1; rua=mailto:reports@" + RUA_DOMAIN + ",https://reports." + RUA_DOMAIN
            + ":" + REPORT_PORT + "/v1/tlsrpt");

        try (RecordingSmtpSink unlisted = OutboundRig.starttlsSink("127.0.3.14", CA.issue("mx0." + DOMAIN));
             RecordingSmtpSink wrongName = OutboundRig.starttlsSink("127.0.3.11", CA.issue("someone-else.test"));
             RecordingSmtpSink valid = OutboundRig.starttlsSink("127.0.3.12", CA.issue("mx2." + DOMAIN));
             RecordingSmtpSink ruaMx = OutboundRig.starttlsSink("127.0.3.13",
                 TestCertificates.selfSigned("mx." + RUA_DOMAIN))) {
            String sender = OutboundRig.newSender(james);
            for (int i = 0; i < 2; i++) {
                OutboundRig.submit(james, sender, "tls-rpt " + i, "dave@" + DOMAIN);
                int delivered = i + 1;
                Awaitility.await().atMost(WAIT).until(() -> valid.messages().size() == delivered);
            }
            assertThat(wrongName.tlsHandshakeFailures()).isEqualTo(2);

            // the sessions may fall into one period or two: every report is complete, and together they count all
            Awaitility.await().atMost(WAIT).pollInterval(500, TimeUnit.MILLISECONDS)
                .until(() -> sum(mailedReports(ruaMx), "total-successful-session-count") == 2
                    && sum(mailedReports(ruaMx), "total-failure-session-count") == 4);
            List<JsonNode> mailed = mailedReports(ruaMx);
            mailed.forEach(TlsReportingTest::assertComplete);
            assertThat(failed(mailed, "certificate-host-mismatch", "mx1." + DOMAIN, "127.0.3.11")).isEqualTo(2);
            assertThat(failed(mailed, "validation-failure", "mx0." + DOMAIN, "127.0.3.14"))
                .as("mx0 is not listed in the enforce policy: refused twice without a session").isEqualTo(2);
            assertThat(unlisted.connectionCount()).isZero();

            Awaitility.await().atMost(WAIT).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> reports.posted("/v1/tlsrpt").size() == mailed.size());
            assertThat(reports.posted("/v1/tlsrpt")).containsExactlyInAnyOrderElementsOf(mailed);
            assertThat(reports.posts())
                .allSatisfy(post -> assertThat(post.contentType()).isEqualTo("application/tlsrpt+gzip"));

            // the report mails' own delivery to rua.test (which takes reports too) is not reported on
            Thread.sleep(3 * INTERVAL.toMillis());
            assertThat(reports.posted("/loop")).isEmpty();
            assertThat(reports.posted("/v1/tlsrpt")).hasSize(mailed.size());
        }
    }

    /** The reports mailed to the mailto: destination, each checked as a report mail (RFC 8460 section 5.3). */
    private static List<JsonNode> mailedReports(RecordingSmtpSink sink) throws Exception {
        List<JsonNode> mailedReports = new ArrayList<>();
        for (ReceivedMessage mail : sink.messages()) {
            assertThat(mail.recipients()).containsExactly("reports@" + RUA_DOMAIN);
            assertThat(mail.mailFrom()).isEqualTo("tlsrpt-noreply@tes.test");
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(mail.rawBytes()));
            assertThat(message.getContentType()).startsWith("multipart/report").contains("report-type")
                .contains("tlsrpt");
            assertThat(message.getHeader("TLS-Report-Domain", null)).isEqualTo(DOMAIN);
            assertThat(message.getHeader("TLS-Report-Submitter", null)).isEqualTo("tes.test");
            assertThat(message.getSubject())
                .startsWith("Report Domain: " + DOMAIN + " Submitter: tes.test Report-ID: <");
            List<DkimSignatureResult> signatures = DkimChecks.verify(dns, mail.rawBytes());
            assertThat(signatures).hasSize(1);
            assertThat(signatures.get(0).domain()).isEqualTo("tes.test");
            assertThat(signatures.get(0).result()).isEqualTo(DkimResult.PASS);
            BodyPart attachment = ((MimeMultipart) message.getContent()).getBodyPart(1);
            assertThat(attachment.getContentType()).startsWith("application/tlsrpt+gzip");
            assertThat(attachment.getFileName()).matches("tes\\.test!" + DOMAIN.replace(".", "\\.")
                + "!\\d+!\\d+\\.json\\.gz");
            mailedReports.add(HttpsReportSink.json(attachment.getInputStream().readAllBytes()));
        }
        return mailedReports;
    }

    /** The failed sessions of one failure detail, over every report. */
    private static long failed(List<JsonNode> all, String type, String host, String ip) {
        long count = 0;
        for (JsonNode report : all) {
            for (JsonNode detail : report.path("policies").get(0).path("failure-details")) {
                if (detail.path("result-type").asText().equals(type)
                    && detail.path("receiving-mx-hostname").asText().equals(host)
                    && detail.path("receiving-ip").asText().equals(ip)) {
                    count += detail.path("failed-session-count").asLong();
                }
            }
        }
        return count;
    }

    private static long sum(List<JsonNode> all, String field) {
        return all.stream().mapToLong(report -> report.path("policies").get(0).path("summary").path(field)
            .asLong()).sum();
    }

    /** Every field RFC 8460 section 4.3 requires, for the policy and the failure of this test. */
    private static void assertComplete(JsonNode report) {
        assertThat(report.path("organization-name").asText()).isEqualTo("TES Test Org");
        assertThat(report.path("contact-info").asText()).isEqualTo("mailto:tls-admin@tes.test");
        assertThat(report.path("report-id").asText()).isNotBlank();
        assertThat(report.path("date-range").path("start-datetime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(report.path("date-range").path("end-datetime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        JsonNode policies = report.path("policies");
        assertThat(policies.isArray()).isTrue();
        assertThat(policies).hasSize(1);
        JsonNode policy = policies.get(0);
        assertThat(policy.path("policy").path("policy-type").asText()).isEqualTo("sts");
        assertThat(policy.path("policy").path("policy-domain").asText()).isEqualTo(DOMAIN);
        assertThat(policy.path("policy").path("policy-string").isArray()).isTrue();
        assertThat(policy.path("policy").path("mx-host").toString()).contains("mx1." + DOMAIN, "mx2." + DOMAIN);
        assertThat(policy.path("summary").path("total-successful-session-count").isIntegralNumber()).isTrue();
        assertThat(policy.path("summary").path("total-failure-session-count").isIntegralNumber()).isTrue();
        if (policy.path("summary").path("total-failure-session-count").asLong() == 0) {
            assertThat(policy.has("failure-details")).isFalse();
            return;
        }
        JsonNode details = policy.path("failure-details");
        assertThat(details.isArray()).isTrue();
        long failed = 0;
        for (JsonNode detail : details) {
            assertThat(detail.path("result-type").asText()).isIn("certificate-host-mismatch", "validation-failure");
            assertThat(detail.path("receiving-mx-hostname").asText()).isIn("mx0." + DOMAIN, "mx1." + DOMAIN);
            assertThat(detail.path("receiving-ip").asText()).isIn("127.0.3.14", "127.0.3.11");
            assertThat(detail.path("failure-reason-code").asText()).isNotBlank();
            failed += detail.path("failed-session-count").asLong();
        }
        assertThat(failed).isEqualTo(policy.path("summary").path("total-failure-session-count").asLong());
    }
}
