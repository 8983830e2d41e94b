package org.tesjames.core.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The address of a host name through a {@link DnsClient} (never the JVM's resolver), for the project's own HTTPS
 * clients (the MTA-STS policy fetch, the TLS report submission): the first A address, else the first AAAA
 * address, every answer awaited within one deadline.
 */
public final class HostAddress {
    private HostAddress() {
    }

    /**
     * @param dns the DNS client
     * @param host the host name
     * @param deadline when the lookups must be done
     * @param clock the clock of the deadline
     * @return the address; empty when the name has neither an A nor an AAAA record (NXDOMAIN, NODATA)
     * @throws IOException with a one-line reason: not a host name, a failed lookup (its type, kind and detail), no
     *     answer by the deadline
     */
    public static Optional<InetAddress> first(DnsClient dns, String host, Instant deadline, Clock clock)
            throws IOException {
        Name name;
        try {
            name = Name.fromString(host + ".");
        } catch (TextParseException e) {
            throw new IOException("not a valid host name: " + e.getMessage(), e);
        }
        for (int type : new int[] {Type.A, Type.AAAA}) {
            DnsResult result = dns.await(name, type, Duration.between(clock.instant(), deadline));
            if (result instanceof DnsResult.Failure failure) {
                throw new IOException("address lookup failed (" + Type.string(type) + " " + failure.kind() + ": "
                    + failure.detail() + ")");
            }
            if (result instanceof DnsResult.Answer answer) {
                for (Record record : answer.records()) {
                    if (record instanceof ARecord a) {
                        return Optional.of(a.getAddress());
                    }
                    if (record instanceof AAAARecord aaaa) {
                        return Optional.of(aaaa.getAddress());
                    }
                }
            }
        }
        return Optional.empty();
    }
}
