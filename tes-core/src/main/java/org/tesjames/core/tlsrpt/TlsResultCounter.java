package org.tesjames.core.tlsrpt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts TLS session outcomes per policy in memory, for one reporting period at a time ({@link #drain()}), within
 * limits: at most {@code maxPolicies} policies (outcomes of further ones are dropped and counted in
 * {@link #dropped()}) and at most {@code maxDetailsPerPolicy} distinct failure details per policy (further
 * failures still count in the policy's failure total). Thread-safe.
 */
public final class TlsResultCounter implements TlsResultRecorder {
    private final int maxPolicies;
    private final int maxDetailsPerPolicy;
    private final Map<TlsPolicy, Counts> counts = new LinkedHashMap<>();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param maxPolicies the most policies counted per period
     * @param maxDetailsPerPolicy the most distinct failure details kept per policy
     */
    public TlsResultCounter(int maxPolicies, int maxDetailsPerPolicy) {
        if (maxPolicies < 1 || maxDetailsPerPolicy < 1) {
            throw new IllegalArgumentException("the limits must be at least 1");
        }
        this.maxPolicies = maxPolicies;
        this.maxDetailsPerPolicy = maxDetailsPerPolicy;
    }

    /**
     * The counts of one policy over a period.
     *
     * @param policy the policy
     * @param successes the successful sessions
     * @param failures the failed sessions, all of them
     * @param details the failed sessions per detail (at most the configured number of details)
     */
    public record PolicyResult(TlsPolicy policy, long successes, long failures, Map<FailureDetail, Long> details) {
        public PolicyResult {
            Objects.requireNonNull(policy, "policy");
            details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
        }
    }

    private static final class Counts {
        long successes;
        long failures;
        final Map<FailureDetail, Long> details = new LinkedHashMap<>();
    }

    @Override
    public synchronized void success(TlsPolicy policy) {
        Counts entry = entry(policy);
        if (entry != null) {
            entry.successes++;
        }
    }

    @Override
    public synchronized void failure(TlsPolicy policy, FailureDetail detail) {
        Counts entry = entry(policy);
        if (entry == null) {
            return;
        }
        entry.failures++;
        if (entry.details.containsKey(detail) || entry.details.size() < maxDetailsPerPolicy) {
            entry.details.merge(detail, 1L, Long::sum);
        }
    }

    private Counts entry(TlsPolicy policy) {
        Counts entry = counts.get(policy);
        if (entry == null) {
            if (counts.size() >= maxPolicies) {
                dropped.incrementAndGet();
                return null;
            }
            entry = new Counts();
            counts.put(policy, entry);
        }
        return entry;
    }

    /**
     * Adds counts kept from before (a restart): merged into this period's, within the same limits.
     *
     * @param results the counts to add
     */
    public synchronized void restore(List<PolicyResult> results) {
        for (PolicyResult result : results) {
            Counts entry = entry(result.policy());
            if (entry == null) {
                continue;
            }
            entry.successes += result.successes();
            entry.failures += result.failures();
            result.details().forEach((detail, count) -> {
                if (entry.details.containsKey(detail) || entry.details.size() < maxDetailsPerPolicy) {
                    entry.details.merge(detail, count, Long::sum);
                }
            });
        }
    }

    /** @return the counts so far, the period going on */
    public synchronized List<PolicyResult> snapshot() {
        List<PolicyResult> results = new ArrayList<>();
        counts.forEach((policy, entry) -> results.add(new PolicyResult(policy, entry.successes, entry.failures,
            entry.details)));
        return results;
    }

    /**
     * Ends the period: the counts so far, and a fresh start.
     *
     * @return the results, in the order the policies were first seen
     */
    public synchronized List<PolicyResult> drain() {
        List<PolicyResult> results = snapshot();
        counts.clear();
        return results;
    }

    /** @return how many outcomes were dropped because {@code maxPolicies} policies were already counted */
    public long dropped() {
        return dropped.get();
    }
}
