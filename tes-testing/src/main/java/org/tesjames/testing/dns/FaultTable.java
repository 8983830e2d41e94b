package org.tesjames.testing.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Name;

/**
 * The faults in force, by (name, type), by name for every type, by subtree (a name and every name below it),
 * and for every query.
 */
final class FaultTable {

    /** Type used in keys for "every type". */
    static final int ALL_TYPES = -1;
    /** Type used in keys for "every type of this name and of every name below it". */
    private static final int SUBTREE = -2;
    private static final String ALL_NAMES = "*all*";

    private static final class Entry {
        final Fault fault;
        final AtomicInteger remaining;

        Entry(Fault fault) {
            this.fault = fault;
            this.remaining = new AtomicInteger(fault.times());
        }

        /** Takes one use of a count-limited fault; false once it is used up. */
        boolean take() {
            if (fault.times() == Fault.UNLIMITED) {
                return true;
            }
            return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        }

        boolean usedUp() {
            return fault.times() != Fault.UNLIMITED && remaining.get() == 0;
        }
    }

    private static final class Key {
        final String name;
        final int type;

        Key(String name, int type) {
            this.name = name;
            this.type = type;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).name.equals(name) && ((Key) o).type == type;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + type;
        }
    }

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    void put(Name name, int type, Fault fault) {
        entries.put(new Key(Names.key(name), type), new Entry(fault));
    }

    void putBelow(Name name, Fault fault) {
        entries.put(new Key(Names.key(name), SUBTREE), new Entry(fault));
    }

    void putForAll(Fault fault) {
        entries.put(new Key(ALL_NAMES, ALL_TYPES), new Entry(fault));
    }

    void remove(Name name, int type) {
        entries.remove(new Key(Names.key(name), type));
    }

    void removeName(Name name) {
        String key = Names.key(name);
        entries.keySet().removeIf(k -> k.name.equals(key));
    }

    void removeForAll() {
        entries.remove(new Key(ALL_NAMES, ALL_TYPES));
    }

    void clear() {
        entries.clear();
    }

    /**
     * The fault that applies to a query, using it up if count-limited; {@code null} for none. The most
     * specific entry wins: (name, type), then (name, every type), then the subtree fault of the closest
     * enclosing name (the name itself first), then every query. A truncation fault only applies (and is only
     * used up) over UDP.
     */
    Fault take(Name name, int type, Transport transport) {
        String key = Names.key(name);
        List<Key> candidates = new ArrayList<>(name.labels() + 3);
        candidates.add(new Key(key, type));
        candidates.add(new Key(key, ALL_TYPES));
        for (int strip = 0; strip < name.labels(); strip++) {
            candidates.add(new Key(Names.key(new Name(name, strip)), SUBTREE));
        }
        candidates.add(new Key(ALL_NAMES, ALL_TYPES));
        for (Key candidate : candidates) {
            Entry entry = entries.get(candidate);
            if (entry == null) {
                continue;
            }
            if (entry.fault.kind() == Fault.Kind.TRUNCATED && transport != Transport.UDP) {
                return null;
            }
            if (entry.take()) {
                if (entry.usedUp()) {
                    entries.remove(candidate, entry);
                }
                return entry.fault;
            }
            entries.remove(candidate, entry);
        }
        return null;
    }
}
