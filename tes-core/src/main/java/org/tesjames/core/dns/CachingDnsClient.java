package org.tesjames.core.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

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
 *       first;
 *   <li>one upstream query per (name, type) is in flight at a time: concurrent callers share its result.
 * </ul>
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

    private record Entry(DnsResult result, Instant expires) {
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

    private final Object lock = new Object();
    /** Access-ordered: iteration starts at the least recently used entry. Guarded by {@link #lock}. */
    private final LinkedHashMap<Key, Entry> cache;
    /** Guarded by {@link #lock}. */
    private final Map<Key, CompletableFuture<DnsResult>> inFlight = new HashMap<>();

    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();
    private final AtomicLong upstreamQueries = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();

    private CachingDnsClient(Builder builder) {
        this.upstream = builder.upstream;
        this.maxTtl = builder.maxTtl;
        this.minTtl = builder.minTtl;
        this.failureHoldDown = builder.failureHoldDown;
        this.maximumSize = builder.maximumSize;
        this.clock = builder.clock;
        this.metrics = builder.metrics;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                if (size() > maximumSize) {
                    evictions.incrementAndGet();
                    metrics.eviction();
                    return true;
                }
                return false;
            }
        };
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
            return CompletableFuture.completedFuture(new DnsResult.Failure(name, type, DnsResult.Failure.Kind.MALFORMED,
                    "name too long to query: " + name));
        }
        CompletableFuture<DnsResult> mine;
        synchronized (lock) {
            Instant now = clock.instant();
            Entry entry = cache.get(key);
            if (entry != null) {
                if (now.isBefore(entry.expires())) {
                    hits.incrementAndGet();
                    metrics.hit(type);
                    return CompletableFuture.completedFuture(withTtl(entry.result(), Duration.between(now, entry.expires())));
                }
                cache.remove(key);
            }
            misses.incrementAndGet();
            metrics.miss(type);
            CompletableFuture<DnsResult> pending = inFlight.get(key);
            if (pending != null) {
                coalesced.incrementAndGet();
                metrics.coalesced(type);
                return pending.minimalCompletionStage();
            }
            mine = new CompletableFuture<>();
            inFlight.put(key, mine);
        }
        upstreamQueries.incrementAndGet();
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
            }
            inFlight.remove(key);
        }
        future.complete(outcome);
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
        return new Stats(hits.get(), misses.get(), coalesced.get(), upstreamQueries.get(), evictions.get());
    }

    /**
     * The number of entries held, expired ones not yet removed included.
     *
     * @return the size
     */
    public int size() {
        synchronized (lock) {
            return cache.size();
        }
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
