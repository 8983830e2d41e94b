package org.tesjames.mailets.smtp;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.tesjames.core.policy.Verdict;

/**
 * The counters {@code <prefix>.accepted}, {@code <prefix>.rejected} and {@code <prefix>.deferred} of a hook's
 * verdicts, made once rather than looked up by name for every message.
 */
final class VerdictCounters {
    private final Metric accepted;
    private final Metric rejected;
    private final Metric deferred;

    VerdictCounters(MetricFactory metrics, String prefix) {
        this.accepted = metrics.generate(prefix + ".accepted");
        this.rejected = metrics.generate(prefix + ".rejected");
        this.deferred = metrics.generate(prefix + ".deferred");
    }

    /** Counts the verdict and returns its outcome as the counter names it: accepted, rejected or deferred. */
    String count(Verdict verdict) {
        if (verdict instanceof Verdict.Accept) {
            accepted.increment();
            return "accepted";
        }
        if (verdict instanceof Verdict.Reject) {
            rejected.increment();
            return "rejected";
        }
        deferred.increment();
        return "deferred";
    }

    /** Counts a deferral decided before any verdict. */
    void deferred() {
        deferred.increment();
    }
}
