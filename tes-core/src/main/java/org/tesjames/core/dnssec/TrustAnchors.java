package org.tesjames.core.dnssec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * A validated set of DNSSEC trust anchors: DS or DNSKEY records (RFC 4033 section 2, RFC 4035 section 5) read
 * from master-file text, ready to load into dnsjava's {@link ValidatingResolver}.
 *
 * <p>Checked strictly because the validator fails open: with no anchor it calls every answer "insecure", and
 * an anchor of an unsupported algorithm or digest makes its zone insecure (RFC 4035 section 5.2). A set is
 * refused ({@link IllegalArgumentException} naming the source and the reason) when the text does not parse,
 * holds a record that is not a DS or DNSKEY of class IN, or holds no anchor whose algorithm (and, for a DS,
 * digest type) the validator supports.
 *
 * <p>{@link #builtin()} is the IANA root zone DS set shipped in tes-core ({@code root.ds}, the KSKs 20326 and
 * 38696, as in Debian's {@code dns-root-data}). Immutable.
 */
public final class TrustAnchors {
    /** Class-path resource of the shipped IANA root anchors. */
    public static final String BUILTIN_RESOURCE = "/org/tesjames/core/dnssec/root.ds";

    /** DNSSEC algorithms dnsjava 3.5 validates (RSA, ECDSA, EdDSA). */
    private static final Set<Integer> SUPPORTED_ALGORITHMS = Set.of(DNSSEC.Algorithm.RSASHA1,
        DNSSEC.Algorithm.RSA_NSEC3_SHA1, DNSSEC.Algorithm.RSASHA256, DNSSEC.Algorithm.RSASHA512,
        DNSSEC.Algorithm.ECDSAP256SHA256, DNSSEC.Algorithm.ECDSAP384SHA384, DNSSEC.Algorithm.ED25519,
        DNSSEC.Algorithm.ED448);
    /** DS digest types dnsjava 3.5 computes. */
    private static final Set<Integer> SUPPORTED_DIGESTS = Set.of(DNSSEC.Digest.SHA1, DNSSEC.Digest.SHA256,
        DNSSEC.Digest.SHA384);

    private final String source;
    private final List<Record> records;

    private TrustAnchors(String source, List<Record> records) {
        this.source = source;
        this.records = List.copyOf(records);
    }

    /**
     * The shipped IANA root anchors.
     *
     * @return the anchors, source {@code builtin}
     */
    public static TrustAnchors builtin() {
        try (InputStream in = TrustAnchors.class.getResourceAsStream(BUILTIN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the shipped trust anchors " + BUILTIN_RESOURCE + " are missing");
            }
            return parse(TrustAnchorSource.BUILTIN, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the shipped trust anchors " + BUILTIN_RESOURCE, e);
        }
    }

    /**
     * Reads a trust anchor file.
     *
     * @param file DS or DNSKEY records in master-file format
     * @return the anchors
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no usable anchor
     */
    public static TrustAnchors read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the DNSSEC trust anchor file " + file + ": " + e, e);
        }
        return parse(file.toString(), bytes);
    }

    /**
     * Loads the anchors of a source.
     *
     * @param source the shipped anchors or a file
     * @param resolvePath turns the configured path into the one to read (e.g. relative to a directory)
     * @return the anchors
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no usable anchor
     */
    public static TrustAnchors load(TrustAnchorSource source, Function<Path, Path> resolvePath) {
        Objects.requireNonNull(source, "source");
        if (source instanceof TrustAnchorSource.File file) {
            return read(resolvePath.apply(file.path()));
        }
        return builtin();
    }

    /**
     * Parses master-file text (no {@code $INCLUDE}; origin the root, default TTL 0).
     *
     * @param source names the text in messages (a file name, {@code builtin})
     * @param masterText the text, US-ASCII
     * @return the anchors
     * @throws IllegalArgumentException naming the source and the reason when the text holds no usable anchor
     */
    public static TrustAnchors parse(String source, byte[] masterText) {
        Objects.requireNonNull(source, "source");
        List<Record> records = new ArrayList<>();
        try (Master master = new Master(new ByteArrayInputStream(masterText), Name.root, 0)) {
            Record record;
            while ((record = master.nextRecord()) != null) {
                records.add(record);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + source + " does not parse: "
                + e.getMessage(), e);
        }
        if (records.isEmpty()) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + source
                + " holds no DS or DNSKEY record: without a trust anchor nothing can be validated");
        }
        for (Record record : records) {
            if ((record.getType() != Type.DS && record.getType() != Type.DNSKEY) || record.getDClass() != DClass.IN) {
                throw new IllegalArgumentException("DNSSEC trust anchor file " + source + " holds " + record
                    + ": only DS and DNSKEY records of class IN are trust anchors");
            }
        }
        if (records.stream().noneMatch(TrustAnchors::supported)) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + source
                + " holds no anchor of a supported algorithm and digest type (algorithms "
                + SUPPORTED_ALGORITHMS.stream().sorted().map(String::valueOf).collect(Collectors.joining(","))
                + ", DS digest types " + SUPPORTED_DIGESTS.stream().sorted().map(String::valueOf)
                .collect(Collectors.joining(",")) + "): the validator would treat its zone as insecure");
        }
        return new TrustAnchors(source, records);
    }

    private static boolean supported(Record record) {
        if (record instanceof DSRecord ds) {
            return SUPPORTED_ALGORITHMS.contains(ds.getAlgorithm()) && SUPPORTED_DIGESTS.contains(ds.getDigestID());
        }
        return record instanceof DNSKEYRecord key && SUPPORTED_ALGORITHMS.contains(key.getAlgorithm());
    }

    /**
     * Where the anchors came from: {@code builtin} or the file name.
     *
     * @return the source
     */
    public String source() {
        return source;
    }

    /**
     * The anchor records (DS or DNSKEY, class IN).
     *
     * @return the records, not empty
     */
    public List<Record> records() {
        return records;
    }

    /**
     * The names the anchors are for (usually only the root).
     *
     * @return the owner names, distinct
     */
    public Set<Name> names() {
        return records.stream().map(Record::getName).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * A new validating resolver over a (recursive) head resolver with these anchors (dnsjava also adds those of
     * a file named by the system property {@code dnsjava.dnssec.trust_anchor_file}, if set: TES never sets it).
     * The validator sets EDNS DO on the head resolver, caches validated keys (not answers), answers bogus data
     * with SERVFAIL and an extended DNS error, and fails with an {@code IOException} when the head times out.
     *
     * @param head the resolver queries go to; it must recurse (the validator follows no referrals)
     * @return the validating resolver
     */
    public ValidatingResolver newValidatingResolver(Resolver head) {
        ValidatingResolver validating = new ValidatingResolver(Objects.requireNonNull(head, "head"));
        String text = records.stream().map(Record::toString).collect(Collectors.joining("\n", "", "\n"));
        try {
            validating.loadTrustAnchors(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            // The records were parsed from master-file text already; their own text form parses again.
            throw new UncheckedIOException("Cannot load trust anchors from " + source, e);
        }
        return validating;
    }

    @Override
    public String toString() {
        return "TrustAnchors[" + source + ": " + records.size() + " record(s) for " + names() + "]";
    }
}
