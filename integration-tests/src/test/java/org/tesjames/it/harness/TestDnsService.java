package org.tesjames.it.harness;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.TemporaryResolutionException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * James's {@link DNSService} answered by the test DNS server, so that James's own lookups (RemoteDelivery's MX
 * and address lookups) see the zones a test declares. James's stock service can only query port 53.
 * {@code localhost} and IP literals resolve locally, as they do for a real server.
 *
 * <p>Remote MX hosts are reached on port 25 unless {@link #remoteSmtpPort(int)} says otherwise: tests need no
 * privileged port, and give each MX host its own loopback address (any 127.x.y.z) on that one port.
 */
public final class TestDnsService implements DNSService {
    private final SimpleResolver resolver;
    private final AtomicInteger remoteSmtpPort = new AtomicInteger(25);
    private final Cache sharedCache = new Cache();
    private volatile boolean caching;

    public TestDnsService(int port) {
        resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
        resolver.setPort(port);
        resolver.setTimeout(Duration.ofSeconds(5));
    }

    /** The port RemoteDelivery connects to on every MX host found through this service. */
    public void remoteSmtpPort(int port) {
        remoteSmtpPort.set(port);
    }

    /**
     * Caches answers for their TTL, as James's own DNS service does; off by default, so that tests see every
     * change of their zones at once. Benchmarks turn it on to compare with TES's cached resolver fairly.
     */
    public void cacheAnswers(boolean enabled) {
        caching = enabled;
    }

    private Record[] lookup(String name, int type) throws TemporaryResolutionException {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString(name, Name.root), type, DClass.IN);
        } catch (TextParseException e) {
            return new Record[0];
        }
        lookup.setResolver(resolver);
        lookup.setCache(caching ? sharedCache : new Cache());
        lookup.setSearchPath(List.<Name>of());
        Record[] records = lookup.run();
        if (lookup.getResult() == Lookup.TRY_AGAIN) {
            throw new TemporaryResolutionException("DNS lookup of " + name + "/" + Type.string(type)
                + " failed: " + lookup.getErrorString());
        }
        return records == null ? new Record[0] : records;
    }

    @Override
    public Collection<String> findMXRecords(String hostname) throws TemporaryResolutionException {
        // James's MX iterator understands "host:port"; the port is 25 unless a test routes elsewhere.
        String port = remoteSmtpPort.get() == 25 ? "" : ":" + remoteSmtpPort.get();
        Record[] records = lookup(hostname, Type.MX);
        if (records.length == 0) {
            return List.of(hostname + port);
        }
        return Arrays.stream(records)
            .map(MXRecord.class::cast)
            .sorted(Comparator.comparingInt(MXRecord::getPriority))
            .map(mx -> mx.getTarget().toString(true) + port)
            .toList();
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        try {
            return Arrays.stream(lookup(hostname, Type.TXT))
                .map(TXTRecord.class::cast)
                .map(txt -> String.join("", txt.getStrings()))
                .toList();
        } catch (TemporaryResolutionException e) {
            return List.of();
        }
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        if (isLocal(host)) {
            return List.of(InetAddress.getByName(host));
        }
        List<InetAddress> addresses = new ArrayList<>();
        try {
            Arrays.stream(lookup(host, Type.A)).map(r -> ((ARecord) r).getAddress()).forEach(addresses::add);
            Arrays.stream(lookup(host, Type.AAAA)).map(r -> ((AAAARecord) r).getAddress()).forEach(addresses::add);
        } catch (TemporaryResolutionException e) {
            throw new UnknownHostException(e.getMessage());
        }
        if (addresses.isEmpty()) {
            throw new UnknownHostException(host + ": no address in the test DNS");
        }
        return addresses;
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        return getAllByName(host).iterator().next();
    }

    @Override
    public InetAddress getLocalHost() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public String getHostName(InetAddress addr) {
        return addr.getHostAddress();
    }

    private static boolean isLocal(String host) {
        return host.equalsIgnoreCase("localhost") || host.matches("[0-9.]+") || host.contains(":");
    }
}
