package org.tesjames.core.sts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.tlsrpt.ResultType;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * MTA-STS policy discovery with a per-domain cache (RFC 8461 sections 3 and 5.1). Thread-safe; concurrent
 * lookups of one domain share one discovery.
 *
 * <p>Each lookup queries TXT {@code _mta-sts.<domain>} (through the DNS client, which caches it for its TTL):
 * <ul>
 * <li>one valid {@code v=STSv1} record whose id is the cached policy's, and the cached policy unexpired: the cached
 * policy, without a fetch;</li>
 * <li>one valid record with a new id, or no unexpired cached policy: the policy is fetched; a valid one replaces
 * the cached one; a failed fetch or an invalid policy keeps the unexpired cached policy
 * ({@link StsLookup.Source#CACHED_AFTER_FAILURE}), else there is no policy (with the problem to report);</li>
 * <li>NXDOMAIN or NODATA, or no usable record (none or several {@code v=STSv1} records, a malformed one): the
 * unexpired cached policy if any (a domain withdraws a policy by publishing mode {@code none}, section 8.3), else
 * no policy;</li>
 * <li>a temporary DNS failure (SERVFAIL, timeout, ...): the unexpired cached policy if any, never "no policy" over
 * it; without a cached policy, no policy (the sender never learnt of one: RFC 8461 section 5 treats an unreachable
 * policy the same way).</li>
 * </ul>
 * The cache holds at most {@code maxEntries} domains, the least recently used leaving first; an entry is dropped
 * when its {@code max_age} has passed.
 */
public final class StsPolicies {
    private final DnsClient dns;
    private final StsPolicyFetcher fetcher;
    private final Clock clock;
    private final Duration dnsDeadline;
    private final Cache cache;
    private final ConcurrentMap<String, CompletableFuture<StsLookup>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param dns the DNS client of the TXT lookup
     * @param fetcher the policy fetch
     * @param clock the clock of the cache
     * @param dnsDeadline the longest wait for the TXT answer
     * @param maxEntries the most domains cached
     */
    public StsPolicies(DnsClient dns, StsPolicyFetcher fetcher, Clock clock, Duration dnsDeadline, int maxEntries) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.dnsDeadline = Objects.requireNonNull(dnsDeadline, "dnsDeadline");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.cache = new Cache(maxEntries);
    }

    /** A cached policy. */
    public record Cached(StsPolicy policy, String id, Instant fetchedAt) {
        /** @return when it stops applying */
        public Instant expiresAt() {
            return fetchedAt.plus(policy.maxAge());
        }
    }

    /**
     * The policy of a destination domain, discovering or refreshing it as needed. Blocks for the TXT lookup and,
     * when needed, the fetch.
     *
     * @param domain the recipient domain
     * @return the outcome, never null
     */
    public StsLookup lookup(String domain) {
        String key = normalise(domain);
        CompletableFuture<StsLookup> mine = new CompletableFuture<>();
        CompletableFuture<StsLookup> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running.join();
        }
        try {
            StsLookup result = discover(key);
            mine.complete(result);
            return result;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /**
     * The cached policy of a domain, without any lookup.
     *
     * @param domain the domain
     * @return its unexpired cached policy
     */
    public Optional<Cached> cached(String domain) {
        return cache.get(normalise(domain), clock.instant());
    }

    /** @return how many domains are cached */
    public int cacheSize() {
        return cache.size();
    }

    private StsLookup discover(String domain) {
        Instant now = clock.instant();
        Optional<Cached> cached = cache.get(domain, now);
        Record record = txt(domain);
        if (record.id().isEmpty()) {
            return cached.<StsLookup>map(c -> found(domain, c, record.temporary() ? StsLookup.Source.CACHED_AFTER_FAILURE
                    : StsLookup.Source.CACHED, record.temporary()
                    ? Optional.of(new StsLookup.Problem(ResultType.STS_POLICY_FETCH_ERROR, record.reason()))
                    : Optional.empty()))
                .orElseGet(() -> new StsLookup.None(domain, record.reason(), Optional.empty()));
        }
        String id = record.id().get();
        if (cached.isPresent() && cached.get().id().equals(id)) {
            return found(domain, cached.get(), StsLookup.Source.CACHED, Optional.empty());
        }
        StsLookup.Problem problem;
        try {
            StsPolicy policy = StsPolicy.parse(fetcher.fetch(domain));
            Cached fresh = new Cached(policy, id, now);
            cache.put(domain, fresh);
            return found(domain, fresh, StsLookup.Source.FETCHED, Optional.empty());
        } catch (StsFetchException e) {
            problem = new StsLookup.Problem(e.type(), e.getMessage());
        } catch (StsPolicyException e) {
            problem = new StsLookup.Problem(ResultType.STS_POLICY_INVALID, "policy of " + domain + " (id " + id
                + ") is invalid: " + e.getMessage());
        }
        if (cached.isPresent()) {
            return found(domain, cached.get(), StsLookup.Source.CACHED_AFTER_FAILURE, Optional.of(problem));
        }
        return new StsLookup.None(domain, problem.toString(), Optional.of(problem));
    }

    private static StsLookup.Found found(String domain, Cached cached, StsLookup.Source source,
                                         Optional<StsLookup.Problem> problem) {
        return new StsLookup.Found(domain, cached.policy(), cached.id(), cached.fetchedAt(), source, problem);
    }

    /** The usable id of the TXT record, or why there is none and whether that is temporary. */
    private record Record(Optional<String> id, String reason, boolean temporary) {
    }

    private Record txt(String domain) {
        DnsResult result;
        try {
            result = dns.await(Name.fromString("_mta-sts." + domain + "."), Type.TXT, dnsDeadline);
        } catch (TextParseException e) {
            return new Record(Optional.empty(), "'" + domain + "' is not a domain name", false);
        }
        if (result instanceof DnsResult.Failure failure) {
            return new Record(Optional.empty(), "TXT lookup of _mta-sts." + domain + " failed temporarily ("
                + failure.kind() + ": " + failure.detail() + ")", true);
        }
        if (!(result instanceof DnsResult.Answer answer)) {
            return new Record(Optional.empty(), "no _mta-sts." + domain + " TXT record", false);
        }
        List<String> records = new ArrayList<>();
        answer.records().stream().filter(TXTRecord.class::isInstance)
            .map(r -> String.join("", ((TXTRecord) r).getStrings()))
            .filter(StsRecord::isStsRecord).forEach(records::add);
        if (records.size() != 1) {
            return new Record(Optional.empty(), records.size() + " v=STSv1 TXT records at _mta-sts." + domain
                + " (exactly one is needed)", false);
        }
        try {
            return new Record(Optional.of(StsRecord.parse(records.get(0)).id()), "", false);
        } catch (IllegalArgumentException e) {
            return new Record(Optional.empty(), "invalid TXT record at _mta-sts." + domain + ": " + e.getMessage(),
                false);
        }
    }

    static String normalise(String domain) {
        String lower = domain.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** The bounded cache, least recently used out first. */
    private static final class Cache {
        private final Map<String, Cached> entries;

        Cache(int maxEntries) {
            this.entries = new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                    return size() > maxEntries;
                }
            };
        }

        synchronized Optional<Cached> get(String domain, Instant now) {
            Cached cached = entries.get(domain);
            if (cached != null && !now.isBefore(cached.expiresAt())) {
                entries.remove(domain);
                return Optional.empty();
            }
            return Optional.ofNullable(cached);
        }

        synchronized void put(String domain, Cached cached) {
            entries.put(domain, cached);
        }

        synchronized int size() {
            return entries.size();
        }
    }
}
