package org.tesjames.core.dns;

/**
 * Events of a {@link CachingDnsClient}, to be counted (e.g. with James's {@code MetricFactory}). Every
 * method has a no-op default; implementations must be thread-safe and fast (they are called on the query
 * path).
 */
public interface DnsMetrics {

    /** Metrics that record nothing. */
    DnsMetrics NO_OP = new DnsMetrics() {
    };

    /**
     * A query answered from the cache.
     *
     * @param type the query type
     */
    default void hit(int type) {
    }

    /**
     * A query not in the cache (or expired): it either starts an upstream query or joins one in flight.
     *
     * @param type the query type
     */
    default void miss(int type) {
    }

    /**
     * A miss that joined the upstream query already in flight for the same name and type.
     *
     * @param type the query type
     */
    default void coalesced(int type) {
    }

    /**
     * A query sent to the upstream client.
     *
     * @param type the query type
     */
    default void upstreamQuery(int type) {
    }

    /** An entry evicted because the cache was full. */
    default void eviction() {
    }
}
