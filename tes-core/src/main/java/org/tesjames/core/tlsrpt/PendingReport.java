package org.tesjames.core.tlsrpt;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The report of one policy domain for one ended period, on its way: before discovery ({@code deliveries} empty,
 * {@code discovered} false) or with the destinations still to be served.
 *
 * @param domain the policy domain
 * @param start the start of the period
 * @param end the end of the period
 * @param reportId the report id, kept across retries and restarts
 * @param results the counts of the domain's policies
 * @param discovered whether the TLS-RPT record was found
 * @param discoveryAttempts the failed discovery attempts so far
 * @param due when the next discovery attempt is due
 * @param deliveries the destinations not yet served
 */
public record PendingReport(String domain, Instant start, Instant end, String reportId,
                            List<TlsResultCounter.PolicyResult> results, boolean discovered, int discoveryAttempts,
                            Instant due, List<Delivery> deliveries) {
    public PendingReport {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(reportId, "reportId");
        results = List.copyOf(results);
        Objects.requireNonNull(due, "due");
        deliveries = List.copyOf(deliveries);
    }

    /**
     * One destination of the report.
     *
     * @param uri the destination
     * @param attempts the failed attempts so far
     * @param due when the next attempt is due
     */
    public record Delivery(ReportUri uri, int attempts, Instant due) {
        public Delivery {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(due, "due");
        }
    }
}
