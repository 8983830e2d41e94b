package org.tesjames.testing.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A zone held by a {@link TestDnsServer}, obtained with {@link TestDnsServer#zone(String)}: a live handle
 * whose fluent methods add, replace and remove records, and set the zone's DNSSEC state, at any time,
 * including while the server answers queries. A change is visible to every query received after the
 * method returned; the zone is re-signed (lazily, on the next query) after each change.
 *
 * <h2>Names</h2>
 *
 * <ul>
 *   <li>Record owner names are relative to the zone: {@code "@"} or {@code ""} is the apex,
 *       {@code "www"} and {@code "sel._domainkey"} are below it. A name ending with a dot, or ending with
 *       the zone's own name ({@code "www.example.com"} in zone {@code example.com}), is absolute. An owner
 *       outside the zone is rejected.
 *   <li>Names in record data of the helper methods (CNAME, MX, NS targets) are absolute as soon as they
 *       contain a dot ({@code "mx.example.net"}); a single label ({@code "mail"}) is relative to the zone.
 *   <li>The text forms ({@link #add(String, int, String)}, {@link #replace(String, int, String...)},
 *       {@link #load(String)}) follow master-file rules for the record data: names not ending with a dot
 *       are relative to the zone.
 * </ul>
 *
 * <h2>Defaults</h2>
 *
 * <p>A new zone has a SOA ({@code ns1.<zone> hostmaster.<zone>}, minimum = {@link #negativeTtl(long)},
 * 300 s by default; TTL 3600) and an NS ({@code ns1.<zone>}) at its apex, used until records of those
 * types are added. Helper methods give records the TTL set with {@link #ttl(long)} (3600 s by default).
 * A zone is signed by default (see {@link #unsigned()}); the server publishes its NS and DS in the parent
 * zone (the closest enclosing zone it holds, at worst the root). Records the test puts in a parent at or
 * below a held child's apex are hidden (occluded) while the child exists.
 *
 * <h2>Not supported</h2>
 *
 * <p>Wildcard synthesis ({@code *} is an ordinary label), DNAME chasing, NSEC3, and records of the types
 * the server generates itself (RRSIG, NSEC, NSEC3, NSEC3PARAM, OPT).
 */
public final class TestZone {

    /** Identifies an RRset within the zone. */
    static final class RRsetKey {
        final Name name;
        final int type;

        RRsetKey(Name name, int type) {
            this.name = name;
            this.type = type;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RRsetKey && ((RRsetKey) o).name.equals(name) && ((RRsetKey) o).type == type;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + type;
        }
    }

    /** Default TTL of the records made by the helper methods, in seconds. */
    public static final long DEFAULT_TTL = 3600;
    /** Default SOA minimum (negative-caching TTL, RFC 2308), in seconds. */
    public static final long DEFAULT_NEGATIVE_TTL = 300;

    private static final List<Integer> GENERATED_TYPES =
            List.of(Type.RRSIG, Type.NSEC, Type.NSEC3, Type.NSEC3PARAM, Type.OPT, Type.TSIG, Type.SIG);

    private final ZoneRegistry registry;
    private final Name origin;

    // Guarded by registry.lock
    private final TreeMap<Name, TreeMap<Integer, List<Record>>> records = new TreeMap<>();
    private final Map<RRsetKey, DnssecFault> rrsetFaults = new HashMap<>();
    private long ttl = DEFAULT_TTL;
    private long negativeTtl = DEFAULT_NEGATIVE_TTL;
    private long serial = 1;
    private boolean signed = true;
    private DnssecFault zoneFault = DnssecFault.NONE;
    private ZoneKey key;
    private boolean removed;
    private Map<ZoneSnapshot.SignatureKey, RRSIGRecord> signatures = Map.of();

    /** The served form, rebuilt lazily after a change; {@code null} when stale. */
    volatile ZoneSnapshot snapshot;

    TestZone(ZoneRegistry registry, Name origin) {
        this.registry = registry;
        this.origin = origin;
    }

    /**
     * The zone's name.
     *
     * @return the absolute, lower-case origin
     */
    public Name origin() {
        return origin;
    }

    // ---------------------------------------------------------------------------------------------
    // Records
    // ---------------------------------------------------------------------------------------------

    /**
     * Sets the TTL given to the records subsequently made by this handle's helper and text methods.
     *
     * @param seconds the TTL, in seconds
     * @return this zone
     */
    public TestZone ttl(long seconds) {
        checkTtl(seconds);
        synchronized (registry.lock) {
            this.ttl = seconds;
        }
        return this;
    }

    /**
     * Adds A records.
     *
     * @param name owner, relative to the zone
     * @param addresses IPv4 addresses in dotted-quad form
     * @return this zone
     */
    public TestZone a(String name, String... addresses) {
        Name owner = owner(name);
        List<Record> list = new ArrayList<>();
        for (String address : addresses) {
            list.add(new ARecord(owner, DClass.IN, currentTtl(), ip(address, Address.IPv4)));
        }
        return add(list);
    }

    /**
     * Adds AAAA records.
     *
     * @param name owner, relative to the zone
     * @param addresses IPv6 addresses
     * @return this zone
     */
    public TestZone aaaa(String name, String... addresses) {
        Name owner = owner(name);
        List<Record> list = new ArrayList<>();
        for (String address : addresses) {
            list.add(new AAAARecord(owner, DClass.IN, currentTtl(), ip(address, Address.IPv6)));
        }
        return add(list);
    }

    /**
     * Adds an MX record.
     *
     * @param name owner, relative to the zone
     * @param preference the MX preference
     * @param host the exchanger (absolute if it contains a dot)
     * @return this zone
     */
    public TestZone mx(String name, int preference, String host) {
        return add(new MXRecord(owner(name), DClass.IN, currentTtl(), preference, Names.target(host, origin)));
    }

    /**
     * Adds a CNAME record.
     *
     * @param name owner, relative to the zone
     * @param target the canonical name (absolute if it contains a dot)
     * @return this zone
     */
    public TestZone cname(String name, String target) {
        return add(new CNAMERecord(owner(name), DClass.IN, currentTtl(), Names.target(target, origin)));
    }

    /**
     * Adds a TXT record holding one text, split into character-strings of 255 bytes as needed (so a long
     * DKIM key can be given in one piece).
     *
     * @param name owner, relative to the zone
     * @param text the text
     * @return this zone
     */
    public TestZone txt(String name, String text) {
        Objects.requireNonNull(text, "text");
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 255) {
            strings.add(text.substring(i, Math.min(text.length(), i + 255)));
        }
        if (strings.isEmpty()) {
            strings.add("");
        }
        return add(new TXTRecord(owner(name), DClass.IN, currentTtl(), strings));
    }

    /**
     * Adds a TXT record made of exactly the given character-strings.
     *
     * @param name owner, relative to the zone
     * @param strings the character-strings, each at most 255 bytes
     * @return this zone
     */
    public TestZone txtStrings(String name, String... strings) {
        return add(new TXTRecord(owner(name), DClass.IN, currentTtl(), Arrays.asList(strings)));
    }

    /**
     * Adds a TLSA record.
     *
     * @param name owner, relative to the zone, e.g. {@code "_25._tcp.mx"}
     * @param usage certificate usage (e.g. 3, DANE-EE)
     * @param selector selector (0 full certificate, 1 SubjectPublicKeyInfo)
     * @param matchingType matching type (0 exact, 1 SHA-256, 2 SHA-512)
     * @param data the certificate association data
     * @return this zone
     */
    public TestZone tlsa(String name, int usage, int selector, int matchingType, byte[] data) {
        return add(new TLSARecord(owner(name), DClass.IN, currentTtl(), usage, selector, matchingType, data));
    }

    /**
     * Adds a TLSA record whose association data is given in hexadecimal.
     *
     * @param name owner, relative to the zone
     * @param usage certificate usage
     * @param selector selector
     * @param matchingType matching type
     * @param hexData the certificate association data, hexadecimal
     * @return this zone
     */
    public TestZone tlsa(String name, int usage, int selector, int matchingType, String hexData) {
        return tlsa(name, usage, selector, matchingType, HexFormat.of().parseHex(hexData.replace(" ", "")));
    }

    /**
     * Adds a TLSA record for a certificate, computing the association data from it: the selected part
     * (selector 0 the whole DER certificate, 1 its SubjectPublicKeyInfo) as is (matching type 0), or its
     * SHA-256 (1) or SHA-512 (2) digest. {@code tlsa("_25._tcp.mx", 3, 1, 1, cert)} is the usual DANE-EE
     * record.
     *
     * @param name owner, relative to the zone
     * @param usage certificate usage
     * @param selector 0 or 1
     * @param matchingType 0, 1 or 2
     * @param certificate the certificate
     * @return this zone
     */
    public TestZone tlsa(String name, int usage, int selector, int matchingType, X509Certificate certificate) {
        byte[] selected;
        try {
            switch (selector) {
                case TLSARecord.Selector.FULL_CERTIFICATE:
                    selected = certificate.getEncoded();
                    break;
                case TLSARecord.Selector.SUBJECT_PUBLIC_KEY_INFO:
                    selected = certificate.getPublicKey().getEncoded();
                    break;
                default:
                    throw new IllegalArgumentException("Unknown TLSA selector: " + selector);
            }
            byte[] data;
            switch (matchingType) {
                case TLSARecord.MatchingType.EXACT:
                    data = selected;
                    break;
                case TLSARecord.MatchingType.SHA256:
                    data = MessageDigest.getInstance("SHA-256").digest(selected);
                    break;
                case TLSARecord.MatchingType.SHA512:
                    data = MessageDigest.getInstance("SHA-512").digest(selected);
                    break;
                default:
                    throw new IllegalArgumentException("Unknown TLSA matching type: " + matchingType);
            }
            return tlsa(name, usage, selector, matchingType, data);
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("Cannot compute TLSA data", e);
        }
    }

    /**
     * Adds an NS record. At the apex it replaces the default NS (and is copied to the parent's delegation);
     * below the apex it is plain data (the server never answers with referrals).
     *
     * @param name owner, relative to the zone
     * @param host the name server (absolute if it contains a dot)
     * @return this zone
     */
    public TestZone ns(String name, String host) {
        return add(new NSRecord(owner(name), DClass.IN, currentTtl(), Names.target(host, origin)));
    }

    /**
     * Adds a DS record as plain data. The DS of the child zones the server holds are generated; this is for
     * other cases (e.g. a DS without matching child).
     *
     * @param name owner, relative to the zone
     * @param keyTag the key tag
     * @param algorithm the DNSSEC algorithm number
     * @param digestType the digest type (2 for SHA-256)
     * @param hexDigest the digest, hexadecimal
     * @return this zone
     */
    public TestZone ds(String name, int keyTag, int algorithm, int digestType, String hexDigest) {
        return add(new DSRecord(owner(name), DClass.IN, currentTtl(), keyTag, algorithm, digestType,
                HexFormat.of().parseHex(hexDigest.replace(" ", ""))));
    }

    /**
     * Adds a DNSKEY record as data. At the apex of a signed zone it joins the zone's own key in the DNSKEY
     * RRset (signed by the zone key only).
     *
     * @param name owner, relative to the zone
     * @param flags the DNSKEY flags (256 zone key, 257 zone key with SEP)
     * @param algorithm the DNSSEC algorithm number
     * @param publicKey the public key in DNSKEY wire form
     * @return this zone
     */
    public TestZone dnskey(String name, int flags, int algorithm, byte[] publicKey) {
        return add(new DNSKEYRecord(owner(name), DClass.IN, currentTtl(), flags, DNSKEYRecord.Protocol.DNSSEC,
                algorithm, publicKey));
    }

    /**
     * Adds a record given as type and master-file data, e.g. {@code add("www", Type.A, "192.0.2.1")} or
     * {@code add("@", Type.CAA, "0 issue \"ca.example\"")}. Names in the data follow master-file rules
     * (relative to the zone unless they end with a dot).
     *
     * @param name owner, relative to the zone
     * @param type the dnsjava {@link Type}
     * @param rdata the record data in master-file form
     * @return this zone
     */
    public TestZone add(String name, int type, String rdata) {
        return add(parse(owner(name), type, rdata));
    }

    /**
     * Adds records. A SOA replaces the zone's SOA.
     *
     * @param records records owned by names in this zone, class IN
     * @return this zone
     */
    public TestZone add(Record... records) {
        return add(Arrays.asList(records));
    }

    /**
     * Adds the records of a master-file text ({@code $ORIGIN} defaults to the zone, {@code $TTL} to
     * {@link #ttl(long)}); {@code $INCLUDE} is refused. All records are added at once.
     *
     * @param masterText zone file text, e.g. {@code "www 300 IN A 192.0.2.1\nmail IN MX 10 mx\n"}
     * @return this zone
     */
    public TestZone load(String masterText) {
        List<Record> list = new ArrayList<>();
        try (Master master = new Master(new ByteArrayInputStream(masterText.getBytes(StandardCharsets.UTF_8)), origin,
                currentTtl())) {
            master.disableIncludes();
            Record record;
            while ((record = master.nextRecord()) != null) {
                list.add(record);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid zone text for " + origin + ": " + e.getMessage(), e);
        }
        return add(list);
    }

    /**
     * Atomically replaces the RRset of a name and type with records given in master-file data form; with
     * no data, removes it. Example: {@code replace("www", Type.A, "192.0.2.7")}.
     *
     * @param name owner, relative to the zone
     * @param type the dnsjava {@link Type}
     * @param rdata the new records' data, one string per record
     * @return this zone
     */
    public TestZone replace(String name, int type, String... rdata) {
        Name owner = owner(name);
        List<Record> list = new ArrayList<>();
        for (String data : rdata) {
            list.add(parse(owner, type, data));
        }
        synchronized (registry.lock) {
            removeSet(owner, type);
            addAll(list);
            changed();
        }
        return this;
    }

    /**
     * Atomically replaces, for each (name, type) among the given records, the zone's RRset by these
     * records.
     *
     * @param records the new records
     * @return this zone
     */
    public TestZone replace(Record... records) {
        List<Record> list = Arrays.asList(records);
        list.forEach(this::check);
        synchronized (registry.lock) {
            for (Record record : list) {
                removeSet(record.getName(), record.getRRsetType());
            }
            addAll(list);
            changed();
        }
        return this;
    }

    /**
     * Removes the RRset of a name and type (a removed SOA or apex NS falls back to the default).
     *
     * @param name owner, relative to the zone
     * @param type the dnsjava {@link Type}
     * @return this zone
     */
    public TestZone remove(String name, int type) {
        Name owner = owner(name);
        synchronized (registry.lock) {
            removeSet(owner, type);
            changed();
        }
        return this;
    }

    /**
     * Removes every record of a name (the name then no longer exists, unless names below it do).
     *
     * @param name owner, relative to the zone
     * @return this zone
     */
    public TestZone remove(String name) {
        Name owner = owner(name);
        synchronized (registry.lock) {
            records.remove(owner);
            changed();
        }
        return this;
    }

    /**
     * Removes every record the test added (the default SOA and NS remain).
     *
     * @return this zone
     */
    public TestZone clear() {
        synchronized (registry.lock) {
            records.clear();
            changed();
        }
        return this;
    }

    /**
     * Sets the SOA minimum of the default SOA, i.e. the negative-caching TTL (RFC 2308) of NXDOMAIN and
     * NODATA answers: the SOA in their authority section has TTL {@code min(SOA TTL, minimum)}.
     *
     * @param seconds the minimum, in seconds
     * @return this zone
     */
    public TestZone negativeTtl(long seconds) {
        checkTtl(seconds);
        synchronized (registry.lock) {
            this.negativeTtl = seconds;
            changed();
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // DNSSEC
    // ---------------------------------------------------------------------------------------------

    /**
     * Signs the zone (the default): DNSKEY at the apex, RRSIG on every authoritative RRset, an NSEC chain,
     * and a DS in the parent zone.
     *
     * @return this zone
     */
    public TestZone signed() {
        return setSigned(true);
    }

    /**
     * Makes the zone unsigned: no DNSKEY, RRSIG or NSEC; the parent keeps the NS at the delegation but
     * publishes no DS, and (being signed) proves that absence with its NSEC. A validator treats the zone as
     * provably insecure: answers come back without the AD flag, not as failures. The root cannot be
     * unsigned.
     *
     * @return this zone
     */
    public TestZone unsigned() {
        if (origin.equals(Name.root)) {
            throw new IllegalStateException("The test root zone is always signed");
        }
        return setSigned(false);
    }

    /**
     * Whether the zone is signed.
     *
     * @return {@code true} unless {@link #unsigned()} was called
     */
    public boolean isSigned() {
        synchronized (registry.lock) {
            return signed;
        }
    }

    /**
     * Sets a DNSSEC defect on the whole zone (replacing the previous one); {@link DnssecFault#NONE} makes it
     * valid again.
     *
     * @param fault the defect
     * @return this zone
     */
    public TestZone dnssecFault(DnssecFault fault) {
        Objects.requireNonNull(fault, "fault");
        if (fault != DnssecFault.NONE && origin.equals(Name.root) && fault.isZoneLevelOnly()) {
            throw new IllegalArgumentException("The root zone has no parent: " + fault);
        }
        synchronized (registry.lock) {
            this.zoneFault = fault;
            changed();
        }
        return this;
    }

    /**
     * Sets a DNSSEC defect on one RRset only (e.g. a bogus TLSA in an otherwise valid zone), overriding the
     * zone-wide one for that RRset; {@link DnssecFault#NONE} makes it valid again. Also applies to the
     * generated RRsets (NSEC, DNSKEY, the DS published for a child).
     *
     * @param name owner, relative to the zone
     * @param type the RRset type
     * @param fault {@link DnssecFault#BAD_SIGNATURE}, {@link DnssecFault#EXPIRED_SIGNATURE},
     *     {@link DnssecFault#MISSING_SIGNATURE} or {@link DnssecFault#NONE}
     * @return this zone
     */
    public TestZone dnssecFault(String name, int type, DnssecFault fault) {
        Objects.requireNonNull(fault, "fault");
        if (fault.isZoneLevelOnly()) {
            throw new IllegalArgumentException(fault + " concerns a whole zone's delegation, not an RRset");
        }
        Name owner = owner(name);
        synchronized (registry.lock) {
            rrsetFaults.put(new RRsetKey(owner, type), fault);
            changed();
        }
        return this;
    }

    /**
     * Shortcut for {@code dnssecFault(DnssecFault.BAD_SIGNATURE)}: every signature in the zone (but the
     * DNSKEY's) is corrupted; validators answer SERVFAIL.
     *
     * @return this zone
     */
    public TestZone badSignature() {
        return dnssecFault(DnssecFault.BAD_SIGNATURE);
    }

    /**
     * Shortcut for {@code dnssecFault(name, type, DnssecFault.BAD_SIGNATURE)}.
     *
     * @param name owner, relative to the zone
     * @param type the RRset type
     * @return this zone
     */
    public TestZone badSignature(String name, int type) {
        return dnssecFault(name, type, DnssecFault.BAD_SIGNATURE);
    }

    /**
     * Shortcut for {@code dnssecFault(DnssecFault.EXPIRED_SIGNATURE)}: every signature in the zone (but the
     * DNSKEY's) expired yesterday; validators answer SERVFAIL.
     *
     * @return this zone
     */
    public TestZone expiredSignature() {
        return dnssecFault(DnssecFault.EXPIRED_SIGNATURE);
    }

    /**
     * Shortcut for {@code dnssecFault(name, type, DnssecFault.EXPIRED_SIGNATURE)}.
     *
     * @param name owner, relative to the zone
     * @param type the RRset type
     * @return this zone
     */
    public TestZone expiredSignature(String name, int type) {
        return dnssecFault(name, type, DnssecFault.EXPIRED_SIGNATURE);
    }

    /**
     * Shortcut for {@code dnssecFault(DnssecFault.MISSING_DS)}: the zone stays signed but the parent has no
     * DS for it, provably; validators treat the zone as <em>insecure</em> (no AD), not bogus.
     *
     * @return this zone
     */
    public TestZone missingDs() {
        return dnssecFault(DnssecFault.MISSING_DS);
    }

    /**
     * Shortcut for {@code dnssecFault(DnssecFault.WRONG_DS)}: the parent's DS matches no key of the zone;
     * validators answer SERVFAIL.
     *
     * @return this zone
     */
    public TestZone wrongDs() {
        return dnssecFault(DnssecFault.WRONG_DS);
    }

    /**
     * Removes every DNSSEC defect, zone-wide and per RRset.
     *
     * @return this zone
     */
    public TestZone clearDnssecFaults() {
        synchronized (registry.lock) {
            zoneFault = DnssecFault.NONE;
            rrsetFaults.clear();
            changed();
        }
        return this;
    }

    /**
     * The zone's DNSKEY (ECDSA P-256, algorithm 13, flags 257), generated on first use and kept for the
     * zone's life, whether or not the zone is currently signed.
     *
     * @return the DNSKEY record
     */
    public DNSKEYRecord dnskey() {
        synchronized (registry.lock) {
            return key().dnskey();
        }
    }

    /**
     * The DS (SHA-256) of the zone's key, as a correct parent would publish it.
     *
     * @return the DS record
     */
    public DSRecord ds() {
        synchronized (registry.lock) {
            return key().ds(ZoneSnapshot.DS_TTL);
        }
    }

    @Override
    public String toString() {
        return "TestZone[" + origin + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // Package-private, used by the registry under its lock
    // ---------------------------------------------------------------------------------------------

    ZoneKey key() {
        if (key == null) {
            key = ZoneKey.generate(origin);
        }
        return key;
    }

    /** The NS (and DS, if any) the parent must publish at this zone's apex. Under the lock. */
    ZoneSnapshot.Delegation delegation() {
        List<Record> ns = new ArrayList<>();
        List<Record> apexNs = records.getOrDefault(origin, new TreeMap<>()).get(Type.NS);
        if (apexNs == null || apexNs.isEmpty()) {
            ns.add(ZoneSnapshot.defaultNs(origin));
        } else {
            ns.addAll(apexNs);
        }
        List<Record> ds = new ArrayList<>();
        if (signed && zoneFault != DnssecFault.MISSING_DS) {
            ds.add(zoneFault == DnssecFault.WRONG_DS ? key().wrongDs(ZoneSnapshot.DS_TTL) : key().ds(ZoneSnapshot.DS_TTL));
        }
        return new ZoneSnapshot.Delegation(origin, ns, ds);
    }

    /** A copy of everything the snapshot is built from, except the delegations. Under the lock. */
    ZoneSnapshot.Spec spec() {
        ZoneSnapshot.Spec spec = new ZoneSnapshot.Spec();
        spec.origin = origin;
        TreeMap<Name, SortedMap<Integer, List<Record>>> copy = new TreeMap<>();
        records.forEach((name, sets) -> {
            TreeMap<Integer, List<Record>> setsCopy = new TreeMap<>();
            sets.forEach((type, list) -> setsCopy.put(type, List.copyOf(list)));
            copy.put(name, setsCopy);
        });
        spec.records = Collections.unmodifiableSortedMap(copy);
        spec.serial = serial;
        spec.negativeTtl = negativeTtl;
        spec.signed = signed;
        spec.key = signed ? key() : null;
        spec.zoneFault = zoneFault;
        spec.rrsetFaults = Map.copyOf(rrsetFaults);
        spec.previousSignatures = signatures;
        return spec;
    }

    /** Keeps the signatures of the latest snapshot (filled as they are made) for the next one. */
    void built(ZoneSnapshot.Spec spec) {
        signatures = spec.signatures;
    }

    void markRemoved() {
        removed = true;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    private TestZone setSigned(boolean value) {
        synchronized (registry.lock) {
            this.signed = value;
            changed();
        }
        return this;
    }

    private TestZone add(List<Record> list) {
        list.forEach(this::check);
        synchronized (registry.lock) {
            addAll(list);
            changed();
        }
        return this;
    }

    /** Under the lock. */
    private void addAll(List<Record> list) {
        for (Record record : list) {
            TreeMap<Integer, List<Record>> sets = records.computeIfAbsent(record.getName(), n -> new TreeMap<>());
            List<Record> set = sets.computeIfAbsent(record.getRRsetType(), t -> new ArrayList<>());
            if (record.getType() == Type.SOA || record.getType() == Type.CNAME) {
                set.clear();
            }
            if (!set.contains(record)) {
                set.add(record);
            }
        }
    }

    /** Under the lock. */
    private void removeSet(Name owner, int type) {
        TreeMap<Integer, List<Record>> sets = records.get(owner);
        if (sets != null) {
            sets.remove(type);
            if (sets.isEmpty()) {
                records.remove(owner);
            }
        }
    }

    /** Under the lock. */
    private void changed() {
        if (removed) {
            throw new IllegalStateException("Zone " + origin + " was removed from the server");
        }
        serial++;
        registry.changed(this);
    }

    private void check(Record record) {
        Objects.requireNonNull(record, "record");
        if (!record.getName().subdomain(origin)) {
            throw new IllegalArgumentException(record.getName() + " is not in zone " + origin);
        }
        if (record.getDClass() != DClass.IN) {
            throw new IllegalArgumentException("Only class IN is served: " + record);
        }
        if (GENERATED_TYPES.contains(record.getType())) {
            throw new IllegalArgumentException(Type.string(record.getType())
                    + " records are generated by the server and cannot be added: " + record);
        }
        if (record.getType() == Type.SOA && !record.getName().equals(origin)) {
            throw new IllegalArgumentException("A SOA must be at the zone apex: " + record);
        }
    }

    private Name owner(String name) {
        Name owner = Names.owner(name, origin);
        if (!owner.subdomain(origin)) {
            throw new IllegalArgumentException(owner + " is not in zone " + origin);
        }
        return owner;
    }

    private long currentTtl() {
        synchronized (registry.lock) {
            return ttl;
        }
    }

    private Record parse(Name owner, int type, String rdata) {
        try {
            return Record.fromString(owner, type, DClass.IN, currentTtl(), rdata, origin);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Invalid " + Type.string(type) + " data for " + owner + ": " + rdata + " (" + e.getMessage() + ")", e);
        }
    }

    private static InetAddress ip(String address, int family) {
        try {
            return Address.getByAddress(address, family);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Not an IPv" + (family == Address.IPv4 ? "4" : "6") + " address: " + address, e);
        }
    }

    private static void checkTtl(long seconds) {
        if (seconds < 0 || seconds > 0x7FFFFFFFL) {
            throw new IllegalArgumentException("TTL out of range: " + seconds);
        }
    }
}
