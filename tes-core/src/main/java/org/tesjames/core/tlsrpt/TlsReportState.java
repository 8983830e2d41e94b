package org.tesjames.core.tlsrpt;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What TLS reporting keeps across a restart of the node, in one file: the start of the period going on, its counts
 * and the reports not yet sent. A text file of tab-separated, percent-encoded fields, replaced atomically (written
 * beside it, then moved); its size follows the reporting limits (policies per period, details per policy).
 *
 * @param periodStart the start of the period going on
 * @param counts its counts so far
 * @param pending the reports of ended periods not yet sent
 */
public record TlsReportState(Instant periodStart, List<TlsResultCounter.PolicyResult> counts,
                             List<PendingReport> pending) {
    private static final String MAGIC = "TES-TLSRPT-STATE 1";
    private static final String ABSENT = "~";

    public TlsReportState {
        counts = List.copyOf(counts);
        pending = List.copyOf(pending);
    }

    /**
     * Writes the state to {@code file}, replacing it atomically.
     *
     * @param file the state file
     * @throws IOException when it cannot be written
     */
    public void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder(MAGIC).append('\n');
        line(text, "period", String.valueOf(periodStart.toEpochMilli()));
        policies(text, "current", counts);
        for (PendingReport report : pending) {
            line(text, "report", encode(report.domain()), String.valueOf(report.start().toEpochMilli()),
                String.valueOf(report.end().toEpochMilli()), encode(report.reportId()), report.discovered() ? "1" : "0",
                String.valueOf(report.discoveryAttempts()), String.valueOf(report.due().toEpochMilli()));
            for (PendingReport.Delivery delivery : report.deliveries()) {
                line(text, "delivery", encode(delivery.uri().uri()), String.valueOf(delivery.attempts()),
                    String.valueOf(delivery.due().toEpochMilli()));
            }
            policies(text, "report", report.results());
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void policies(StringBuilder text, String owner, List<TlsResultCounter.PolicyResult> results) {
        for (TlsResultCounter.PolicyResult result : results) {
            TlsPolicy policy = result.policy();
            line(text, "policy", owner, policy.type().label(), encode(policy.domain()),
                String.valueOf(result.successes()),
                String.valueOf(result.failures()), list(policy.strings()), list(policy.mxHosts()));
            result.details().forEach((detail, count) -> line(text, "detail", String.valueOf(count),
                detail.resultType().label(), optional(detail.sendingMtaIp()), encode(detail.receivingMxHostname()),
                optional(detail.receivingIp()), optional(detail.additionalInformation()),
                optional(detail.failureReasonCode())));
        }
    }

    /** One line; the fields are encoded already (numbers and labels need no encoding). */
    private static void line(StringBuilder text, String kind, String... fields) {
        text.append(kind);
        for (String field : fields) {
            text.append('\t').append(field);
        }
        text.append('\n');
    }

    private static String optional(Optional<String> value) {
        return value.map(TlsReportState::encode).orElse(ABSENT);
    }

    private static String list(List<String> values) {
        StringBuilder text = new StringBuilder().append(values.size()).append(':');
        for (int i = 0; i < values.size(); i++) {
            text.append(i == 0 ? "" : ",").append(encode(values.get(i)));
        }
        return text.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    /**
     * Reads a state file.
     *
     * @param file the state file
     * @return the state, empty when the file does not exist
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException naming the line when it is not a state file
     */
    public static Optional<TlsReportState> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
            throw new IllegalArgumentException(file + " is not a TLS reporting state file (no '" + MAGIC + "')");
        }
        Reader reader = new Reader();
        for (int i = 1; i < lines.size(); i++) {
            try {
                reader.line(lines.get(i).split("\t", -1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return Optional.of(reader.state());
    }

    /** Rebuilds the state line by line; a policy belongs to the report above it, or to the current period. */
    private static final class Reader {
        private Instant period;
        private final List<TlsResultCounter.PolicyResult> current = new ArrayList<>();
        private final List<PendingReport> reports = new ArrayList<>();
        private PendingReport report;
        private List<TlsResultCounter.PolicyResult> reportResults;
        private List<PendingReport.Delivery> deliveries;
        private List<TlsResultCounter.PolicyResult> owner;
        private TlsPolicy policy;
        private long successes;
        private long failures;
        private Map<FailureDetail, Long> details;

        void line(String[] raw) {
            String[] f = Arrays.stream(raw).map(field -> field.equals(ABSENT) ? ABSENT : decode(field))
                .toArray(String[]::new);
            switch (f[0]) {
                case "period" -> period = Instant.ofEpochMilli(Long.parseLong(f[1]));
                case "report" -> {
                    endPolicy();
                    endReport();
                    report = new PendingReport(f[1], Instant.ofEpochMilli(Long.parseLong(f[2])),
                        Instant.ofEpochMilli(Long.parseLong(f[3])), f[4], List.of(), f[5].equals("1"),
                        Integer.parseInt(f[6]), Instant.ofEpochMilli(Long.parseLong(f[7])), List.of());
                    reportResults = new ArrayList<>();
                    deliveries = new ArrayList<>();
                }
                case "delivery" -> deliveries.add(new PendingReport.Delivery(TlsRptRecord.destination(f[1])
                    .orElseThrow(() -> new IllegalArgumentException("unsupported destination " + f[1])),
                    Integer.parseInt(f[2]), Instant.ofEpochMilli(Long.parseLong(f[3]))));
                case "policy" -> {
                    endPolicy();
                    owner = f[1].equals("current") ? current : reportResults;
                    if (owner == null) {
                        throw new IllegalArgumentException("a report policy before any report");
                    }
                    policy = new TlsPolicy(PolicyType.fromLabel(f[2]), f[3], list(raw[6]), list(raw[7]));
                    successes = Long.parseLong(f[4]);
                    failures = Long.parseLong(f[5]);
                    details = new LinkedHashMap<>();
                }
                case "detail" -> details.put(new FailureDetail(ResultType.fromLabel(f[2]), optional(f[3]), f[4],
                    optional(f[5]), optional(f[6]), optional(f[7])), Long.parseLong(f[1]));
                default -> throw new IllegalArgumentException("unknown line kind '" + f[0] + "'");
            }
        }

        private static Optional<String> optional(String field) {
            return field.equals(ABSENT) ? Optional.empty() : Optional.of(field);
        }

        private static List<String> list(String raw) {
            int colon = raw.indexOf(':');
            int size = Integer.parseInt(raw.substring(0, colon));
            if (size == 0) {
                return List.of();
            }
            List<String> values = Arrays.stream(raw.substring(colon + 1).split(",", -1)).map(TlsReportState::decode)
                .toList();
            if (values.size() != size) {
                throw new IllegalArgumentException("a list of " + values.size() + " values, announced " + size);
            }
            return values;
        }

        private void endPolicy() {
            if (policy != null) {
                owner.add(new TlsResultCounter.PolicyResult(policy, successes, failures, details));
                policy = null;
            }
        }

        private void endReport() {
            if (report != null) {
                reports.add(new PendingReport(report.domain(), report.start(), report.end(), report.reportId(),
                    reportResults, report.discovered(), report.discoveryAttempts(), report.due(), deliveries));
                report = null;
            }
        }

        TlsReportState state() {
            endPolicy();
            endReport();
            if (period == null) {
                throw new IllegalArgumentException("no period line");
            }
            return new TlsReportState(period, current, reports);
        }
    }
}
