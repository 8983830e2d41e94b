package org.tesjames.core.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.config.TlsRptSettings;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dns.MutableClock;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;

/**
 * The reporter of one node: periods, discovery, sending, retries with backoff, the limits and the state file,
 * over a scripted DNS answer and a recording sender.
 */
class TlsReporterTest {
    private static final Duration DAY = Duration.ofDays(1);
    private static final String DOMAIN = "example.net";
    private static final TlsPolicy STS = new TlsPolicy(PolicyType.STS, DOMAIN, List.of("version: STSv1",
        "mode: enforce", "mx: mx1.example.net", "max_age: 86400"), List.of("mx1.example.net"));
    private static final FailureDetail MISMATCH = FailureDetail.of(ResultType.CERTIFICATE_HOST_MISMATCH,
        "mx1.example.net", Optional.of("192.0.2.1"), Optional.of("the certificate names [x] do not include it"));

    @TempDir
    Path directory;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final Map<String, DnsResult> txt = new ConcurrentHashMap<>();
    private final List<Sent> sent = new ArrayList<>();
    private final List<ReportSender.Outcome> scripted = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    private record Sent(String uri, TlsReport report, byte[] gzip) {
    }

    private final ReportSender sender = (destination, report, gzip) -> {
        sent.add(new Sent(destination.uri(), report, gzip));
        return scripted.isEmpty() ? new ReportSender.Sent("ok") : scripted.remove(0);
    };

    private TlsRptDiscovery discovery() {
        return new TlsRptDiscovery((name, type) -> CompletableFuture.completedFuture(txt.getOrDefault(
            name.toString(), new DnsResult.NxDomain(name, type, Duration.ofSeconds(60), false))),
            Duration.ofSeconds(1));
    }

    private TlsReporter reporter(int maxPolicies, int maxRua, int maxBytes, Optional<Path> state) throws IOException {
        return new TlsReporter(new TlsRptSettings(true, "Org", "mailto:tls@sender.test", "sender.test",
            Optional.empty(), DAY, maxPolicies, 10, maxRua, maxBytes, Optional.empty(), Duration.ofSeconds(5), 2,
            Duration.ofMinutes(1), Optional.empty()), discovery(), sender, metrics, clock,
            () -> "report-" + ids.incrementAndGet(), state);
    }

    private TlsReporter reporter() throws IOException {
        return reporter(100, 5, 1_000_000, Optional.empty());
    }

    private void publish(String domain, String text) throws Exception {
        Name name = Name.fromString("_smtp._tls." + domain + ".");
        txt.put(name.toString(), new DnsResult.Answer(name, 16, List.of(new TXTRecord(name, DClass.IN, 60, text)),
            Duration.ofSeconds(60), false));
    }

    private void dnsFailure(String domain) throws Exception {
        Name name = Name.fromString("_smtp._tls." + domain + ".");
        txt.put(name.toString(), new DnsResult.Failure(name, 16, DnsResult.Failure.Kind.TIMEOUT, "test"));
    }

    private long metric(String name) {
        return metrics.countFor("tes.tlsrpt." + name);
    }

    @Test
    void nothingIsSentBeforeTheEndOfThePeriod() throws Exception {
        publish(DOMAIN, "v=TLSRPTv1; rua=mailto:r@example.net");
        TlsReporter reporter = reporter();
        reporter.success(STS);

        clock.advance(DAY.minusSeconds(1));
        reporter.tick();

        assertThat(sent).isEmpty();
    }

