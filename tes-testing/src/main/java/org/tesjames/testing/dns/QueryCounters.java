package org.tesjames.testing.dns;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** Thread-safe counts of the queries received, per (name, type) and per transport. */
final class QueryCounters {

    private final ConcurrentHashMap<String, ConcurrentHashMap<Integer, LongAdder>> byName = new ConcurrentHashMap<>();
    private final LongAdder udp = new LongAdder();
    private final LongAdder tcp = new LongAdder();

    void record(Name name, int type, Transport transport) {
        byName.computeIfAbsent(Names.key(name), n -> new ConcurrentHashMap<>())
                .computeIfAbsent(type, t -> new LongAdder())
                .increment();
        (transport == Transport.UDP ? udp : tcp).increment();
    }

    long count(Name name, int type) {
        Map<Integer, LongAdder> types = byName.get(Names.key(name));
        if (types == null) {
            return 0;
        }
        LongAdder adder = types.get(type);
        return adder == null ? 0 : adder.sum();
    }

    long count(Name name) {
        Map<Integer, LongAdder> types = byName.get(Names.key(name));
        return types == null ? 0 : types.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long count(Transport transport) {
        return (transport == Transport.UDP ? udp : tcp).sum();
    }

    long total() {
        return udp.sum() + tcp.sum();
    }

    /** "name/TYPE" to count, sorted, for assertions and failure messages. */
    Map<String, Long> snapshot() {
        Map<String, Long> result = new TreeMap<>();
        byName.forEach((name, types) -> types.forEach((type, adder) -> {
            long sum = adder.sum();
            if (sum > 0) {
                result.put(name + "/" + Type.string(type), sum);
            }
        }));
        return result;
    }

    void reset() {
        byName.clear();
        udp.reset();
        tcp.reset();
    }
}
