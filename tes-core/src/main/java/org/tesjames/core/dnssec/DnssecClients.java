package org.tesjames.core.dnssec;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;

/**
 * Builds the {@link DnsClient} whose {@code authenticated} flag can be trusted, for each {@link DnssecMode}.
 * Either way the resulting client maps outcomes as {@link DnsJavaClient} does: secure data has
 * {@code authenticated = true}, bogus data is a {@code SERVFAIL} failure (with the validator's reason in the
 * detail), a timeout a {@code TIMEOUT} failure. Put a {@code CachingDnsClient} in front: the validator does not
 * cache answers.
 */
public final class DnssecClients {
    private DnssecClients() {
    }

    /**
     * {@link DnssecMode#VALIDATE}: one dnsjava {@code ValidatingResolver} with the given anchors in front of each
     * recursive resolver (UDP with TCP fallback, EDNS DO), tried in order like {@link DnsJavaClient#create}.
     * The timeout applies to each query the validator sends (the answer, then DS and DNSKEY queries for keys
     * it has not validated yet), so one validated lookup may take several timeouts.
     *
     * @param servers recursive resolvers, at least one
     * @param timeout timeout of one query to one server, positive
     * @param retries how many more times the list is tried after every server failed
     * @param anchors the trust anchors
     * @return the client
     */
    public static DnsJavaClient validating(List<InetSocketAddress> servers, Duration timeout, int retries,
            TrustAnchors anchors) {
        Objects.requireNonNull(anchors, "anchors");
        List<DnsJavaClient.Upstream> upstreams = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            DnsJavaClient.Upstream plain = DnsJavaClient.Upstream.server(server, timeout);
            upstreams.add(new DnsJavaClient.Upstream("validating " + plain.label(),
                anchors.newValidatingResolver(plain.resolver())));
        }
        return DnsJavaClient.overResolvers(upstreams, retries);
    }

    /**
     * {@link DnssecMode#TRUST_AD}: the resolvers validate and their AD flag is believed.
     *
     * @param servers validating recursive resolvers, at least one
     * @param timeout timeout of one query to one server, positive
     * @param retries how many more times the list is tried after every server failed
     * @param allowRemote whether resolvers off loopback are accepted ({@code dnssec.trust-ad.allow-remote})
     * @return the client
     * @throws IllegalArgumentException if a resolver is not on loopback and remote ones are not allowed
     */
    public static DnsJavaClient trustingAd(List<InetSocketAddress> servers, Duration timeout, int retries,
            boolean allowRemote) {
        requireLoopback(servers, allowRemote);
        return DnsJavaClient.create(servers, timeout, retries);
    }

    /**
     * Refuses, in {@code trust-ad} mode, resolvers whose AD flag travels over the network: nothing protects it
     * there (RFC 4035 section 4.9.3, RFC 6698 section 4.1), so anyone on the path could forge "secure".
     *
     * @param servers the resolvers
     * @param allowRemote {@code dnssec.trust-ad.allow-remote}
     * @throws IllegalArgumentException naming the first remote resolver, unless allowed
     */
    public static void requireLoopback(List<InetSocketAddress> servers, boolean allowRemote) {
        if (allowRemote) {
            return;
        }
        for (InetSocketAddress server : servers) {
            if (server.getAddress() == null || !server.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("dnssec.mode=trust-ad believes the AD flag of the resolver, but "
                    + server + " is not on loopback, where nothing protects that flag; use dnssec.mode=validate, a"
                    + " validating resolver on loopback, or set dnssec.trust-ad.allow-remote=true if the path to it"
                    + " is trusted");
            }
        }
    }
}
