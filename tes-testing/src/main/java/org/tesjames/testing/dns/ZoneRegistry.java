package org.tesjames.testing.dns;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The zones of a server, the lock that guards every zone's mutable state, and the lazily rebuilt
 * snapshots the query threads read.
 */
final class ZoneRegistry {

    /** Guards every {@link TestZone}'s mutable state and snapshot building. */
    final Object lock = new Object();

    private final ConcurrentHashMap<Name, TestZone> zones = new ConcurrentHashMap<>();
    private final Clock clock;
    private final TestZone root;

    ZoneRegistry(Clock clock) {
        this.clock = clock;
        this.root = new TestZone(this, Name.root);
        zones.put(Name.root, root);
    }

    TestZone root() {
        return root;
    }

    TestZone getOrCreate(Name origin) {
        synchronized (lock) {
            TestZone zone = zones.get(origin);
            if (zone == null) {
                zone = new TestZone(this, origin);
                zones.put(origin, zone);
                invalidateAll();
            }
            return zone;
        }
    }

    TestZone get(Name origin) {
        return zones.get(origin);
    }

    boolean remove(Name origin) {
        if (origin.equals(Name.root)) {
            throw new IllegalArgumentException("The test root zone cannot be removed");
        }
        synchronized (lock) {
            TestZone zone = zones.remove(origin);
            if (zone == null) {
                return false;
            }
            zone.markRemoved();
            invalidateAll();
            return true;
        }
    }

    /** The zone holding a name: the held zone with the longest origin that is an ancestor-or-self. */
    TestZone closest(Name name) {
        Name candidate = name;
        while (true) {
            TestZone zone = zones.get(candidate);
            if (zone != null) {
                return zone;
            }
            candidate = new Name(candidate, 1);
        }
    }

    /**
     * The zone answering a query: the closest zone, except for a DS query at a zone's apex, which the
     * parent answers (RFC 4035, 3.1.4.1).
     */
    TestZone zoneFor(Name name, int type) {
        TestZone zone = closest(name);
        if (type == Type.DS && zone != root && zone.origin().equals(name)) {
            return parentOf(zone);
        }
        return zone;
    }

    TestZone parentOf(TestZone zone) {
        if (zone == root) {
            return null;
        }
        return closest(new Name(zone.origin(), 1));
    }

    ZoneSnapshot snapshot(TestZone zone) {
        ZoneSnapshot snapshot = zone.snapshot;
        if (snapshot != null) {
            return snapshot;
        }
        synchronized (lock) {
            snapshot = zone.snapshot;
            if (snapshot == null) {
                ZoneSnapshot.Spec spec = zone.spec();
                List<ZoneSnapshot.Delegation> delegations = new ArrayList<>();
                for (TestZone child : zones.values()) {
                    if (parentOf(child) == zone) {
                        delegations.add(child.delegation());
                    }
                }
                spec.delegations = delegations;
                snapshot = ZoneSnapshot.build(spec, clock.instant());
                zone.built(spec);
                zone.snapshot = snapshot;
            }
            return snapshot;
        }
    }

    /** Called under the lock after a zone changed: it and its parent (delegation data) are stale. */
    void changed(TestZone zone) {
        zone.snapshot = null;
        TestZone parent = parentOf(zone);
        if (parent != null) {
            parent.snapshot = null;
        }
    }

    private void invalidateAll() {
        zones.values().forEach(z -> z.snapshot = null);
    }
}
