package org.tesjames.core.dns;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Type;

/**
 * A caching decorator of any {@link DnsClient}, keyed by (name, type), names compared case-insensitively
 * (they are normalised to lower-case absolute names, which is also the name the upstream is asked and the
 * results carry).
 *
 * <ul>
 *   <li>{@link DnsResult.Answer}s are kept for their TTL, {@link DnsResult.NxDomain} and
 *       {@link DnsResult.NoData} for their negative TTL (RFC 2308), both clamped to
 *       [{@link Builder#minTtl(Duration) min TTL}, {@link Builder#maxTtl(Duration) max TTL}];
 *   <li>{@link DnsResult.Failure}s are held down for {@link Builder#failureHoldDown(Duration)} (so a
 *       failing name is not hammered), then asked again; zero disables this;
 *   <li>a result whose cache time is zero is not kept;
 *   <li>a result from the cache carries the remaining time as its {@link DnsResult#ttl()};
 *   <li>the cache holds at most {@link Builder#maximumSize(int)} entries, the least recently used going
 *       first (when it is full, a batch of 1/{@value #EVICTION_BATCH} of its size at once, at least one);
 *   <li>one upstream query per (name, type) is in flight at a time: concurrent callers share its result.
 * </ul>
 *
 * <p>A hit takes no lock: the SMTP event loops, the spooler and the resolver's threads all read the cache for
 * every message, and with more threads than cores a lock holder that the system deschedules would stall every
 * other reader (event loops included) for a whole time slice. Misses, insertions, eviction and invalidation take
 * one lock; a hit only records when its entry was last used.
 *
 * <p>Time comes from the injected {@link Clock}. Thread-safe; the stages it returns always complete
 * normally (an upstream stage that completes exceptionally, against the {@link DnsClient} contract, is
 * turned into a {@link DnsResult.Failure.Kind#NETWORK_ERROR} failure).
 */
public final class CachingDnsClient implements DnsClient {

    /** Default {@link Builder#maxTtl(Duration)}: one day. */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(1);
    /** Default {@link Builder#minTtl(Duration)}: zero. */
    public static final Duration DEFAULT_MIN_TTL = Duration.ZERO;
    /** Default {@link Builder#failureHoldDown(Duration)}: five seconds. */
    public static final Duration DEFAULT_FAILURE_HOLD_DOWN = Duration.ofSeconds(5);
    /** Default {@link Builder#maximumSize(int)}. */
    public static final int DEFAULT_MAXIMUM_SIZE = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(CachingDnsClient.class);

    private record Key(Name name, int type) {
    }

    /** A cached outcome; {@link #lastUsed} orders entries for eviction, and a hit writes it without a lock. */
    private static final class Entry {
        private static final VarHandle LAST_USED;

