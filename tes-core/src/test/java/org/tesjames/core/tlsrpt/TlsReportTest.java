package org.tesjames.core.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;

/** Recording outcomes and building the report of RFC 8460 section 4 (the example of its section 4.5). */
class TlsReportTest {
    private static final TlsPolicy STS = new TlsPolicy(PolicyType.STS, "company-y.example",
        List.of("version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"),
        List.of("*.mail.company-y.example"));
    private static final FailureDetail EXPIRED = new FailureDetail(ResultType.CERTIFICATE_EXPIRED,
        Optional.of("2001:db8:abcd:0012::1"), "mx1.mail.company-y.example", Optional.of("203.0.113.56"),
        Optional.empty(), Optional.empty());
    private static final FailureDetail STARTTLS = new FailureDetail(ResultType.STARTTLS_NOT_SUPPORTED,
        Optional.of("2001:db8:abcd:0013::1"), "mx2.mail.company-y.example", Optional.of("203.0.113.128"),
        Optional.of("https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"),
        Optional.of("STARTTLS not offered \"here\""));

    private static TlsReport report(List<TlsResultCounter.PolicyResult> results) {
        return new TlsReport("Company-X", "sts-reporting@company-x.example",
            "5065427c-23d3-47ca-b6e0-946ea0e8c4be", Instant.parse("2016-04-01T00:00:00Z"),
            Instant.parse("2016-04-01T23:59:59Z"), "company-y.example", results);
    }

    @Test
    void theCountsOfAPeriodBecomeTheReportOfRfc8460() {
        TlsResultCounter counter = new TlsResultCounter(10, 10);
        for (int i = 0; i < 3; i++) {
            counter.success(STS);
        }
        counter.failure(STS, EXPIRED);
        counter.failure(STS, EXPIRED);
        counter.failure(STS, STARTTLS);

        String json = report(counter.drain()).json();

        assertThat(json).isEqualTo("{\"organization-name\":\"Company-X\","
            + "\"date-range\":{\"start-datetime\":\"2016-04-01T00:00:00Z\",\"end-datetime\":\"2016-04-01T23:59:59Z\"},"
            + "\"contact-info\":\"sts-reporting@company-x.example\","
            + "\"report-id\":\"5065427c-23d3-47ca-b6e0-946ea0e8c4be\","
            + "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\","
            + "\"mode: testing\",\"mx: *.mail.company-y.example\",\"max_age: 86400\"],"
            + "\"policy-domain\":\"company-y.example\",\"mx-host\":[\"*.mail.company-y.example\"]},"
            + "\"summary\":{\"total-successful-session-count\":3,\"total-failure-session-count\":3},"
            + "\"failure-details\":["
            + "{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":\"2001:db8:abcd:0012::1\","
            + "\"receiving-mx-hostname\":\"mx1.mail.company-y.example\",\"receiving-ip\":\"203.0.113.56\","
            + "\"failed-session-count\":2},"
            + "{\"result-type\":\"starttls-not-supported\",\"sending-mta-ip\":\"2001:db8:abcd:0013::1\","
            + "\"receiving-mx-hostname\":\"mx2.mail.company-y.example\",\"receiving-ip\":\"203.0.113.128\","
            + "\"failed-session-count\":1,\"additional-information\":"
            + "\"https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported\","
            + "\"failure-reason-code\":\"STARTTLS not offered \\\"here\\\"\"}]}]}");
        assertThat(counter.drain()).as("a fresh period").isEmpty();
    }

    @Test
    void noPolicyFoundHasNeitherPolicyStringsNorMxHostsNorDetailsWithoutFailures() {
        TlsResultCounter counter = new TlsResultCounter(10, 10);
        counter.success(TlsPolicy.none("company-y.example"));

        assertThat(report(counter.drain()).json()).contains("\"policies\":[{\"policy\":{\"policy-type\":"
            + "\"no-policy-found\",\"policy-domain\":\"company-y.example\"},\"summary\":{"
            + "\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}");
    }

    @Test
    void theGzippedBodyAndTheFileNameFollowSection53() throws IOException {
        TlsReport report = report(List.of());

        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(report.gzip()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(report.json());
        }
        assertThat(report.fileName("mail.company-x.example"))
            .isEqualTo("mail.company-x.example!company-y.example!1459468800!1459555199.json.gz");
    }

    @Test
    void aReportCoversOnePolicyDomain() {
        TlsResultCounter counter = new TlsResultCounter(10, 10);
        counter.success(TlsPolicy.none("other.example"));

        assertThatThrownBy(() -> report(counter.drain())).hasMessageContaining("company-y.example");
    }

    @Test
    void theCounterKeepsItsLimitsWithoutLosingTotals() {
        TlsResultCounter counter = new TlsResultCounter(1, 1);
        counter.failure(STS, EXPIRED);
        counter.failure(STS, STARTTLS);
        counter.failure(STS, EXPIRED);
        counter.success(TlsPolicy.none("other.example"));

        List<TlsResultCounter.PolicyResult> results = counter.drain();

        assertThat(results).hasSize(1);
        assertThat(results.get(0).failures()).isEqualTo(3);
        assertThat(results.get(0).details()).containsExactly(java.util.Map.entry(EXPIRED, 2L));
        assertThat(counter.dropped()).isOne();
    }
}
