package org.tesjames.core.tlsrpt;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TlsRptSettings;

/**
 * SMTP TLS Reporting on one node (RFC 8460): counts the outcomes of the node's outbound TLS sessions per policy
 * ({@link TlsResultCounter}, bounded) and, at each {@link #tick()} past the end of a period, turns each policy
 * domain's counts into a report, discovers where it goes ({@link TlsRptDiscovery}) and sends it to each
 * destination ({@link ReportSender}), the first {@code maxRua} of the record.
 *
 * <p>Retries: a temporary discovery failure, and a temporary failure of one destination, are tried again
 * {@code retryAttempts} more times, after {@code retryDelay}, doubled at each further attempt; then the report (or
 * that destination) is given up. A report whose domain publishes no record is dropped; a gzipped report larger
 * than {@code maxReportBytes} is not sent. A report keeps its id through its retries.
 *
 * <p>With a state file, the period's start, its counts and the unsent reports are written at each tick and at
 * {@link #stop()} (when they changed), and read back at construction: a restart loses at most the outcomes since
 * the last write, and none when James stops in order (its stop calls {@link #stop()}).
 *
 * <p>Every decision is logged at INFO with the policy domain and counted: {@code tes.tlsrpt.report.sent},
 * {@code .failed}, {@code .retried}, {@code .not-requested}, {@code .too-large}, {@code .discarded} (discovery
 * given up), {@code tes.tlsrpt.rua.over-limit}, {@code tes.tlsrpt.discovery.retried},
 * {@code tes.tlsrpt.pending.over-limit}, and per period {@code tes.tlsrpt.policy.over-limit} (outcomes not counted:
 * {@code maxPolicies} policies were counted already).
 */
