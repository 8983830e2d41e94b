package org.tesjames.core.dns;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.Name;

/**
 * A {@link DnsClient} decorator that remembers every query and its outcome, so that {@code tes membership} and
 * the WebAdmin membership route can show each step of the chain. One instance per resolution: it keeps every
 * exchange it sees. Exchanges are numbered in the order the queries were <em>sent</em>, not
 * the order they completed: queries sent concurrently (steps 2 and 3 of the membership chain) are therefore
 * listed in a deterministic order. Thread-safe.
 */
public final class RecordingDnsClient implements DnsClient {

    /** One query and its outcome; {@code sequence} counts from 1 in sending order. */
    public record Exchange(int sequence, Name name, int type, DnsResult result) {
    }

    private final DnsClient delegate;
    private final AtomicInteger sent = new AtomicInteger();
    private final ConcurrentSkipListMap<Integer, Exchange> completed = new ConcurrentSkipListMap<>();

    public RecordingDnsClient(DnsClient delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public CompletionStage<DnsResult> query(Name name, int type) {
        int sequence = sent.incrementAndGet();
        // Recorded before the caller's continuations see the result: once a verdict built from these
        // results is known, every exchange that contributed to it is in the record.
        return delegate.query(name, type).thenApply(result -> {
            completed.put(sequence, new Exchange(sequence, name, type, result));
            return result;
        });
    }

    /** The completed exchanges, in sending order. */
    public List<Exchange> exchanges() {
        return List.copyOf(completed.values());
    }
}