        static {
            try {
                LAST_USED = MethodHandles.lookup().findVarHandle(Entry.class, "lastUsed", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final DnsResult result;
        private final Instant expires;
        @SuppressWarnings("unused") // through LAST_USED
        private long lastUsed;

        Entry(DnsResult result, Instant expires) {
            this.result = result;
            this.expires = expires;
            touch();
        }

        /** Marks the entry used now ({@link System#nanoTime()}; an order, not a time of day). */
        void touch() {
            LAST_USED.setOpaque(this, System.nanoTime());
        }

        long lastUsed() {
            return (long) LAST_USED.getOpaque(this);
        }
    }

    /**
     * Counts since the client was built.
     *
     * @param hits queries answered from the cache
     * @param misses queries not answered from the cache (coalesced ones included)
     * @param coalesced misses that joined an upstream query already in flight
     * @param upstreamQueries queries sent to the upstream client
     * @param evictions entries evicted because the cache was full
     */
    public record Stats(long hits, long misses, long coalesced, long upstreamQueries, long evictions) {
    }

    private final DnsClient upstream;
    private final Duration maxTtl;
    private final Duration minTtl;
    private final Duration failureHoldDown;
    private final int maximumSize;
    private final Clock clock;
    private final DnsMetrics metrics;

    /** When the cache is full, 1/this of its maximum size is evicted at once (at least one entry). */
    static final int EVICTION_BATCH = 64;

    private final Object lock = new Object();
    /** Read without a lock; changed (put, remove) only under {@link #lock}. */
    private final Map<Key, Entry> cache = new ConcurrentHashMap<>();
    /** Guarded by {@link #lock}. */
    private final Map<Key, CompletableFuture<DnsResult>> inFlight = new HashMap<>();

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder coalesced = new LongAdder();
    private final LongAdder upstreamQueries = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    private CachingDnsClient(Builder builder) {
        this.upstream = builder.upstream;
        this.maxTtl = builder.maxTtl;
        this.minTtl = builder.minTtl;
        this.failureHoldDown = builder.failureHoldDown;
        this.maximumSize = builder.maximumSize;
        this.clock = builder.clock;
        this.metrics = builder.metrics;
    }

    /**
     * A builder of a cache in front of the given client, with the defaults.
     *
     * @param upstream the client asked on a miss
     * @return a new builder
     */
    public static Builder builder(DnsClient upstream) {
        return new Builder(upstream);
    }

    /** Settings of a {@link CachingDnsClient}. */
    public static final class Builder {
        private final DnsClient upstream;
        private Duration maxTtl = DEFAULT_MAX_TTL;
        private Duration minTtl = DEFAULT_MIN_TTL;
        private Duration failureHoldDown = DEFAULT_FAILURE_HOLD_DOWN;
        private int maximumSize = DEFAULT_MAXIMUM_SIZE;
        private Clock clock = Clock.systemUTC();
        private DnsMetrics metrics = DnsMetrics.NO_OP;

        private Builder(DnsClient upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
        }

        /**
         * The longest time any answer or negative answer is kept, whatever its TTL; one day by default.
         *
         * @param maxTtl zero or more
         * @return this builder
         */
        public Builder maxTtl(Duration maxTtl) {
            this.maxTtl = nonNegative(maxTtl, "maxTtl");
            return this;
        }

        /**
         * The shortest time an answer or negative answer is kept, even if its TTL is lower; zero by default.
         *
         * @param minTtl zero or more
         * @return this builder
         */
        public Builder minTtl(Duration minTtl) {
            this.minTtl = nonNegative(minTtl, "minTtl");
            return this;
        }

        /**
         * How long a failure (SERVFAIL, timeout...) is returned from the cache before the upstream is asked
         * again; five seconds by default, zero not to cache failures.
         *
         * @param holdDown zero or more
         * @return this builder
         */
        public Builder failureHoldDown(Duration holdDown) {
            this.failureHoldDown = nonNegative(holdDown, "failureHoldDown");
            return this;
        }

        /**
         * The most entries kept; {@value CachingDnsClient#DEFAULT_MAXIMUM_SIZE} by default.
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder maximumSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("maximumSize must be at least 1: " + size);
            }
            this.maximumSize = size;
            return this;
        }

        /**
         * The clock expiry is computed with; the system UTC clock by default.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Where hits, misses and upstream queries are reported; {@link DnsMetrics#NO_OP} by default.
         *
         * @param metrics the metrics
         * @return this builder
         */
        public Builder metrics(DnsMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Builds the client.
         *
         * @return the caching client
         * @throws IllegalArgumentException if the min TTL exceeds the max TTL
         */
        public CachingDnsClient build() {
            if (minTtl.compareTo(maxTtl) > 0) {
                throw new IllegalArgumentException("minTtl " + minTtl + " exceeds maxTtl " + maxTtl);
            }
            return new CachingDnsClient(this);
        }

        private static Duration nonNegative(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative: " + value);
            }
            return value;
        }
    }

    /**
     * The cached result if fresh, otherwise the result of the upstream query for this name and type, shared
     * with every concurrent caller.
     *
     * @param name the name (case-insensitive; relative names are taken as absolute)
     * @param type a dnsjava {@link Type} value
     * @return a stage that always completes normally with a non-null result
     * @throws NullPointerException if the name is null
     */
    @Override
    public CompletionStage<DnsResult> query(Name name, int type) {
        Key key;
        try {
            key = new Key(normalise(name), type);
        } catch (NameTooLongException e) {
            return CompletableFuture.completedFuture(tooLong(name, type));
        }
        DnsResult fresh = fresh(key);
        if (fresh != null) {
            return CompletableFuture.completedFuture(fresh);
        }
        CompletableFuture<DnsResult> mine;
        synchronized (lock) {
            Instant now = clock.instant();
            Entry entry = cache.get(key);
            if (entry != null) {
                if (now.isBefore(entry.expires)) {
                    return CompletableFuture.completedFuture(hit(entry, now, type));
                }
                cache.remove(key);
            }
            misses.increment();
            metrics.miss(type);
            CompletableFuture<DnsResult> pending = inFlight.get(key);
            if (pending != null) {
                coalesced.increment();
                metrics.coalesced(type);
                return pending.minimalCompletionStage();
            }
            mine = new CompletableFuture<>();
            inFlight.put(key, mine);
        }
        upstreamQueries.increment();
        metrics.upstreamQuery(type);
        CompletionStage<DnsResult> response;
        try {
            response = upstream.query(key.name(), type);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((result, error) -> complete(key, mine, result, error));
        return mine.minimalCompletionStage();
    }

    /**
     * The fresh cached result, counted as a hit; nothing is asked upstream, and a question without a fresh entry
     * counts nothing (the query that follows counts its miss). A name too long to query is answered as
     * {@link #query} answers it, without any query.
     */
    @Override
    public Optional<DnsResult> cached(Name name, int type) {
        try {
            return Optional.ofNullable(fresh(new Key(normalise(name), type)));
        } catch (NameTooLongException e) {
            return Optional.of(tooLong(name, type));
        }
    }

    private static DnsResult tooLong(Name name, int type) {
        return new DnsResult.Failure(name, type, DnsResult.Failure.Kind.MALFORMED, "name too long to query: " + name);
    }

    /** The entry's result if it is cached and fresh (a hit), else null; takes no lock. */
    private DnsResult fresh(Key key) {
        Entry cached = cache.get(key);
        if (cached != null) {
            Instant now = clock.instant();
            if (now.isBefore(cached.expires)) {
                return hit(cached, now, key.type());
            }
        }
        return null;
    }

    private DnsResult hit(Entry entry, Instant now, int type) {
        entry.touch();
        hits.increment();
        metrics.hit(type);
        return withTtl(entry.result, Duration.between(now, entry.expires));
    }

    private void complete(Key key, CompletableFuture<DnsResult> future, DnsResult result, Throwable error) {
        DnsResult outcome = result;
        if (error != null || result == null) {
            LOG.warn("Upstream DNS client broke its contract for {}/{}", key.name(), Type.string(key.type()), error);
            outcome = new DnsResult.Failure(key.name(), key.type(), DnsResult.Failure.Kind.NETWORK_ERROR,
                    "upstream client error: " + (error != null ? error : "null result"));
        }
        Duration keep = cacheTime(outcome);
        synchronized (lock) {
            if (!keep.isZero()) {
                cache.put(key, new Entry(outcome, clock.instant().plus(keep)));
                if (cache.size() > maximumSize) {
                    evictLeastRecentlyUsed();
                }
            }
            inFlight.remove(key);
        }
        future.complete(outcome);
    }

    /**
     * Removes the least recently used entries, a batch of 1/{@value #EVICTION_BATCH} of the maximum size (at least
     * the excess), so that a full cache sorts its entries once per batch, not once per insertion. Holds the lock.
     */
    private void evictLeastRecentlyUsed() {
        int batch = Math.max(cache.size() - maximumSize, maximumSize / EVICTION_BATCH);
        // the map changes only under the lock, held here: its size stays
        long[] used = new long[cache.size()];
        int n = 0;
        for (Entry entry : cache.values()) {
            used[n++] = entry.lastUsed();
        }
        Arrays.sort(used);
        // the batch's newest use; a hit that races with this scan only makes its entry stay
        long newestEvicted = used[Math.min(batch, n) - 1];
        int evicted = 0;
        for (Iterator<Entry> entries = cache.values().iterator(); entries.hasNext() && evicted < batch; ) {
            if (entries.next().lastUsed() - newestEvicted <= 0) {
                entries.remove();
                evicted++;
                evictions.increment();
                metrics.eviction();
            }
        }
    }

    private Duration cacheTime(DnsResult result) {
        if (result instanceof DnsResult.Failure) {
            return failureHoldDown;
        }
        Duration ttl = result.ttl();
        if (ttl.compareTo(minTtl) < 0) {
            ttl = minTtl;
        }
        return ttl.compareTo(maxTtl) > 0 ? maxTtl : ttl;
    }

    private static DnsResult withTtl(DnsResult result, Duration remaining) {
        if (result instanceof DnsResult.Answer a) {
            return new DnsResult.Answer(a.name(), a.type(), a.records(), remaining, a.authenticated());
        } else if (result instanceof DnsResult.NxDomain n) {
            return new DnsResult.NxDomain(n.name(), n.type(), remaining, n.authenticated());
        } else if (result instanceof DnsResult.NoData n) {
            return new DnsResult.NoData(n.name(), n.type(), remaining, n.authenticated());
        }
        return result;
    }

    private static Name normalise(Name name) throws NameTooLongException {
        Objects.requireNonNull(name, "name");
        Name absolute = name.isAbsolute() ? name : Name.concatenate(name, Name.root);
        return absolute.canonicalize();
    }

    /**
     * The counts since the client was built.
     *
     * @return a snapshot
     */
    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), coalesced.sum(), upstreamQueries.sum(), evictions.sum());
    }

    /**
     * The number of entries held, expired ones not yet removed included.
     *
     * @return the size
     */
    public int size() {
        return cache.size();
    }

    /**
     * The number of upstream queries in flight.
     *
     * @return the count
     */
    public int inFlight() {
        synchronized (lock) {
            return inFlight.size();
        }
    }

    /**
     * Empties the cache (queries in flight still complete and are cached).
     *
     * @return the number of entries removed
     */
    public int clear() {
        synchronized (lock) {
            int size = cache.size();
            cache.clear();
            return size;
        }
    }

    /**
     * Forgets every cached outcome of one name, whatever its type (queries in flight still complete and are
     * cached): after a zone was fixed, the next query of that name asks the upstream again.
     *
     * @param name the name (case-insensitive; a relative name is taken as absolute)
     * @return the number of entries removed
     */
    public int invalidate(Name name) {
        Name key;
        try {
            key = normalise(name);
        } catch (NameTooLongException e) {
            return 0;
        }
        synchronized (lock) {
            int before = cache.size();
            cache.keySet().removeIf(cached -> cached.name().equals(key));
            return before - cache.size();
        }
    }
}