    @Test
    void atTheEndOfThePeriodTheReportGoesToEveryDestinationWithTheCounts() throws Exception {
        publish(DOMAIN, "v=TLSRPTv1; rua=mailto:r@example.net,https://r.example.net/x");
        TlsReporter reporter = reporter();
        reporter.success(STS);
        reporter.success(STS);
        reporter.failure(STS, MISMATCH);

        clock.advance(DAY);
        reporter.tick();

        assertThat(sent).extracting(Sent::uri).containsExactly("mailto:r@example.net", "https://r.example.net/x");
        TlsReport report = sent.get(0).report();
        assertThat(report.reportId()).isEqualTo("report-1");
        assertThat(report.start()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(report.end()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(report.results()).singleElement().satisfies(result -> {
            assertThat(result.successes()).isEqualTo(2);
            assertThat(result.failures()).isEqualTo(1);
            assertThat(result.details()).containsEntry(MISMATCH, 1L);
        });
        assertThat(sent.get(1).report()).isEqualTo(report);
        assertThat(metric("report.sent")).isEqualTo(2);
        assertThat(reporter.pending()).isEmpty();
    }

    @Test
    void periodsEndAtMidnightUtcWhateverTheStartAndAfterADowntimeTheNextPeriodIsTheCurrentDay() throws Exception {
        publish(DOMAIN, "v=TLSRPTv1; rua=mailto:r@example.net");
        clock.advance(Duration.ofHours(10));
        TlsReporter reporter = reporter();
        reporter.success(STS);

        clock.advance(Duration.ofHours(14).minusSeconds(1));
        reporter.tick();
        assertThat(sent).as("23:59:59 UTC").isEmpty();
        clock.advance(Duration.ofSeconds(30));
        reporter.tick();
        assertThat(sent).singleElement().satisfies(first -> {
            assertThat(first.report().start()).isEqualTo(Instant.parse("2026-01-01T10:00:00Z"));
            assertThat(first.report().end()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
        });
        assertThat(reporter.periodStart()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));

        reporter.success(STS);
        clock.advance(Duration.ofDays(3));
        reporter.tick();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).report().start()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(sent.get(1).report().end()).as("the period ends at its own midnight, not at the late tick")
            .isEqualTo(Instant.parse("2026-01-03T00:00:00Z"));
        assertThat(reporter.periodStart()).as("the day of the tick").isEqualTo(Instant.parse("2026-01-05T00:00:00Z"));
    }

    @Test
    void aDomainWithoutRecordGetsNoReport() throws Exception {
        TlsReporter reporter = reporter();
        reporter.success(STS);

        clock.advance(DAY);
        reporter.tick();

        assertThat(sent).isEmpty();
        assertThat(reporter.pending()).isEmpty();
        assertThat(metric("report.not-requested")).isOne();
    }

    @Nested
    class Retries {
        @Test
        void aTemporaryDiscoveryFailureKeepsTheCountsAndAsksAgainAfterTheBackoff() throws Exception {
            dnsFailure(DOMAIN);
            TlsReporter reporter = reporter();
            reporter.success(STS);
            clock.advance(DAY);
            reporter.tick();
            assertThat(reporter.pending()).singleElement().satisfies(report -> {
                assertThat(report.discoveryAttempts()).isOne();
                assertThat(report.due()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
            });

            publish(DOMAIN, "v=TLSRPTv1; rua=mailto:r@example.net");
            clock.advance(Duration.ofSeconds(59));
            reporter.tick();
            assertThat(sent).isEmpty();
            clock.advance(Duration.ofSeconds(1));
            reporter.tick();

            assertThat(sent).singleElement().satisfies(s -> assertThat(s.report().reportId()).isEqualTo("report-1"));
            assertThat(metric("discovery.retried")).isOne();
        }

        @Test
        void discoveryIsGivenUpAfterTheLastAttempt() throws Exception {
            dnsFailure(DOMAIN);
            TlsReporter reporter = reporter();
            reporter.success(STS);
            clock.advance(DAY);
            reporter.tick();                              // attempt 1
            clock.advance(Duration.ofMinutes(1));
            reporter.tick();                              // attempt 2, next after 2 minutes
            assertThat(reporter.pending()).singleElement()
                .satisfies(report -> assertThat(report.due()).isEqualTo(clock.instant().plus(Duration.ofMinutes(2))));
            clock.advance(Duration.ofMinutes(2));
            reporter.tick();                              // attempt 3: retry.attempts=2 exhausted

            assertThat(reporter.pending()).isEmpty();
            assertThat(metric("discovery.retried")).isEqualTo(2);
            assertThat(metric("report.discarded")).isOne();
        }

        @Test
        void aTemporarySendFailureIsRetriedWithTheSameReportWithDoublingDelays() throws Exception {
            publish(DOMAIN, "v=TLSRPTv1; rua=https://r.example.net/x");
            scripted.add(new ReportSender.Temporary("HTTP 503"));
            scripted.add(new ReportSender.Temporary("HTTP 503"));
            TlsReporter reporter = reporter();
            reporter.success(STS);
            clock.advance(DAY);
            reporter.tick();
            clock.advance(Duration.ofMinutes(1));
            reporter.tick();
            clock.advance(Duration.ofMinutes(1));
            reporter.tick();
            assertThat(sent).hasSize(2);
            clock.advance(Duration.ofMinutes(1));
            reporter.tick();

            assertThat(sent).hasSize(3);
            assertThat(sent).extracting(s -> s.report().reportId()).containsOnly("report-1");
            assertThat(metric("report.retried")).isEqualTo(2);
            assertThat(metric("report.sent")).isOne();
            assertThat(reporter.pending()).isEmpty();
        }

        @Test
        void aDestinationIsGivenUpAfterTheLastAttemptWhileTheOthersAreServed() throws Exception {
            publish(DOMAIN, "v=TLSRPTv1; rua=https://r.example.net/x,mailto:r@example.net");
            scripted.add(new ReportSender.Temporary("down"));
            scripted.add(new ReportSender.Sent("ok"));
            scripted.add(new ReportSender.Temporary("down"));
            scripted.add(new ReportSender.Temporary("down"));
            TlsReporter reporter = reporter();
            reporter.success(STS);
            clock.advance(DAY);
            reporter.tick();
            clock.advance(Duration.ofMinutes(1));
            reporter.tick();
            clock.advance(Duration.ofMinutes(2));
            reporter.tick();

            assertThat(sent).extracting(Sent::uri).containsExactly("https://r.example.net/x",
                "mailto:r@example.net", "https://r.example.net/x", "https://r.example.net/x");
            assertThat(metric("report.failed")).isOne();
            assertThat(metric("report.sent")).isOne();
            assertThat(reporter.pending()).isEmpty();
        }

        @Test
        void aPermanentFailureIsNotRetried() throws Exception {
            publish(DOMAIN, "v=TLSRPTv1; rua=https://r.example.net/x");
            scripted.add(new ReportSender.Permanent("HTTP 404"));
            TlsReporter reporter = reporter();
            reporter.success(STS);
            clock.advance(DAY);
            reporter.tick();

            assertThat(reporter.pending()).isEmpty();
            assertThat(metric("report.failed")).isOne();
        }
    }

    @Nested
    class Limits {
        @Test
        void onlyTheFirstMaxRuaDestinationsAreServed() throws Exception {
            publish(DOMAIN, "v=TLSRPTv1; rua=mailto:a@example.net,mailto:b@example.net,mailto:c@example.net");
            TlsReporter reporter = reporter(100, 2, 1_000_000, Optional.empty());
            reporter.success(STS);
            clock.advance(DAY);
            reporter.tick();

            assertThat(sent).extracting(Sent::uri).containsExactly("mailto:a@example.net", "mailto:b@example.net");
            assertThat(metric("rua.over-limit")).isOne();
        }

        @Test
        void atMaxRuaEveryDestinationIsServed() throws Exception {
            publish(DOMAIN, "v=TLSRPTv1; rua=mailto:a@example.net,mailto:b@example.net");
            TlsReporter reporter = reporter(100, 2, 1_000_000, Optional.empty());
            reporter.success(STS);
            clock.advance(DAY);
            reporter.tick();

            assertThat(sent).hasSize(2);
            assertThat(metric("rua.over-limit")).isZero();
        }

        @Test
        void aReportOfExactlyMaxReportBytesIsSentOneOctetMoreIsNot() throws Exception {
            publish(DOMAIN, "v=TLSRPTv1; rua=mailto:a@example.net");
            TlsReporter probe = reporter();
            probe.success(STS);
            clock.advance(DAY);
            probe.tick();
            int size = sent.get(0).gzip().length;
            sent.clear();
            ids.set(0);
            clock.advance(Duration.ofSeconds(-DAY.toSeconds()));

            TlsReporter atLimit = reporter(100, 5, size, Optional.empty());
            atLimit.success(STS);
            clock.advance(DAY);
            atLimit.tick();
            assertThat(sent).hasSize(1);

            ids.set(0);
            clock.advance(Duration.ofSeconds(-DAY.toSeconds()));
            TlsReporter overLimit = reporter(100, 5, size - 1, Optional.empty());
            overLimit.success(STS);
            clock.advance(DAY);
            overLimit.tick();
            assertThat(sent).hasSize(1);
            assertThat(metric("report.too-large")).isOne();
        }

        @Test
        void outcomesOfPoliciesBeyondMaxPoliciesAreNotCountedAndThatIsCounted() throws Exception {
            TlsReporter reporter = reporter(2, 5, 1_000_000, Optional.empty());
            reporter.success(TlsPolicy.none("a.test"));
            reporter.success(TlsPolicy.none("b.test"));
            reporter.success(TlsPolicy.none("a.test"));
            reporter.success(TlsPolicy.none("c.test"));
            reporter.failure(TlsPolicy.none("d.test"), MISMATCH);
            clock.advance(DAY);
            reporter.tick();

            assertThat(metric("policy.over-limit")).isEqualTo(2);
            assertThat(metric("report.not-requested")).isEqualTo(2);
        }

        @Test
        void atMostMaxPoliciesReportsWait() throws Exception {
            dnsFailure("a.test");
            dnsFailure("b.test");
            dnsFailure("c.test");
            TlsReporter reporter = reporter(2, 5, 1_000_000, Optional.empty());
            reporter.success(TlsPolicy.none("a.test"));
            reporter.success(TlsPolicy.none("b.test"));
            clock.advance(DAY);
            reporter.tick();
            assertThat(reporter.pending()).hasSize(2);

            reporter.success(TlsPolicy.none("c.test"));
            clock.advance(DAY);
            reporter.tick();

            assertThat(reporter.pending()).extracting(PendingReport::domain).containsExactly("a.test", "b.test");
            assertThat(metric("pending.over-limit")).isOne();
        }
    }

    @Nested
    class StateFile {
        @Test
        void aRestartKeepsThePeriodItsCountsAndTheReportsWaiting() throws Exception {
            Path file = directory.resolve("tlsrpt.state");
            dnsFailure("waiting.test");
            TlsReporter before = reporter(100, 5, 1_000_000, Optional.of(file));
            before.success(TlsPolicy.none("waiting.test"));
            clock.advance(DAY);
            before.tick();                                  // waiting.test: ended period, discovery failed
            before.success(STS);
            before.failure(STS, MISMATCH);
            before.failure(STS, MISMATCH);
            clock.advance(Duration.ofHours(1));
            before.tick();                                  // checkpoint of the period going on

            TlsReporter after = reporter(100, 5, 1_000_000, Optional.of(file));

            assertThat(after.periodStart()).isEqualTo(before.periodStart());
            assertThat(after.pending()).isEqualTo(before.pending());
            publish(DOMAIN, "v=TLSRPTv1; rua=mailto:r@example.net");
            clock.advance(Duration.ofHours(23));
            after.tick();
            assertThat(sent).singleElement().satisfies(s -> assertThat(s.report().results()).singleElement()
                .satisfies(result -> {
                    assertThat(result.policy()).isEqualTo(STS);
                    assertThat(result.successes()).isOne();
                    assertThat(result.failures()).isEqualTo(2);
                    assertThat(result.details()).containsEntry(MISMATCH, 2L);
                }));
        }

        @Test
        void aStopKeepsTheOutcomesSinceTheLastTickAndThoseRecordedAfterItWithoutEndingThePeriod() throws Exception {
            Path file = directory.resolve("tlsrpt.state");
            publish(DOMAIN, "v=TLSRPTv1; rua=mailto:r@example.net");
            TlsReporter before = reporter(100, 5, 1_000_000, Optional.of(file));
            before.tick();
            before.success(STS);
            before.failure(STS, MISMATCH);
            clock.advance(DAY);                             // past the end, but no tick: the stop comes first

            before.stop();
            assertThat(TlsReportState.read(file)).hasValueSatisfying(state -> assertThat(state.counts())
                .singleElement().satisfies(result -> assertThat(result.successes()).isOne()));
            before.success(STS);                            // a delivery that ends while James stops

            assertThat(sent).isEmpty();
            assertThat(before.pending()).isEmpty();
            TlsReporter after = reporter(100, 5, 1_000_000, Optional.of(file));
            assertThat(after.periodStart()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            after.tick();
            assertThat(sent).singleElement().satisfies(s -> assertThat(s.report().results()).singleElement()
                .satisfies(result -> {
                    assertThat(result.successes()).isEqualTo(2);
                    assertThat(result.failures()).isOne();
                }));
        }

        @Test
        void theStateFileRoundTripsEveryField() throws Exception {
            Path file = directory.resolve("state");
            FailureDetail odd = new FailureDetail(ResultType.VALIDATION_FAILURE, Optional.of("198.51.100.1"),
                "mx\t2.example.net", Optional.empty(), Optional.of("https://x/?a=1&b=%"),
                Optional.of("~ tab\t, comma"));
            TlsPolicy tlsa = new TlsPolicy(PolicyType.TLSA, DOMAIN, List.of("3 1 1 ab", ""), List.of());
            TlsReportState state = new TlsReportState(Instant.parse("2026-01-01T00:00:00Z"),
                List.of(new TlsResultCounter.PolicyResult(tlsa, 3, 1, Map.of(odd, 1L))),
                List.of(new PendingReport(DOMAIN, Instant.parse("2025-12-31T00:00:00Z"),
                    Instant.parse("2026-01-01T00:00:00Z"), "id,1", List.of(new TlsResultCounter.PolicyResult(STS,
                    1, 0, Map.of())), true, 1, Instant.parse("2026-01-01T00:01:00Z"),
                    List.of(new PendingReport.Delivery(TlsRptRecord.parse("v=TLSRPTv1; rua=https://r.example.net/a%2Cb")
                        .destinations().get(0), 2, Instant.parse("2026-01-01T00:05:00Z"))))));

            state.write(file);

            assertThat(TlsReportState.read(file)).contains(state);
        }

        @Test
        void aCorruptStateFileIsRefusedNamingTheLine() throws Exception {
            Path file = directory.resolve("state");
            Files.writeString(file,
                "TES-TLSRPT-STATE 1\nperiod\t1\npolicy\tcurrent\tbogus\texample.net\t1\t0\t0:\t0:\n");

            assertThatThrownBy(() -> reporter(100, 5, 1_000_000, Optional.of(file)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 3").hasMessageContaining("unknown PolicyType 'bogus'");
        }

        @Test
        void aFileThatIsNotAStateFileIsRefused() throws Exception {
            Path file = directory.resolve("state");
            Files.writeString(file, "hello\n");

            assertThatThrownBy(() -> TlsReportState.read(file))
                .hasMessageContaining("is not a TLS reporting state file");
        }
    }
}
