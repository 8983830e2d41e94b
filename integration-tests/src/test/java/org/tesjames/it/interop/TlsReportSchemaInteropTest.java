package org.tesjames.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tesjames.core.sts.StsPolicy;
import org.tesjames.core.tlsrpt.FailureDetail;
import org.tesjames.core.tlsrpt.PolicyType;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.core.tlsrpt.SessionOutcomes;
import org.tesjames.core.tlsrpt.TlsPolicy;
import org.tesjames.core.tlsrpt.TlsReport;
import org.tesjames.core.tlsrpt.TlsResultCounter;

/**
 * The reports {@link TlsReport} builds, checked by an independent JSON Schema validator: python-jsonschema (Debian
 * {@code python3-jsonschema}, draft 7, formats checked) against {@code interop/tlsrpt-report.schema.json}, a schema
 * written for this project from RFC 8460 section 4 (required fields, types, the enums of {@code policy-type} and
 * {@code result-type}, RFC 3339 date-times, addresses and URIs). The counts are fed the way the delivery feeds them:
 * sessions through {@link SessionOutcomes} under the policy of each host ({@code tlsa}, {@code sts},
 * {@code no-policy-found}), including failures whose exception had no message, and a failed MTA-STS discovery as the
 * delivery records it. Reports that break the schema on purpose prove that the check can fail.
 */