public final class TlsReporter implements TlsResultRecorder {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsReporter.class);

    private final TlsRptSettings settings;
    private final TlsRptDiscovery discovery;
    private final ReportSender sender;
    private final MetricFactory metrics;
    private final Clock clock;
    private final Supplier<String> reportIds;
    private final Optional<Path> stateFile;
    private final TlsResultCounter counter;
    private final List<PendingReport> pending = new ArrayList<>();
    private Instant periodStart;
    private TlsReportState written;
    private long droppedBefore;
    private volatile boolean stopped;

    /**
     * @param settings the report fields and limits ({@code tlsrpt.*}: organisation, contact, interval, limits,
     *     retries); its switch, sender, trust store and state file are the caller's business
     * @param discovery the TLS-RPT record lookup
     * @param sender sends one report to one destination
     * @param metrics James's metrics
     * @param clock the clock of periods and retries
     * @param reportIds a source of unique report ids
     * @param stateFile where the state is kept across restarts, if anywhere
     * @throws IOException when the state file exists but cannot be read
     */
    public TlsReporter(TlsRptSettings settings, TlsRptDiscovery discovery, ReportSender sender, MetricFactory metrics,
                       Clock clock, Supplier<String> reportIds, Optional<Path> stateFile) throws IOException {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reportIds = Objects.requireNonNull(reportIds, "reportIds");
        this.stateFile = Objects.requireNonNull(stateFile, "stateFile");
        this.counter = new TlsResultCounter(settings.maxPolicies(), settings.maxDetailsPerPolicy());
        this.periodStart = clock.instant();
        if (stateFile.isPresent()) {
            Optional<TlsReportState> state = TlsReportState.read(stateFile.get());
            if (state.isPresent()) {
                periodStart = state.get().periodStart();
                counter.restore(state.get().counts());
                pending.addAll(state.get().pending());
                written = state.get();
                LOGGER.info("TES TLS-RPT: state restored from {}: period started {}, {} policies counted, {} reports"
                    + " waiting", stateFile.get(), periodStart, state.get().counts().size(), pending.size());
            }
        }
    }

    @Override
    public void success(TlsPolicy policy) {
        counter.success(policy);
        writeIfStopped();
    }

    @Override
    public void failure(TlsPolicy policy, FailureDetail detail) {
        counter.failure(policy, detail);
        writeIfStopped();
    }

    /**
     * The node stops: writes the state now, and again at each outcome recorded from now on,
     * since deliveries may still end while James stops the rest of its parts; no more ticks are expected. Those
     * writes are made on the recording thread, a short file write per outcome, only while James stops.
     *
     * @throws IOException when the state cannot be written
     */
    public void stop() throws IOException {
        stopped = true;     // before the write: an outcome counted after it sees the flag and writes again
        checkpoint();
    }

    private void writeIfStopped() {
        if (stopped) {
            try {
                checkpoint();
            } catch (IOException | RuntimeException e) {
                LOGGER.warn("TES TLS-RPT: the state could not be written after the stop: {}", e.toString());
            }
        }
    }

    /** @return the reports of ended periods not yet sent */
    public synchronized List<PendingReport> pending() {
        return List.copyOf(pending);
    }

    /** @return the start of the period going on */
    public synchronized Instant periodStart() {
        return periodStart;
    }

    /**
     * Ends the period when it is over, then serves every report and destination that is due, then writes the
     * state. Called by one scheduler thread.
     *
     * @throws IOException when the state cannot be written
     */
    public synchronized void tick() throws IOException {
        Instant now = clock.instant();
        Instant periodEnd = boundaryAfter(periodStart);
        if (!now.isBefore(periodEnd)) {
            endPeriod(periodEnd, now);
        }
        List<PendingReport> served = new ArrayList<>();
        for (PendingReport report : pending) {
            serve(report, now).ifPresent(served::add);
        }
        pending.clear();
        pending.addAll(served);
        checkpoint();
    }

    /**
     * Writes the state (the period's start, its counts so far, the reports waiting) to the state file when it
     * changed since the last write, without ending a period or sending anything. Nothing without a state file.
     */
    private synchronized void checkpoint() throws IOException {
        if (stateFile.isPresent()) {
            TlsReportState state = new TlsReportState(periodStart, counter.snapshot(), pending);
            if (!state.equals(written)) {
                state.write(stateFile.get());
                written = state;
            }
        }
    }

    /**
     * Periods end at the multiples of the interval counted from 1970-01-01T00:00:00Z, so that with the default of a
     * day each report covers 00:00 to 24:00 UTC (RFC 8460 section 4.1); only the first period after a fresh start
     * is shorter.
     */
    private Instant boundaryAfter(Instant instant) {
        long interval = settings.interval().toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), interval) * interval + interval);
    }

    private void endPeriod(Instant end, Instant now) {
        Map<String, List<TlsResultCounter.PolicyResult>> byDomain = new LinkedHashMap<>();
        for (TlsResultCounter.PolicyResult result : counter.drain()) {
            byDomain.computeIfAbsent(result.policy().domain(), d -> new ArrayList<>()).add(result);
        }
        long dropped = counter.dropped() - droppedBefore;
        droppedBefore += dropped;
        if (dropped > 0) {
            metrics.generate("tes.tlsrpt.policy.over-limit").add((int) Math.min(dropped, Integer.MAX_VALUE));
            LOGGER.info("TES TLS-RPT: {} session outcomes of the period were not counted: {} policies were already"
                + " counted (tlsrpt.max-policies)", dropped, settings.maxPolicies());
        }
        LOGGER.info("TES TLS-RPT: period {} to {} ended: {} policy domains", periodStart, end, byDomain.size());
        for (Map.Entry<String, List<TlsResultCounter.PolicyResult>> entry : byDomain.entrySet()) {
            if (pending.size() >= settings.maxPolicies()) {
                decision("pending.over-limit", entry.getKey(), "report not made: " + pending.size()
                    + " reports are already waiting (limit " + settings.maxPolicies() + ")");
                continue;
            }
            pending.add(new PendingReport(entry.getKey(), periodStart, end, reportIds.get(), entry.getValue(),
                false, 0, now, List.of()));
        }
        // after a downtime over the end, the period going on is the one of now: the report above covers the rest
        Instant current = boundaryAfter(now).minus(settings.interval());
        periodStart = current.isAfter(end) ? current : end;
    }

    /** The report after this tick's work, empty when it is done with. */
    private Optional<PendingReport> serve(PendingReport report, Instant now) {
        PendingReport current = report;
        if (!current.discovered()) {
            if (now.isBefore(current.due())) {
                return Optional.of(current);
            }
            TlsRptDiscovery.Outcome outcome = discovery.lookup(current.domain());
            if (outcome instanceof TlsRptDiscovery.NotPublished) {
                decision("report.not-requested", current.domain(), "no report: " + outcome.reason());
                return Optional.empty();
            }
            if (outcome instanceof TlsRptDiscovery.Temporary) {
                int attempts = current.discoveryAttempts() + 1;
                if (attempts > settings.retryAttempts()) {
                    decision("report.discarded", current.domain(), "report " + current.reportId()
                        + " given up after " + attempts + " failed discoveries: " + outcome.reason());
                    return Optional.empty();
                }
                Instant due = now.plus(backoff(attempts));
                decision("discovery.retried", current.domain(), "discovery failed (" + outcome.reason()
                    + "), attempt " + attempts + ", next at " + due);
                return Optional.of(new PendingReport(current.domain(), current.start(), current.end(),
                    current.reportId(), current.results(), false, attempts, due, List.of()));
            }
            TlsRptRecord record = ((TlsRptDiscovery.Found) outcome).record();
            List<ReportUri> destinations = record.destinations();
            if (destinations.size() > settings.maxRua()) {
                decision("rua.over-limit", current.domain(), destinations.size() + " destinations, only the first "
                    + settings.maxRua() + " served; left out " + destinations.subList(settings.maxRua(),
                    destinations.size()).stream().map(ReportUri::uri).toList());
                destinations = destinations.subList(0, settings.maxRua());
            }
            current = new PendingReport(current.domain(), current.start(), current.end(), current.reportId(),
                current.results(), true, current.discoveryAttempts(), now,
                destinations.stream().map(uri -> new PendingReport.Delivery(uri, 0, now)).toList());
        }
        TlsReport tlsReport = report(current);
        byte[] gzip = tlsReport.gzip();
        if (gzip.length > settings.maxReportBytes()) {
            decision("report.too-large", current.domain(), "report " + current.reportId() + " not sent: "
                + gzip.length + " octets gzipped, limit " + settings.maxReportBytes());
            return Optional.empty();
        }
        List<PendingReport.Delivery> left = new ArrayList<>();
        for (PendingReport.Delivery delivery : current.deliveries()) {
            if (now.isBefore(delivery.due())) {
                left.add(delivery);
                continue;
            }
            ReportSender.Outcome outcome = sender.send(delivery.uri(), tlsReport, gzip);
            String what = "report " + current.reportId() + " to " + delivery.uri().uri();
            if (outcome instanceof ReportSender.Sent) {
                decision("report.sent", current.domain(), what + " sent: " + outcome.detail());
            } else if (outcome instanceof ReportSender.Permanent) {
                decision("report.failed", current.domain(), what + " failed: " + outcome.detail());
            } else {
                int attempts = delivery.attempts() + 1;
                if (attempts > settings.retryAttempts()) {
                    decision("report.failed", current.domain(), what + " failed " + attempts + " times, given up: "
                        + outcome.detail());
                } else {
                    Instant due = now.plus(backoff(attempts));
                    decision("report.retried", current.domain(), what + " failed (" + outcome.detail()
                        + "), attempt " + attempts + ", next at " + due);
                    left.add(new PendingReport.Delivery(delivery.uri(), attempts, due));
                }
            }
        }
        if (left.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PendingReport(current.domain(), current.start(), current.end(), current.reportId(),
            current.results(), true, current.discoveryAttempts(), current.due(), left));
    }

    private TlsReport report(PendingReport report) {
        return new TlsReport(settings.organizationName(), settings.contactInfo(), report.reportId(), report.start(),
            report.end(), report.domain(), report.results());
    }

    /** {@code retryDelay * 2^(attempts-1)}, at most a day. */
    private Duration backoff(int attempts) {
        Duration delay = settings.retryDelay().multipliedBy(1L << Math.min(attempts - 1, 20));
        return delay.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : delay;
    }

    private void decision(String metric, String domain, String message) {
        metrics.generate("tes.tlsrpt." + metric).increment();
        LOGGER.info("TES TLS-RPT domain {}: {}", domain, message);
    }
}
