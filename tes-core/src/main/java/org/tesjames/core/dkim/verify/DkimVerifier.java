package org.tesjames.core.dkim.verify;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.dkim.DkimKeyRecord;
import org.tesjames.core.dkim.BodyHasher;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.DkimTags;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.mail.HeaderFields;
import org.tesjames.core.membership.DomainNames;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Verifies the {@code DKIM-Signature} header fields of a message (RFC 6376), fetching keys with the project's
 * asynchronous {@link DnsClient}. Algorithms {@code rsa-sha256} and {@code ed25519-sha256} (RFC 8463: Ed25519
 * over the SHA-256 hash of the canonicalised header data); canonicalisations {@code simple} and {@code relaxed}
 * for header and body (the body ones by {@link BodyHasher}, over the message array itself).
 *
 * <p>Decisions where the RFCs leave room (each has a test):
 * <ul>
 *   <li>{@code a=rsa-sha1}: {@link DkimResult#PERMERROR} ({@link DkimFailureReason#SHA1_NOT_ACCEPTED}).
 *       RFC 8301 section 3.1 forbids treating it as valid; it is not {@code fail}, which would claim the
 *       message was altered.</li>
 *   <li>An unknown {@code v=}, {@code a=}, {@code c=} or a {@code q=} without {@code dns/txt}:
 *       {@link DkimResult#NEUTRAL}, RFC 8601 section 2.7.1 "not otherwise able to be processed"; permerror is
 *       kept for malformed or missing data.</li>
 *   <li>{@code h=} without {@code From}, a revoked key, an RSA key under 1024 bits (RFC 8301 section 3.2), an
 *       {@code x=} in the past: {@link DkimResult#FAIL} with the reason.</li>
 *   <li>A key record whose {@code k=}, {@code h=} or {@code s=} excludes the signature (another key type, a
 *       hash list without {@code sha256}, a service list with neither {@code email} nor {@code *}):
 *       {@link DkimResult#PERMERROR} ({@link DkimFailureReason#KEY_TYPE_MISMATCH},
 *       {@link DkimFailureReason#KEY_HASH_NOT_ALLOWED}, {@link DkimFailureReason#KEY_SERVICE_NOT_EMAIL}):
 *       RFC 6376 section 6.1.2 has the verifier ignore such a key record, so nothing says the message was
 *       altered.</li>
 *   <li>More signatures than {@link Settings#maxSignatures()}: those whose {@code d=} is the preferred domain
 *       given to {@link #verify(HeaderFields, String)} (the envelope sender's domain, whose signature the TES
 *       policy needs) are evaluated first, then the others top to bottom, up to the maximum; the results stay
 *       in the order of the fields. An attacker cannot push the sender's signature out of reach by prepending
 *       signatures.</li>
 *   <li>{@code l=}: only that many octets of the canonicalised body are hashed; the octets after them are
 *       reported ({@link DkimSignatureResult#unsignedBodyOctets()}) so policy can distrust them. An {@code l=}
 *       larger than the canonicalised body fails ({@link DkimFailureReason#BODY_SHORTER_THAN_LENGTH}).</li>
 *   <li>Several TXT records at the key name: the first that parses is used.</li>
 *   <li>A {@code t=} in the future is not checked.</li>
 * </ul>
 *
 * <p>Thread-safe. Key lookups of the signatures of a message run concurrently; the crypto runs on the thread
 * that completes the DNS answer.
 */
public final class DkimVerifier {
    /** The verification of a message without signatures. */
    private static final DkimVerification UNSIGNED = new DkimVerification(List.of(), 0);
    private static final Logger LOGGER = LoggerFactory.getLogger(DkimVerifier.class);
    /** The name of the signature field, in the lower case {@link HeaderFields#fields(String)} looks up as is. */
    private static final String HEADER = "dkim-signature";
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int MIN_RSA_BITS = 1024;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,76}");
    private static final Pattern ALGORITHM = Pattern.compile("[a-z][a-z0-9]*-[a-z][a-z0-9]*");
    private static final List<String> REQUIRED = List.of("v", "a", "b", "bh", "d", "h", "s");

    /**
     * Limits of the verifier.
     *
     * @param maxSignatures how many signatures of a message are evaluated (default 5); the rest are counted in
     *     {@link DkimVerification#notEvaluated()}
     * @param maxKeyRecordBytes the largest key record accepted, in octets of its concatenated strings (default
     *     4096); a larger one is a permerror
     */
    public record Settings(int maxSignatures, int maxKeyRecordBytes) {
        public static final Settings DEFAULTS = new Settings(5, 4096);

        public Settings {
            if (maxSignatures < 1) {
                throw new IllegalArgumentException("maxSignatures must be at least 1, not " + maxSignatures);
            }
            if (maxKeyRecordBytes < 1) {
                throw new IllegalArgumentException("maxKeyRecordBytes must be at least 1, not " + maxKeyRecordBytes);
            }
        }
    }

    private final DnsClient dns;
    private final Clock clock;
    private final Settings settings;

    public DkimVerifier(DnsClient dns, Clock clock) {
        this(dns, clock, Settings.DEFAULTS);
    }

    public DkimVerifier(DnsClient dns, Clock clock, Settings settings) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Verifies the signatures of a message (its octets as received, RFC 5322). The stage always completes
     * normally.
     */
    public CompletionStage<DkimVerification> verify(byte[] message) {
        return verify(HeaderFields.parse(message));
    }

    /** Verifies the signatures of a message already split into header fields and body. */
    public CompletionStage<DkimVerification> verify(HeaderFields parsed) {
        return verify(parsed, "");
    }

    /**
     * Verifies the signatures of a message already split into header fields and body; when there are more than
     * {@link Settings#maxSignatures()}, those whose {@code d=} is {@code preferredDomain} (compared normalised:
     * case, final dot, IDN) are evaluated first.
     *
     * @param preferredDomain the domain whose signatures matter most (the envelope sender's), or empty
     */
    public CompletionStage<DkimVerification> verify(HeaderFields parsed, String preferredDomain) {
        return verify(parsed, preferredDomain, BodyHashes.of(parsed));
    }

    /**
     * The body hashes that {@link #verify(HeaderFields, String, BodyHashes)} will need for this header: one per
     * canonicalisation and {@code l=} of the signatures it will evaluate. An SMTP server computes them while the
     * body streams in, and never holds the body.
     */
    public Set<BodyHashes.Key> bodyHashesNeeded(HeaderFields header, String preferredDomain) {
        Set<BodyHashes.Key> keys = new LinkedHashSet<>();
        evaluable(header, preferredDomain).forEach(signature -> keys.add(key(signature)));
        return keys;
    }

    /**
     * Starts the key lookups that {@link #verify} will make for this header, so that they are under way (and, over
     * a caching client, answered) while the body is still arriving. The outcomes are not used here.
     */
    public void prefetchKeys(HeaderFields header, String preferredDomain) {
        evaluable(header, preferredDomain).forEach(signature -> dns.query(signature.keyName, Type.TXT));
    }

    /** The signatures {@link #verify} evaluates, parsed; those it refuses before the key lookup are left out. */
    private List<ParsedSignature> evaluable(HeaderFields header, String preferredDomain) {
        List<ParsedSignature> signatures = new ArrayList<>();
        for (SignatureField field : choose(SignatureField.all(header), preferredDomain)) {
            try {
                signatures.add(ParsedSignature.parse(field.tags(), clock.instant().getEpochSecond()));
            } catch (Rejected | IllegalArgumentException e) {
                // refused without its key or body
            }
        }
        return signatures;
    }

    /**
     * Like {@link #verify(HeaderFields, String)}, with the body hashes given: the header alone is in
     * {@code parsed} (see {@link #bodyHashesNeeded}).
     */
    public CompletionStage<DkimVerification> verify(HeaderFields parsed, String preferredDomain, BodyHashes bodies) {
        Objects.requireNonNull(preferredDomain, "preferredDomain");
        Objects.requireNonNull(bodies, "bodies");
        List<SignatureField> fields = SignatureField.all(parsed);
        if (fields.isEmpty()) {
            return CompletableFuture.completedFuture(UNSIGNED);
        }
        List<SignatureField> chosen = choose(fields, preferredDomain);
        List<CompletableFuture<DkimSignatureResult>> results = new ArrayList<>();
        for (SignatureField field : chosen) {
            results.add(verify(parsed, field, bodies).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
            .thenApply(done -> new DkimVerification(results.stream().map(CompletableFuture::join).toList(),
                fields.size() - chosen.size()));
    }

    /** The signature fields to evaluate, in field order (see the class comment). */
    private List<SignatureField> choose(List<SignatureField> fields, String preferredDomain) {
        int max = settings.maxSignatures();
        if (fields.size() <= max) {
            return fields;
        }
        Optional<String> preferred = normalised(preferredDomain);
        if (preferred.isEmpty()) {
            return fields.subList(0, max);
        }
        boolean[] take = new boolean[fields.size()];
        int taken = 0;
        for (int i = 0; i < fields.size() && taken < max; i++) {
            if (signingDomain(fields.get(i)).equals(preferred)) {
                take[i] = true;
                taken++;
            }
        }
        for (int i = 0; i < fields.size() && taken < max; i++) {
            if (!take[i]) {
                take[i] = true;
                taken++;
            }
        }
        List<SignatureField> chosen = new ArrayList<>(max);
        for (int i = 0; i < fields.size(); i++) {
            if (take[i]) {
                chosen.add(fields.get(i));
            }
        }
        return chosen;
    }

    /** The normalised {@code d=} of a signature field; empty when the field does not parse that far. */
    private static Optional<String> signingDomain(SignatureField field) {
        try {
            return normalised(field.tags().getOrDefault("d", ""));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> normalised(String domain) {
        String name = domain.strip();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty()) {
            return Optional.empty();
        }
        return DomainNames.normalise(name).domain().map(d -> d.toLowerCase(Locale.ROOT));
    }

    private CompletionStage<DkimSignatureResult> verify(HeaderFields message, SignatureField signatureField,
                                                        BodyHashes bodies) {
        HeaderFields.Field field = signatureField.field;
        Map<String, String> tags;
        try {
            tags = signatureField.tags();
        } catch (IllegalArgumentException e) {
            return done(Map.of(), DkimFailureReason.MALFORMED_SIGNATURE, e.getMessage());
        }
        ParsedSignature signature;
        try {
            signature = ParsedSignature.parse(tags, clock.instant().getEpochSecond());
        } catch (Rejected e) {
            return done(tags, e.reason, e.getMessage());
        }
        return dns.query(signature.keyName, Type.TXT)
            .handle((answer, error) -> {
                if (error != null) {
                    return result(tags, DkimFailureReason.DNS_TEMPORARY_FAILURE, "key lookup failed: " + error);
                }
                try {
                    PublicKey key = key(signature, answer);
                    return check(message, field, tags, signature, key, bodies);
                } catch (Rejected e) {
                    return result(tags, e.reason, e.getMessage());
                }
            });
    }

    private DkimSignatureResult check(HeaderFields message, HeaderFields.Field field, Map<String, String> tags,
                                      ParsedSignature signature, PublicKey key, BodyHashes bodies) throws Rejected {
        BodyHashes.Hash body = bodies.get(key(signature)).orElseThrow(() -> new IllegalStateException(
            "no body hash for " + key(signature) + " of the signature of " + signature.domain));
        long unsigned = signature.length.isPresent() ? body.canonicalLength() - signature.length.getAsLong() : 0;
        if (unsigned < 0) {
            throw new Rejected(DkimFailureReason.BODY_SHORTER_THAN_LENGTH, "l=" + signature.length.getAsLong()
                + " but the canonicalised body has " + body.canonicalLength() + " octets");
        }
        if (!MessageDigest.isEqual(body.digest(), signature.bodyHash)) {
            throw new Rejected(DkimFailureReason.BODY_HASH_MISMATCH, "computed body hash "
                + Base64.getEncoder().encodeToString(body.digest()) + " is not bh=");
        }
        byte[] headerData = headerData(message, field, signature).getBytes(StandardCharsets.ISO_8859_1);
        boolean valid;
        try {
            Signature verifier;
            if (signature.type == DkimKeyType.ED25519) {
                verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(MessageDigest.getInstance("SHA-256").digest(headerData));
            } else {
                verifier = Signature.getInstance("SHA256withRSA");
                verifier.initVerify(key);
                verifier.update(headerData);
            }
            valid = verifier.verify(signature.signature);
        } catch (SignatureException e) {
            valid = false;
        } catch (GeneralSecurityException e) {
            throw new Rejected(DkimFailureReason.KEY_ALGORITHM_MISMATCH, "the key does not fit " + signature.type
                + ": " + e.getMessage());
        }
        if (!valid) {
            throw new Rejected(DkimFailureReason.SIGNATURE_MISMATCH, "b= does not verify over the header fields");
        }
        DkimSignatureResult pass = new DkimSignatureResult(DkimResult.PASS, DkimFailureReason.NONE, "",
            signature.domain, signature.selector, signature.algorithm, signature.length, unsigned,
            signatureData(tags));
        LOGGER.debug("DKIM {}", pass);
        return pass;
    }

    private PublicKey key(ParsedSignature signature, DnsResult answer) throws Rejected {
        if (answer.isTemporaryFailure()) {
            throw new Rejected(DkimFailureReason.DNS_TEMPORARY_FAILURE, signature.keyName + " TXT: " + answer);
        }
        if (!(answer instanceof DnsResult.Answer records)) {
            throw new Rejected(DkimFailureReason.NO_KEY_RECORD, "no key record at " + signature.keyName + " ("
                + answer.getClass().getSimpleName() + ")");
        }
        DkimKeyRecord record = null;
        String firstError = null;
        for (org.xbill.DNS.Record dnsRecord : records.records()) {
            if (!(dnsRecord instanceof TXTRecord txt)) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            for (byte[] string : txt.getStringsAsByteArrays()) {
                text.append(new String(string, StandardCharsets.ISO_8859_1));
            }
            if (text.length() > settings.maxKeyRecordBytes()) {
                throw new Rejected(DkimFailureReason.KEY_RECORD_TOO_LARGE, "key record of " + text.length()
                    + " octets at " + signature.keyName + ", more than " + settings.maxKeyRecordBytes());
            }
            try {
                record = DkimKeyRecord.parse(text.toString());
                break;
            } catch (IllegalArgumentException e) {
                firstError = firstError == null ? e.getMessage() : firstError;
            }
        }
        if (record == null) {
            throw new Rejected(firstError == null ? DkimFailureReason.NO_KEY_RECORD
                : DkimFailureReason.MALFORMED_KEY_RECORD, signature.keyName + ": "
                + (firstError == null ? "no TXT record" : firstError));
        }
        if (record.isRevoked()) {
            throw new Rejected(DkimFailureReason.KEY_REVOKED, "empty p= at " + signature.keyName);
        }
        if (!record.keyTag().equals(signature.type.keyTag())) {
            throw new Rejected(DkimFailureReason.KEY_TYPE_MISMATCH, "key k=" + record.keyTag() + " but a="
                + signature.algorithm);
        }
        if (!record.hashAlgorithms().isEmpty() && !record.hashAlgorithms().contains("sha256")) {
            throw new Rejected(DkimFailureReason.KEY_HASH_NOT_ALLOWED, "key h=" + record.hashAlgorithms()
                + " does not allow sha256");
        }
        if (!record.serviceTypes().contains("*") && !record.serviceTypes().contains("email")) {
            throw new Rejected(DkimFailureReason.KEY_SERVICE_NOT_EMAIL, "key s=" + record.serviceTypes()
                + " is not for email");
        }
        return publicKey(signature.type, record.publicKey());
    }

    private static PublicKey publicKey(DkimKeyType type, byte[] bytes) throws Rejected {
        try {
            if (type == DkimKeyType.ED25519) {
                if (bytes.length != 32) {
                    throw new Rejected(DkimFailureReason.MALFORMED_KEY_RECORD, "an Ed25519 key has 32 octets, not "
                        + bytes.length);
                }
                byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
                System.arraycopy(bytes, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(bytes));
            int bits = ((RSAPublicKey) key).getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw new Rejected(DkimFailureReason.KEY_TOO_SHORT, "RSA key of " + bits + " bits, less than "
                    + MIN_RSA_BITS);
            }
            return key;
        } catch (InvalidKeySpecException | RuntimeException e) {
            throw new Rejected(DkimFailureReason.MALFORMED_KEY_RECORD, "p= is not a " + type.keyTag()
                + " public key: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + type, e);
        }
    }

    private static BodyHashes.Key key(ParsedSignature signature) {
        return new BodyHashes.Key(signature.relaxedBody ? BodyHasher.Canonicalization.RELAXED
            : BodyHasher.Canonicalization.SIMPLE, signature.length.orElse(Long.MAX_VALUE));
    }

    /**
     * The canonicalised header data (RFC 6376 section 3.7): the fields of {@code h=}, each name taking the
     * bottom-most instance not yet used (section 5.4.2; a name listed more often than it occurs adds nothing),
     * then this signature field with the value of {@code b=} emptied and without a final CRLF. Linear in the
     * header and {@code h=}: the fields of a name come from the message's index by lower-case name, and one
     * bottom-up cursor per name present counts the instances used (a name absent from the header costs its
     * look-up only).
     */
    private static String headerData(HeaderFields message, HeaderFields.Field field, ParsedSignature signature) {
        StringBuilder data = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        for (SignedHeaderNames names = new SignedHeaderNames(signature.signedHeaders); names.hasNext(); ) {
            names.advance();
            String lower = names.name().toLowerCase(Locale.ROOT);
            List<HeaderFields.Field> present = message.fields(lower);
            if (present.isEmpty()) {
                continue;
            }
            int use = used.merge(lower, 1, Integer::sum);
            if (use <= present.size()) {
                HeaderFields.Field signed = present.get(present.size() - use);
                data.append(HeaderFields.canonical(signature.relaxedHeader, signed.name(), signed.raw()));
            }
        }
        String self = HeaderFields.canonical(signature.relaxedHeader, field.name(), withoutSignature(field.raw()));
        return data.append(self, 0, self.length() - 2).toString();
    }

    /**
     * The field with the value of its {@code b=} tag deleted, everything else byte for byte: one pass over the
     * tag-specs ({@code ;}-separated), copying each but the value of {@code b=}.
     */
    private static String withoutSignature(String raw) {
        int colon = raw.indexOf(':');
        StringBuilder out = new StringBuilder(raw.length());
        out.append(raw, 0, colon + 1);
        int start = colon + 1;
        while (true) {
            int end = raw.indexOf(';', start);
            if (end < 0) {
                end = raw.length();
            }
            int equals = start;
            while (equals < end && raw.charAt(equals) != '=') {
                equals++;
            }
            boolean signature = equals > start && equals < end && raw.substring(start, equals).strip().equals("b");
            out.append(raw, start, signature ? equals + 1 : end);
            if (end == raw.length()) {
                return out.toString();
            }
            out.append(';');
            start = end + 1;
        }
    }

    private static CompletionStage<DkimSignatureResult> done(Map<String, String> tags, DkimFailureReason reason,
                                                             String detail) {
        return CompletableFuture.completedFuture(result(tags, reason, detail));
    }

    private static DkimSignatureResult result(Map<String, String> tags, DkimFailureReason reason, String detail) {
        OptionalLong length = OptionalLong.empty();
        String l = tags.get("l");
        if (l != null && DIGITS.matcher(l).matches() && l.length() < 19) {
            length = OptionalLong.of(Long.parseLong(l));
        }
        DkimSignatureResult result = new DkimSignatureResult(reason.result(), reason, detail,
            tags.getOrDefault("d", ""), tags.getOrDefault("s", ""), tags.getOrDefault("a", ""), length, 0,
            signatureData(tags));
        LOGGER.debug("DKIM {}", result);
        return result;
    }

    private static String signatureData(Map<String, String> tags) {
        return DkimTags.withoutWhitespace(tags.getOrDefault("b", ""));
    }

    /**
     * A {@code DKIM-Signature} field of the message being verified, its tag list parsed when first needed and
     * then kept: choosing the signatures to evaluate (by {@code d=}) and evaluating them read one parse. Lives
     * for one call; confined to its thread.
     */
    private static final class SignatureField {
        private final HeaderFields.Field field;
        private Map<String, String> tags;
        private IllegalArgumentException malformed;

        private SignatureField(HeaderFields.Field field) {
            this.field = field;
        }

        static List<SignatureField> all(HeaderFields message) {
            List<HeaderFields.Field> fields = message.fields(HEADER);
            if (fields.isEmpty()) {
                return List.of();
            }
            List<SignatureField> all = new ArrayList<>(fields.size());
            for (HeaderFields.Field field : fields) {
                all.add(new SignatureField(field));
            }
            return all;
        }

        /** The tags of the field (parsed once), or the parse error, thrown again at each call. */
        Map<String, String> tags() {
            if (tags == null && malformed == null) {
                try {
                    tags = DkimTags.parse(field.value());
                } catch (IllegalArgumentException e) {
                    malformed = e;
                }
            }
            if (malformed != null) {
                throw malformed;
            }
            return tags;
        }
    }

    /** A signature that could not pass, for a reason; internal to this class. */
    private static final class Rejected extends Exception {
        private final DkimFailureReason reason;

        Rejected(DkimFailureReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /**
     * The names of an {@code h=} value ({@code :}-separated, whitespace anywhere in a name removed), read one at a
     * time without a list: checking {@code h=} allocates nothing for a name that is not {@code From}.
     */
    private static final class SignedHeaderNames {
        private final String value;
        private int start;
        private int from;
        private int to;

        SignedHeaderNames(String value) {
            this.value = value;
        }

        boolean hasNext() {
            return start <= value.length();
        }

        /** Moves to the next name: the text up to the next {@code :} or the end, whitespace around it skipped. */
        void advance() {
            int end = value.indexOf(':', start);
            if (end < 0) {
                end = value.length();
            }
            from = start;
            to = end;
            while (from < to && isWhitespace(value.charAt(from))) {
                from++;
            }
            while (to > from && isWhitespace(value.charAt(to - 1))) {
                to--;
            }
            start = end + 1;
        }

        /** Whether the current name is empty (nothing but whitespace between separators). */
        boolean isEmpty() {
            return from == to;
        }

        /** Whether the current name is {@code From}, in any case. */
        boolean isFrom() {
            if (to - from == 4) {
                return value.regionMatches(true, from, "from", 0, 4);
            }
            return to - from > 4 && name().equalsIgnoreCase("from");
        }

        /** The current name, whitespace inside it removed too. */
        String name() {
            return DkimTags.withoutWhitespace(value.substring(from, to));
        }

        private static boolean isWhitespace(char c) {
            return c == ' ' || c == '\t' || c == '\r' || c == '\n';
        }
    }

    /** The tags of a signature, checked (RFC 6376 section 6.1.1). */
    private static final class ParsedSignature {
        String algorithm;
        DkimKeyType type;
        byte[] signature;
        byte[] bodyHash;
        boolean relaxedHeader;
        boolean relaxedBody;
        String domain;
        String selector;
        Name keyName;
        /** The {@code h=} value, checked: no empty name; its names are read by {@link SignedHeaderNames}. */
        String signedHeaders;
        OptionalLong length = OptionalLong.empty();

        static ParsedSignature parse(Map<String, String> tags, long now) throws Rejected {
            ParsedSignature parsed = new ParsedSignature();
            if (tags.containsKey("v") && !tags.get("v").equals("1")) {
                throw new Rejected(DkimFailureReason.UNSUPPORTED_VERSION, "v=" + tags.get("v"));
            }
            for (String tag : REQUIRED) {
                if (!tags.containsKey(tag)) {
                    throw new Rejected(DkimFailureReason.MISSING_TAG, "no " + tag + "= tag");
                }
            }
            parsed.algorithm = tags.get("a");
            String algorithm = parsed.algorithm.toLowerCase(Locale.ROOT);
            switch (algorithm) {
                case "rsa-sha256" -> parsed.type = DkimKeyType.RSA;
                case "ed25519-sha256" -> parsed.type = DkimKeyType.ED25519;
                case "rsa-sha1" -> throw new Rejected(DkimFailureReason.SHA1_NOT_ACCEPTED,
                    "a=rsa-sha1 is not accepted (RFC 8301)");
                default -> throw ALGORITHM.matcher(algorithm).matches()
                    ? new Rejected(DkimFailureReason.UNSUPPORTED_ALGORITHM, "a=" + parsed.algorithm)
                    : new Rejected(DkimFailureReason.MALFORMED_SIGNATURE, "a=" + parsed.algorithm);
            }
            parsed.signature = base64(tags, "b");
            parsed.bodyHash = base64(tags, "bh");
            canonicalization(parsed, tags.getOrDefault("c", "simple/simple"));
            parsed.domain = tags.get("d");
            parsed.selector = tags.get("s");
            try {
                parsed.keyName = Name.fromString(parsed.selector + "._domainkey." + parsed.domain, Name.root);
            } catch (TextParseException e) {
                throw new Rejected(DkimFailureReason.MALFORMED_SIGNATURE, "d= or s= is not a domain name: "
                    + e.getMessage());
            }
            if (parsed.domain.isEmpty() || parsed.selector.isEmpty() || parsed.domain.startsWith(".")
                || parsed.domain.endsWith(".")) {
                throw new Rejected(DkimFailureReason.MALFORMED_SIGNATURE, "empty or dotted d= or s=");
            }
            parsed.signedHeaders = tags.get("h");
            boolean fromSigned = false;
            for (SignedHeaderNames names = new SignedHeaderNames(parsed.signedHeaders); names.hasNext(); ) {
                names.advance();
                if (names.isEmpty()) {
                    throw new Rejected(DkimFailureReason.MALFORMED_SIGNATURE, "empty header name in h=");
                }
                fromSigned |= names.isFrom();
            }
            String identity = tags.get("i");
            if (identity != null) {
                String lower = identity.toLowerCase(Locale.ROOT);
                String d = parsed.domain.toLowerCase(Locale.ROOT);
                int at = lower.lastIndexOf('@');
                String domain = lower.substring(at + 1);
                if (at < 0 || !(domain.equals(d) || domain.endsWith("." + d))) {
                    throw new Rejected(DkimFailureReason.INCONSISTENT_TAGS, "i=" + identity + " is not in d="
                        + parsed.domain);
                }
            }
            String query = tags.get("q");
            if (query != null && Arrays.stream(query.split(":")).noneMatch(q -> q.strip().equalsIgnoreCase("dns/txt"))) {
                throw new Rejected(DkimFailureReason.UNSUPPORTED_QUERY_METHOD, "q=" + query);
            }
            if (tags.containsKey("l")) {
                parsed.length = OptionalLong.of(number(tags, "l"));
            }
            long signedAt = tags.containsKey("t") ? number(tags, "t") : -1;
            if (tags.containsKey("x")) {
                long expires = number(tags, "x");
                if (signedAt >= 0 && expires < signedAt) {
                    throw new Rejected(DkimFailureReason.INCONSISTENT_TAGS, "x=" + expires + " is before t="
                        + signedAt);
                }
                if (expires < now) {
                    throw new Rejected(DkimFailureReason.SIGNATURE_EXPIRED, "x=" + expires + " is before now ("
                        + now + ")");
                }
            }
            if (!fromSigned) {
                throw new Rejected(DkimFailureReason.FROM_NOT_SIGNED, "h= does not include From");
            }
            return parsed;
        }

        private static void canonicalization(ParsedSignature parsed, String value) throws Rejected {
            String[] parts = value.toLowerCase(Locale.ROOT).split("/", -1);
            if (parts.length > 2) {
                throw new Rejected(DkimFailureReason.MALFORMED_SIGNATURE, "c=" + value);
            }
            String body = parts.length == 2 ? parts[1] : "simple";
            for (String part : List.of(parts[0], body)) {
                if (!part.equals("simple") && !part.equals("relaxed")) {
                    throw new Rejected(DkimFailureReason.UNSUPPORTED_CANONICALIZATION, "c=" + value);
                }
            }
            parsed.relaxedHeader = parts[0].equals("relaxed");
            parsed.relaxedBody = body.equals("relaxed");
        }

        private static byte[] base64(Map<String, String> tags, String tag) throws Rejected {
            String value = DkimTags.withoutWhitespace(tags.get(tag));
            if (value.isEmpty()) {
                throw new Rejected(DkimFailureReason.MALFORMED_SIGNATURE, "empty " + tag + "=");
            }
            try {
                return Base64.getDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                throw new Rejected(DkimFailureReason.MALFORMED_SIGNATURE, tag + "= is not base64: " + e.getMessage());
            }
        }

        private static long number(Map<String, String> tags, String tag) throws Rejected {
            String value = tags.get(tag);
            if (!DIGITS.matcher(value).matches()) {
                throw new Rejected(DkimFailureReason.MALFORMED_SIGNATURE, tag + "=" + value + " is not a number");
            }
            BigInteger number = new BigInteger(value);
            return number.bitLength() < 63 ? number.longValue() : Long.MAX_VALUE;
        }
    }
}
