package org.tesjames.core.tlsrpt;

/**
 * Sends one report to one destination of its policy domain ({@code mailto:} or {@code https:}).
 */
@FunctionalInterface
public interface ReportSender {
    /**
     * @param destination where to
     * @param report the report
     * @param gzip its gzipped JSON, the body sent
     * @return what happened; never throws for a failed submission
     */
    Outcome send(ReportUri destination, TlsReport report, byte[] gzip);

    /** What became of one submission. */
    sealed interface Outcome {
        /** @return one line for logs */
        String detail();
    }

    /** Handed over: accepted by James's spool, or a 2xx answer. */
    record Sent(String detail) implements Outcome {
    }

    /** Worth trying again later (a network failure, a 5xx answer, no signing key yet). */
    record Temporary(String detail) implements Outcome {
    }

    /** Never worth trying again (a 4xx answer). */
    record Permanent(String detail) implements Outcome {
    }
}
