package org.tesjames.testing.dns;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * The immutable, served form of one zone at one moment: its records (with the SOA and NS defaults, the
 * delegations to the child zones the server holds, the DNSKEY) and, for a signed zone, the NSEC chain and
 * the RRSIGs. Built under the registry lock whenever the zone (or a child's delegation data) changed, then
 * read without locking by any number of query threads.
 *
 * <p>Signatures are made lazily, the first time an answer needs them (ECDSA signing costs about a
 * millisecond on a small machine, and most test queries do not set the DO bit), and reused from one
 * build to the next for unchanged RRsets.
 */
final class ZoneSnapshot {

    /** Default SOA and NS TTL. */
    static final long APEX_TTL = 3600;
    /** TTL of the DS records generated at delegations. */
    static final long DS_TTL = 3600;

    private static final Duration VALIDITY_BEFORE = Duration.ofHours(1);
    private static final Duration VALIDITY_AFTER = Duration.ofDays(30);
    private static final Duration EXPIRED_INCEPTION = Duration.ofDays(30);
    private static final Duration EXPIRED_EXPIRATION = Duration.ofDays(1);

    /** An RRset as served: its records and (for a signed zone) its signatures, made on first use. */
    static final class SignedSet {
        final List<Record> records;
        private final Supplier<List<RRSIGRecord>> signer;
        private volatile List<RRSIGRecord> sigs;

        SignedSet(List<Record> records, Supplier<List<RRSIGRecord>> signer) {
            this.records = List.copyOf(records);
            this.signer = signer;
        }

        /** The RRSIGs covering the set; empty in an unsigned zone or for unsigned data. */
        List<RRSIGRecord> sigs() {
            List<RRSIGRecord> result = sigs;
            if (result == null) {
                synchronized (this) {
                    result = sigs;
                    if (result == null) {
                        result = List.copyOf(signer.get());
                        sigs = result;
                    }
                }
            }
            return result;
        }
    }

    /** The delegation to a child zone held by the server, as published in this (parent) zone. */
    static final class Delegation {
        final Name child;
        final List<Record> ns;
        final List<Record> ds;

        Delegation(Name child, List<Record> ns, List<Record> ds) {
            this.child = child;
            this.ns = ns;
            this.ds = ds;
        }
    }

    /** Everything a snapshot is built from, copied from the zone under the registry lock. */
    static final class Spec {
        Name origin;
        SortedMap<Name, SortedMap<Integer, List<Record>>> records;
        long serial;
        long negativeTtl;
        boolean signed;
        ZoneKey key;
        DnssecFault zoneFault;
        Map<TestZone.RRsetKey, DnssecFault> rrsetFaults;
        List<Delegation> delegations;
        /** Signatures made for the previous snapshot, reused for unchanged RRsets. */
        Map<SignatureKey, RRSIGRecord> previousSignatures;
        /** Filled lazily with this snapshot's signatures; the next build's previous ones. */
        final Map<SignatureKey, RRSIGRecord> signatures = new ConcurrentHashMap<>();
    }

    /**
     * Identifies a signature for reuse: the RRset's canonical wire form (owner, type, class, TTL, data of
     * every record) and the defect it was made with.
     */
    static final class SignatureKey {
        private final byte[] rrset;
        private final DnssecFault fault;
        private final int hash;

        SignatureKey(RRset set, DnssecFault fault) {
            List<Record> sorted = new ArrayList<>(set.rrs(false));
            Collections.sort(sorted);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            sorted.forEach(r -> out.writeBytes(r.toWireCanonical()));
            this.rrset = out.toByteArray();
            this.fault = fault;
            this.hash = Arrays.hashCode(rrset) * 31 + fault.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SignatureKey && ((SignatureKey) o).fault == fault
                    && Arrays.equals(((SignatureKey) o).rrset, rrset);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Name origin;
    private final boolean signed;
    private final NavigableMap<Name, Map<Integer, SignedSet>> nodes;
    private final SignedSet negativeSoa;

    private ZoneSnapshot(Name origin, boolean signed, NavigableMap<Name, Map<Integer, SignedSet>> nodes,
            SignedSet negativeSoa) {
        this.origin = origin;
        this.signed = signed;
        this.nodes = nodes;
        this.negativeSoa = negativeSoa;
    }

    Name origin() {
        return origin;
    }

    boolean signed() {
        return signed;
    }

    /** The RRsets at a name, by type, or {@code null} if the zone holds nothing at that name. */
    Map<Integer, SignedSet> node(Name name) {
        return nodes.get(name);
    }

    /** Whether the name holds no record but some name below it does (an empty non-terminal). */
    boolean isEmptyNonTerminal(Name name) {
        if (nodes.containsKey(name)) {
            return false;
        }
        // In canonical order the descendants of a name directly follow it.
        Name next = nodes.higherKey(name);
        return next != null && next.subdomain(name);
    }

    /** Whether the name exists in this zone: it holds records or is an empty non-terminal. */
    boolean exists(Name name) {
        return nodes.containsKey(name) || isEmptyNonTerminal(name);
    }

    /** The SOA (with its RRSIG) with the negative-caching TTL, for the authority section. */
    SignedSet negativeSoa() {
        return negativeSoa;
    }

    /**
     * The owner of the NSEC that covers a name absent from the zone: the closest preceding name in
     * canonical order. Its NSEC also proves an empty non-terminal (its next name is below it).
     */
    Name coveringNsecOwner(Name name) {
        Name owner = nodes.lowerKey(name);
        return owner == null ? nodes.lastKey() : owner;
    }

    /** The NSEC RRset owned by {@link #coveringNsecOwner(Name)}; {@code null} in an unsigned zone. */
    SignedSet coveringNsec(Name name) {
        return nodes.get(coveringNsecOwner(name)).get(Type.NSEC);
    }

    /** The closest existing ancestor of a name absent from the zone (at worst the zone's origin). */
    Name closestEncloser(Name name) {
        Name candidate = name;
        while (candidate.labels() > origin.labels()) {
            candidate = new Name(candidate, 1);
            if (exists(candidate)) {
                return candidate;
            }
        }
        return origin;
    }

    // ---------------------------------------------------------------------------------------------
    // Building
    // ---------------------------------------------------------------------------------------------

    static ZoneSnapshot build(Spec spec, Instant now) {
        Name origin = spec.origin;
        TreeMap<Name, TreeMap<Integer, RRset>> data = new TreeMap<>();

        for (Map.Entry<Name, SortedMap<Integer, List<Record>>> node : spec.records.entrySet()) {
            if (isOccluded(node.getKey(), spec.delegations)) {
                continue;
            }
            for (List<Record> set : node.getValue().values()) {
                set.forEach(record -> put(data, record));
            }
        }

        TreeMap<Integer, RRset> apex = data.computeIfAbsent(origin, n -> new TreeMap<>());
        if (!apex.containsKey(Type.SOA)) {
            put(data, defaultSoa(origin, spec.serial, spec.negativeTtl));
        }
        if (!apex.containsKey(Type.NS)) {
            put(data, defaultNs(origin));
        }
        SOARecord soa = (SOARecord) apex.get(Type.SOA).first();
        long negativeTtl = Math.min(soa.getTTL(), soa.getMinimum());

        for (Delegation delegation : spec.delegations) {
            delegation.ns.forEach(r -> put(data, r));
            delegation.ds.forEach(r -> put(data, r));
        }
        if (spec.signed) {
            put(data, spec.key.dnskey());
            addNsecChain(data, negativeTtl);
        }

        Signer signer = new Signer(spec, now);
        TreeMap<Name, Map<Integer, SignedSet>> nodes = new TreeMap<>();
        for (Map.Entry<Name, TreeMap<Integer, RRset>> node : data.entrySet()) {
            boolean delegation = isDelegation(node.getKey(), spec.delegations);
            TreeMap<Integer, SignedSet> sets = new TreeMap<>();
            for (Map.Entry<Integer, RRset> entry : node.getValue().entrySet()) {
                RRset rrset = entry.getValue();
                // The parent's NS at a delegation is not authoritative data: never signed (RFC 4035, 2.2).
                boolean signable = spec.signed && !(delegation && entry.getKey() == Type.NS);
                Supplier<List<RRSIGRecord>> sigs = signable ? () -> signer.sign(rrset) : List::of;
                sets.put(entry.getKey(), new SignedSet(rrset.rrs(false), sigs));
            }
            nodes.put(node.getKey(), Collections.unmodifiableMap(sets));
        }

        SignedSet apexSoa = nodes.get(origin).get(Type.SOA);
        List<Record> negativeRecords =
                apexSoa.records.stream().map(r -> withTtl(r, negativeTtl)).collect(Collectors.toList());
        SignedSet negativeSoa = new SignedSet(negativeRecords, () -> apexSoa.sigs().stream()
                .map(r -> (RRSIGRecord) withTtl(r, negativeTtl)).collect(Collectors.toList()));
        return new ZoneSnapshot(origin, spec.signed, Collections.unmodifiableNavigableMap(nodes), negativeSoa);
    }

    static SOARecord defaultSoa(Name origin, long serial, long minimum) {
        return new SOARecord(origin, DClass.IN, APEX_TTL, Names.owner("ns1", origin), Names.owner("hostmaster", origin),
                serial, 3600, 600, 86400, minimum);
    }

    static NSRecord defaultNs(Name origin) {
        return new NSRecord(origin, DClass.IN, APEX_TTL, Names.owner("ns1", origin));
    }

    /** A copy of a record with another TTL (dnsjava keeps TTLs immutable from outside its package). */
    static Record withTtl(Record record, long ttl) {
        if (record.getTTL() == ttl) {
            return record;
        }
        return Record.newRecord(record.getName(), record.getType(), record.getDClass(), ttl,
                record.rdataToWireCanonical());
    }

    private static void put(TreeMap<Name, TreeMap<Integer, RRset>> data, Record record) {
        data.computeIfAbsent(record.getName(), n -> new TreeMap<>())
                .computeIfAbsent(record.getRRsetType(), t -> new RRset())
                .addRR(record);
    }

    private static boolean isOccluded(Name name, List<Delegation> delegations) {
        return delegations.stream().anyMatch(d -> name.subdomain(d.child));
    }

    private static boolean isDelegation(Name name, List<Delegation> delegations) {
        return delegations.stream().anyMatch(d -> name.equals(d.child));
    }

    /** One NSEC per owner name, in canonical order, the last one pointing back to the apex. */
    private static void addNsecChain(TreeMap<Name, TreeMap<Integer, RRset>> data, long ttl) {
        List<Name> names = new ArrayList<>(data.keySet());
        for (int i = 0; i < names.size(); i++) {
            Name name = names.get(i);
            Name next = names.get((i + 1) % names.size());
            TreeSet<Integer> types = new TreeSet<>(data.get(name).keySet());
            types.add(Type.NSEC);
            types.add(Type.RRSIG);
            int[] bitmap = types.stream().mapToInt(Integer::intValue).toArray();
            put(data, new NSECRecord(name, DClass.IN, ttl, next, bitmap));
        }
    }

    /** Signs RRsets with the zone key, applying the zone's and the RRsets' {@link DnssecFault}s. */
    private static final class Signer {
        private final Spec spec;
        private final Instant now;

        Signer(Spec spec, Instant now) {
            this.spec = spec;
            this.now = now;
        }

        List<RRSIGRecord> sign(RRset rrset) {
            DnssecFault fault = faultFor(rrset);
            if (fault == DnssecFault.MISSING_SIGNATURE) {
                return List.of();
            }
            SignatureKey key = new SignatureKey(rrset, fault);
            RRSIGRecord sig = spec.previousSignatures.get(key);
            if (sig == null || !reusable(sig, fault)) {
                sig = make(rrset, fault);
            }
            spec.signatures.put(key, sig);
            return List.of(sig);
        }

        private DnssecFault faultFor(RRset rrset) {
            DnssecFault own = spec.rrsetFaults.get(new TestZone.RRsetKey(rrset.getName(), rrset.getType()));
            if (own != null) {
                return own;
            }
            if (rrset.getType() == Type.DNSKEY && rrset.getName().equals(spec.origin)) {
                return DnssecFault.NONE;
            }
            return spec.zoneFault.isZoneLevelOnly() ? DnssecFault.NONE : spec.zoneFault;
        }

        private boolean reusable(RRSIGRecord sig, DnssecFault fault) {
            if (fault == DnssecFault.EXPIRED_SIGNATURE) {
                return sig.getExpire().isBefore(now);
            }
            return sig.getTimeSigned().isBefore(now) && sig.getExpire().isAfter(now.plus(Duration.ofDays(1)));
        }

        private RRSIGRecord make(RRset rrset, DnssecFault fault) {
            switch (fault) {
                case EXPIRED_SIGNATURE:
                    return spec.key.sign(rrset, now.minus(EXPIRED_INCEPTION), now.minus(EXPIRED_EXPIRATION));
                case BAD_SIGNATURE:
                    return corrupt(spec.key.sign(rrset, now.minus(VALIDITY_BEFORE), now.plus(VALIDITY_AFTER)));
                default:
                    return spec.key.sign(rrset, now.minus(VALIDITY_BEFORE), now.plus(VALIDITY_AFTER));
            }
        }

        private static RRSIGRecord corrupt(RRSIGRecord sig) {
            byte[] signature = sig.getSignature().clone();
            signature[signature.length - 1] ^= 0x01;
            return new RRSIGRecord(sig.getName(), sig.getDClass(), sig.getTTL(), sig.getTypeCovered(),
                    sig.getAlgorithm(), sig.getOrigTTL(), sig.getExpire(), sig.getTimeSigned(), sig.getFootprint(),
                    sig.getSigner(), signature);
        }
    }
}
