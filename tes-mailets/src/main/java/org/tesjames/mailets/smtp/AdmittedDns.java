package org.tesjames.mailets.smtp;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;

/**
 * The DNS client of one lookup that an SMTP session starts: cached answers come at once, and the first question
 * that needs a query takes a place of {@link PendingSessions} for the session's client; only with that place is
 * anything sent. Without it nothing is sent and the question is never answered, so the lookup never completes:
 * the caller sees {@link #refused()} right after starting it and answers {@code 451 4.7.0}. So a client over its
 * bound cannot make the server send queries by the line (fresh names under a slow zone it controls), while what
 * the cache answers stays open to it.
 *
 * <p>The decision falls at the lookup's first question without a cached answer. Until an answer comes from
 * upstream every step of a lookup runs on the caller's thread (a cached answer completes at once), so the
 * decision is made there, before the caller looks at {@link #refused()}. Give the place back with
 * {@link #releaseWhenDone}; a question asked after that (the lookup ended at its deadline while a query was still
 * out, and the late answer leads to the next one) is not sent either: it fails at once.
 */
final class AdmittedDns implements DnsClient {
    private static final int ONLY_CACHED = 0;
    private static final int ADMITTED = 1;
    private static final int REFUSED = -1;
    private static final int RELEASED = 2;

    private final DnsClient dns;
    private final PendingSessions pending;
    private final InetAddress client;
    private volatile int state = ONLY_CACHED;

    AdmittedDns(DnsClient dns, PendingSessions pending, InetAddress client) {
        this.dns = dns;
        this.pending = pending;
        this.client = client;
    }

    @Override
    public CompletionStage<DnsResult> query(Name name, int type) {
        Optional<DnsResult> cached = dns.cached(name, type);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(cached.get());
        }
        if (state == ONLY_CACHED) {
            state = pending.tryAcquire(client) ? ADMITTED : REFUSED;
        }
        return switch (state) {
            case ADMITTED -> dns.query(name, type);
            case RELEASED -> CompletableFuture.completedFuture(new DnsResult.Failure(name, type,
                DnsResult.Failure.Kind.TIMEOUT, "the lookup asking it has ended"));
            default -> new CompletableFuture<>();
        };
    }

    /** Whether a question needed a query and the client had no place for it: nothing was sent. */
    boolean refused() {
        return state == REFUSED;
    }

    /**
     * Gives the place back when {@code lookup} completes, if a place was taken: the returned stage completes after
     * that, so whatever waits on it (the session's next line) finds the place free.
     */
    <T> CompletableFuture<T> releaseWhenDone(CompletableFuture<T> lookup) {
        if (state != ADMITTED) {
            return lookup;
        }
        return lookup.whenComplete((result, error) -> {
            state = RELEASED;
            pending.release(client);
        });
    }
}
