package org.tesjames.mailets.smtp;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.apache.james.metrics.api.Metric;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * The last lookup of one kind a connection started (at {@code startedNanos}) and what it was for: the next
 * transactions of the connection that ask for the same {@code key} take its result without looking it up again,
 * until the shortest TTL of the DNS answers behind it runs out, counted from that start, and never longer than
 * {@link #LONGEST_KEPT}. A result with a TTL of zero (a temporary failure) is never taken again, nor a lookup still
 * in progress. Only the last lookup of a kind is kept. Kinds: the membership of a sender domain
 * ({@code InboundPolicyHook}), the SPF check of an identity and the DMARC policy of an Author Domain
 * ({@code InboundAuthenticationHook}). Read and written on the session's event loop only.
 *
 * @param <K> what the lookup is for
 * @param <R> its result
 */
record KeptLookup<K, R>(K key, CompletableFuture<R> result, Function<R, Duration> ttl, long startedNanos) {
    /** A connection keeps a result at most this long, whatever its TTL. */
    static final Duration LONGEST_KEPT = Duration.ofHours(1);

    /** The attachment of a connection that holds its last lookup of one kind. */
    @SuppressWarnings("unchecked")
    static <K, R> AttachmentKey<KeptLookup<K, R>> kind(String name) {
        return AttachmentKey.of(name, (Class<KeptLookup<K, R>>) (Class<?>) KeptLookup.class);
    }

    /** The connection's kept result for {@code key}, counted in {@code reused}, or a new lookup, then kept. */
    static <K, R> CompletableFuture<R> of(SMTPSession session, AttachmentKey<KeptLookup<K, R>> kind, K key,
                                         Function<K, CompletableFuture<R>> lookup, Function<R, Duration> ttl,
                                         Metric reused) {
        long now = System.nanoTime();
        Optional<R> kept = session.getAttachment(kind, ProtocolSession.State.Connection)
            .flatMap(last -> last.answers(key, now));
        if (kept.isPresent()) {
            reused.increment();
            return CompletableFuture.completedFuture(kept.get());
        }
        CompletableFuture<R> started = lookup.apply(key);
        session.setAttachment(kind, new KeptLookup<>(key, started, ttl, now), ProtocolSession.State.Connection);
        return started;
    }

    Optional<R> answers(K asked, long nowNanos) {
        if (!key.equals(asked) || !result.isDone() || result.isCompletedExceptionally()) {
            return Optional.empty();
        }
        R done = result.join();
        Duration holds = ttl.apply(done);
        Duration keep = holds.compareTo(LONGEST_KEPT) > 0 ? LONGEST_KEPT : holds;
        return nowNanos - startedNanos < keep.toNanos() ? Optional.of(done) : Optional.empty();
    }
}
