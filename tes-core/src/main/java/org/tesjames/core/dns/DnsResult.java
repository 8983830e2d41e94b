package org.tesjames.core.dns;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The outcome of one DNS query: a closed set, never null, and never an empty list standing for an error.
 * {@link #isTemporaryFailure()} separates "the data says no" (NXDOMAIN, NODATA: a definite answer) from
 * "we could not find out" (SERVFAIL, REFUSED, timeout, network error, malformed answer, a CNAME loop or an
 * over-long CNAME chain), which callers must
 * treat as temporary and never as a negative answer.
 */
public sealed interface DnsResult {
    /** The name that was queried. */
    Name name();

    /** The type that was queried ({@link Type}). */
    int type();

    /** How long this outcome may be reused: the answer's minimum TTL, the negative TTL, or zero. */
    Duration ttl();

    default boolean isTemporaryFailure() {
        return false;
    }

    /** The records of the answer section of the queried type (after following CNAMEs). */
    record Answer(Name name, int type, List<Record> records, Duration ttl, boolean authenticated) implements DnsResult {
        public Answer {
            Objects.requireNonNull(name);
            records = List.copyOf(records);
            if (records.isEmpty()) {
                throw new IllegalArgumentException("an answer has records; use NoData for none");
            }
        }
    }

    /** The name does not exist (RCODE 3). */
    record NxDomain(Name name, int type, Duration ttl, boolean authenticated) implements DnsResult {
    }

    /** The name exists but has no record of this type. */
    record NoData(Name name, int type, Duration ttl, boolean authenticated) implements DnsResult {
    }

    /**
     * A temporary failure: SERVFAIL, REFUSED, timeout, network error, malformed or unexpected answer, or a CNAME
     * chain that loops or is longer than the client follows.
     *
     * <p>A CNAME loop or an over-long chain is a temporary failure, not NODATA: recursive resolvers answer both
     * with SERVFAIL (so the same zone gives the same outcome whether the resolver or the client notices), the
     * state may be a zone being edited or a forged answer, and reading it as "no data" would turn a broken
     * chain into a negative verdict (a member reported as a non-member, a DKIM key or DMARC policy reported
     * absent). The caller defers; the zone owner's fix takes effect at the next try.
     */
    record Failure(Name name, int type, Kind kind, String detail) implements DnsResult {
        public enum Kind {
            SERVFAIL, REFUSED, TIMEOUT, NETWORK_ERROR, MALFORMED, OTHER_RCODE,
            /** The CNAME chain of the answer leads back to a name already in it. */
            CNAME_LOOP,
            /** The CNAME chain of the answer is longer than the client follows. */
            CNAME_CHAIN_TOO_LONG
        }

        @Override
        public Duration ttl() {
            return Duration.ZERO;
        }

        @Override
        public boolean isTemporaryFailure() {
            return true;
        }
    }
}
