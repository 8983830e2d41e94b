package org.tesjames.mailets.smtp;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.metrics.api.MetricFactory;
import org.tesjames.core.config.TesSettings;

/**
 * Bounds what SMTP sessions have in progress with TES at the same time, in places: at most {@code smtp.pending.max}
 * on the server and {@code smtp.pending.max-per-client} per client address. A place is taken by a membership
 * lookup that needs a DNS query, before the query is sent ({@link AdmittedDns}), and by a session waiting for the
 * authentication of its message ({@link SessionGate}); it is given back when that work completes. Without a place
 * the command gets {@code 451 4.7.0} at once ({@link SmtpReplies#TOO_MANY_PENDING}).
 *
 * <p>Metrics: counters {@code tes.smtp.pending.waiting} (places taken), {@code tes.smtp.pending.refused}.
 */
@Singleton
public final class PendingSessions {
    private final int max;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final MetricFactory metrics;

    @Inject
    public PendingSessions(TesSettings settings, MetricFactory metrics) {
        this(settings.smtpPendingMax(), settings.smtpPendingMaxPerClient(), metrics);
    }

    PendingSessions(int max, int maxPerClient, MetricFactory metrics) {
        this.max = max;
        this.maxPerClient = maxPerClient;
        this.metrics = metrics;
    }

    /** Takes a place for work of a session of {@code client}; false when a bound is reached. */
    public boolean tryAcquire(InetAddress client) {
        if (total.incrementAndGet() > max) {
            total.decrementAndGet();
            metrics.generate("tes.smtp.pending.refused").increment();
            return false;
        }
        boolean[] admitted = {false};
        perClient.compute(client, (address, count) -> {
            int now = count == null ? 0 : count;
            if (now >= maxPerClient) {
                return count;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            metrics.generate("tes.smtp.pending.refused").increment();
            return false;
        }
        metrics.generate("tes.smtp.pending.waiting").increment();
        return true;
    }

    /** Gives back the place taken by {@link #tryAcquire}. */
    public void release(InetAddress client) {
        perClient.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
        total.decrementAndGet();
    }

    /** Places taken now (for tests and logs). */
    public int waiting() {
        return total.get();
    }
}