@Tag("interop")
class TlsReportSchemaInteropTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant END = Instant.parse("2026-12-01T23:59:59Z");
    private static final String DOMAIN = "company-y.example";
    private static final String BROKEN_DOMAIN = "broken.example";

    /** One period of outbound sessions to two destinations, recorded as the delivery records them. */
    private static List<TlsResultCounter.PolicyResult> aPeriodOfSessions() {
        StsPolicy policy = StsPolicy.parse("version: STSv1\nmode: enforce\nmx: *.mail.company-y.example\n"
            + "mx: backup.company-y.example\nmax_age: 604800\n");
        TlsPolicy sts = new TlsPolicy(PolicyType.STS, DOMAIN, policy.text().lines().toList(), policy.mx());
        TlsPolicy tlsa = new TlsPolicy(PolicyType.TLSA, DOMAIN, List.of(
            "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
            "2 0 1 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), List.of());
        TlsPolicy none = TlsPolicy.none(DOMAIN);
        TlsResultCounter counter = new TlsResultCounter(100, 100);
        SessionOutcomes.bind(counter, Map.of("mx1.mail.company-y.example", sts, "mx2.mail.company-y.example", sts,
            "dane.company-y.example", tlsa, "plain.company-y.example", none));
        try {
            for (int i = 0; i < 5; i++) {
                SessionOutcomes.success("mx1.mail.company-y.example");
                SessionOutcomes.success("DANE.company-y.example.");
                SessionOutcomes.success("plain.company-y.example");
            }
            SessionOutcomes.failure("MX2.Mail.Company-Y.Example.", Optional.of("203.0.113.56"),
                ResultType.CERTIFICATE_EXPIRED, "certificate expired on 2026-11-30T00:00:00Z");
            SessionOutcomes.failure("mx2.mail.company-y.example", Optional.of("2001:db8:abcd:12::1"),
                ResultType.CERTIFICATE_HOST_MISMATCH, "no subjectAltName matches \"mx2.mail.company-y.example\"");
            SessionOutcomes.failure("mx2.mail.company-y.example", Optional.empty(),
                ResultType.CERTIFICATE_NOT_TRUSTED, "PKIX path building failed:\n\tunable to find a valid path");
            SessionOutcomes.failure("mx1.mail.company-y.example", Optional.of("203.0.113.57"),
                ResultType.STARTTLS_NOT_SUPPORTED, "STARTTLS not offered by mx1.mail.company-y.example, which "
                    + "requires TLS (listed in the MTA-STS policy)");
            SessionOutcomes.failure("dane.company-y.example", Optional.of("203.0.113.58"),
                ResultType.TLSA_INVALID, "certificate does not match TLSA: 3 1 1 0c72ac70…");
            SessionOutcomes.failure("dane.company-y.example", Optional.of("203.0.113.58"),
                ResultType.TLSA_INVALID, "certificate does not match TLSA: 3 1 1 0c72ac70…");
            SessionOutcomes.failure("plain.company-y.example", Optional.of("203.0.113.59"),
                ResultType.VALIDATION_FAILURE, "Received fatal alert: handshake_failure \u0001");
            SessionOutcomes.failure("plain.company-y.example", Optional.of("203.0.113.59"),
                ResultType.STARTTLS_NOT_SUPPORTED, "STARTTLS not offered");
            SessionOutcomes.failure("plain.company-y.example", Optional.of("203.0.113.60"),
                ResultType.VALIDATION_FAILURE, null);
            SessionOutcomes.failure("plain.company-y.example", Optional.of("203.0.113.61"),
                ResultType.VALIDATION_FAILURE, "");
        } finally {
            SessionOutcomes.clear();
        }
        counter.failure(new TlsPolicy(PolicyType.STS, BROKEN_DOMAIN, List.of(), List.of()),
            FailureDetail.of(ResultType.STS_POLICY_FETCH_ERROR, "mta-sts." + BROKEN_DOMAIN, Optional.empty(),
                Optional.of("GET https://mta-sts.broken.example/.well-known/mta-sts.txt: 404")));
        counter.failure(new TlsPolicy(PolicyType.STS, BROKEN_DOMAIN, List.of(), List.of()),
            FailureDetail.of(ResultType.STS_POLICY_INVALID, "mta-sts." + BROKEN_DOMAIN, Optional.empty(),
                Optional.of("policy of broken.example (id 1) is invalid: max_age '1_000' is not a number")));
        counter.failure(new TlsPolicy(PolicyType.STS, BROKEN_DOMAIN, List.of(), List.of()),
            FailureDetail.of(ResultType.STS_WEBPKI_INVALID, "mta-sts." + BROKEN_DOMAIN, Optional.empty(),
                Optional.of("certificate of mta-sts.broken.example is not trusted")));
        return counter.drain();
    }

    private static List<TlsReport> reports() {
        Map<String, List<TlsResultCounter.PolicyResult>> byDomain = aPeriodOfSessions().stream()
            .collect(Collectors.groupingBy(result -> result.policy().domain()));
        assertThat(byDomain).containsOnlyKeys(DOMAIN, BROKEN_DOMAIN);
        return byDomain.entrySet().stream().map(entry -> new TlsReport("TES Example Relay",
            "tlsrpt@relay.example", "2026-12-01T00:00:00Z_" + entry.getKey() + "@relay.example", START, END,
            entry.getKey(), entry.getValue())).toList();
    }

    @Test
    void everyReportOfAPeriodIsValidUnderTheRfc8460Schema() throws Exception {
        List<TlsReport> reports = reports();

        for (TlsReport report : reports) {
            assertThat(validate(report.json())).as(report.json()).containsExactly("valid");
        }
        String main = reports.stream().filter(report -> report.policyDomain().equals(DOMAIN)).findFirst()
            .orElseThrow().json();
        assertThat(main).as("all three policy types are in the checked report")
            .contains("\"policy-type\":\"sts\"", "\"policy-type\":\"tlsa\"", "\"policy-type\":\"no-policy-found\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an unregistered result type|\"result-type\":\"certificate-expired\"|\"result-type\":\"certificate-old\""
            + "|/policies/",
        "an unknown policy type|\"policy-type\":\"tlsa\"|\"policy-type\":\"dane\"|/policies/",
        "a date-time without time zone|\"start-datetime\":\"2026-12-01T00:00:00Z\""
            + "|\"start-datetime\":\"2026-12-01T00:00:00\"|/date-range/start-datetime",
        "a count as a string|\"total-successful-session-count\":5|\"total-successful-session-count\":\"5\""
            + "|/policies/",
        "a missing summary|\"summary\":{|\"summery\":{|/policies/",
        "a receiving IP that is no address|\"receiving-ip\":\"203.0.113.56\"|\"receiving-ip\":\"203.0.113.256\""
            + "|/policies/",
        "a misspelt optional field|\"failure-reason-code\"|\"failure-error-code\"|/policies/"})
    void theCheckRefusesAReportThatBreaksTheSchema(String what, String valid, String broken, String path)
        throws Exception {
        String json = reports().stream().filter(report -> report.policyDomain().equals(DOMAIN)).findFirst()
            .orElseThrow().json();
        assertThat(json).contains(valid);

        List<String> errors = validate(json.replaceFirst(Pattern.quote(valid), Matcher.quoteReplacement(broken)));

        assertThat(errors).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("invalid " + path));
    }

    private static List<String> validate(String json) throws Exception {
        List<String> command = List.of(PYTHON, resource("jsonschema_check.py"), resource("tlsrpt-report.schema.json"));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(json.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("jsonschema driver did not finish");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("jsonschema driver exited " + process.exitValue() + ": "
                + new String(err.get(), StandardCharsets.UTF_8));
        }
        return new ArrayList<>(new String(out.get(), StandardCharsets.UTF_8).lines().toList());
    }

    private static String resource(String name) {
        try {
            return Path.of(TlsReportSchemaInteropTest.class.getResource("/interop/" + name).toURI())
                .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
