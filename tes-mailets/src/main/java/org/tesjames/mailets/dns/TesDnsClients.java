package org.tesjames.mailets.dns;

import java.util.Objects;

import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsClient;
import org.xbill.DNS.Name;

/**
 * The two DNS clients of TES (see {@code TesModule}): the plain client of membership, DKIM and DMARC lookups, as
 * its cache and as the metered resolvers behind it, and the cache of the DNSSEC client of DANE. The caches are
 * what every lookup uses; the plain resolvers are for an operator's "ask afresh" (WebAdmin {@code ?cache=false}),
 * and {@link #clear()} / {@link #invalidate(Name)} flush both caches after a zone was fixed.
 *
 * @param plain the plain client's cache
 * @param plainResolvers the resolvers behind it, metered, uncached
 * @param dnssec the DNSSEC client's cache
 */
public record TesDnsClients(CachingDnsClient plain, DnsClient plainResolvers, CachingDnsClient dnssec) {
    public TesDnsClients {
        Objects.requireNonNull(plain, "plain");
        Objects.requireNonNull(plainResolvers, "plainResolvers");
        Objects.requireNonNull(dnssec, "dnssec");
    }

    /**
     * Empties both caches.
     *
     * @return the number of entries removed
     */
    public int clear() {
        return plain.clear() + dnssec.clear();
    }

    /**
     * Forgets every cached outcome of one name, whatever its type, in both caches.
     *
     * @param name an absolute name
     * @return the number of entries removed
     */
    public int invalidate(Name name) {
        return plain.invalidate(name) + dnssec.invalidate(name);
    }
}
