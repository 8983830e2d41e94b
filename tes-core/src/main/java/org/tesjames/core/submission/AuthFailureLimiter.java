package org.tesjames.core.submission;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

/**
 * Counts failed SMTP {@code AUTH} attempts per session and per client address, and says when a limit is reached
 * ({@link AuthFailureLimits}). Thread-safe; one instance is shared by every submission listener, so an address
 * cannot double its attempts by switching between ports 587 and 465.
 *
 * <p>The per-session count belongs to the session and is passed in; the per-address failures are kept here: for
 * each address the times of its most recent failures (at most {@code perAddress} of them). The address is locked
 * while {@code perAddress} of them lie within the last {@code addressWindow}, that is until the oldest of them is
 * {@code addressWindow} old (a sliding window: at most {@code perAddress} guesses per window, never a burst at a
 * window boundary). A locked address is refused before any password is checked, and those refusals are not
 * failures: they neither extend the lock nor fill the table.
 *
 * <p>A successful {@code AUTH} resets nothing. If it reset the address count, an attacker holding any one valid
 * account (its own mailbox at a hosting provider, say) could interleave one good login after every
 * {@code perAddress - 1} guesses against other accounts and guess without limit. The price is that users
 * sharing an address with a guesser (behind one NAT) are locked out with it for at most one window.
 *
 * <p>IPv6 clients are counted per /64 prefix, the block one host or one customer typically holds: counting
 * single IPv6 addresses would give an attacker 2^64 fresh counters. IPv4 clients are counted per address.
 *
 * <p>The table is bounded: at most {@code addressTableSize} addresses, each forgotten {@code addressWindow}
 * after its last failure (when nothing of it is left to count) or, when the table is full, least recently failing
 * first. An attacker who controls more addresses than the table holds can push a locked address out of it; such
 * an attacker already has a guess budget per address, so this only matters with a table much smaller than the
 * expected number of failing addresses.
 */
public final class AuthFailureLimiter {
    private final AuthFailureLimits limits;
    private final Clock clock;
    private final long windowMillis;
    private final Cache<String, FailureTimes> failures;

    public AuthFailureLimiter(AuthFailureLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.windowMillis = limits.addressWindow().toMillis();
        this.failures = CacheBuilder.newBuilder()
            .maximumSize(limits.addressTableSize())
            .expireAfterWrite(limits.addressWindow())
            .ticker(new Ticker() {
                @Override
                public long read() {
                    return TimeUnit.MILLISECONDS.toNanos(clock.millis());
                }
            })
            .build();
    }

    public AuthFailureLimits limits() {
        return limits;
    }

    /** Before an {@code AUTH} exchange: {@link AuthLimitDecision.AddressLocked} or {@link AuthLimitDecision.Allow}. */
    public AuthLimitDecision beforeAuth(InetAddress client) {
        long now = clock.millis();
        FailureTimes times = failures.getIfPresent(key(client));
        if (times == null) {
            return new AuthLimitDecision.Allow(0, 0);
        }
        return decide(times, now, 0);
    }

    /**
     * Records a failed attempt of the client and decides: the address lock first (it outlives the session), then
     * the session limit.
     *
     * @param sessionFailures the failures of the session, this one included
     */
    public AuthLimitDecision failed(InetAddress client, int sessionFailures) {
        long now = clock.millis();
        FailureTimes times = failures.asMap().merge(key(client), FailureTimes.of(now),
            (old, fresh) -> old.add(now, windowMillis, limits.perAddress()));
        AuthLimitDecision decision = decide(times, now, sessionFailures);
        if (decision instanceof AuthLimitDecision.Allow && sessionFailures >= limits.perSession()) {
            return new AuthLimitDecision.SessionLimit(sessionFailures, decision.addressFailures());
        }
        return decision;
    }

    private AuthLimitDecision decide(FailureTimes times, long now, int sessionFailures) {
        int recent = times.recent(now, windowMillis);
        OptionalLong until = times.lockedUntil(now, windowMillis, limits.perAddress());
        if (until.isPresent()) {
            return new AuthLimitDecision.AddressLocked(recent, Instant.ofEpochMilli(until.getAsLong()));
        }
        return new AuthLimitDecision.Allow(sessionFailures, recent);
    }

    /** How many client addresses the table holds now (expired ones dropped first). */
    public long trackedAddresses() {
        failures.cleanUp();
        return failures.size();
    }

    /**
     * The table key of a client: an IPv4 address as such, an IPv6 address as its /64 prefix
     * ({@code 2001:db8:1:2::/64}).
     */
    public static String key(InetAddress client) {
        if (client instanceof Inet6Address) {
            byte[] bytes = client.getAddress();
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return prefix.append(":/64").toString();
        }
        return client.getHostAddress();
    }

    /** The times (epoch milliseconds, ascending) of an address's most recent failures. */
    private record FailureTimes(long[] millis) {
        static FailureTimes of(long now) {
            return new FailureTimes(new long[] {now});
        }

        /** These times within the window, and {@code now}; the {@code keep} most recent. */
        FailureTimes add(long now, long window, int keep) {
            long[] kept = Arrays.stream(millis).filter(time -> time > now - window).toArray();
            int from = Math.max(0, kept.length + 1 - keep);
            long[] next = Arrays.copyOfRange(kept, from, kept.length + 1);
            next[next.length - 1] = now;
            return new FailureTimes(next);
        }

        int recent(long now, long window) {
            return (int) Arrays.stream(millis).filter(time -> time > now - window).count();
        }

        /** When {@code limit} failures lie within the window: the time the oldest of them leaves it. */
        OptionalLong lockedUntil(long now, long window, int limit) {
            if (millis.length < limit) {
                return OptionalLong.empty();
            }
            long oldest = millis[millis.length - limit];
            return oldest > now - window ? OptionalLong.of(oldest + window) : OptionalLong.empty();
        }
    }
}
