package org.tesjames.core.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A DKIM public key record, the TXT record at {@code <selector>._domainkey.<domain>} (RFC 6376 section 3.6.1,
 * RFC 8463 for {@code k=ed25519}).
 *
 * @param keyTag the {@code k=} value, lower case ({@code rsa} when absent); may name a type we do not know
 * @param hashAlgorithms the {@code h=} values, empty when absent (any hash allowed)
 * @param serviceTypes the {@code s=} values ({@code *} when absent)
 * @param flags the {@code t=} flags ({@code y} testing, {@code s} strict)
 * @param publicKey the decoded {@code p=} value: for RSA a DER SubjectPublicKeyInfo, for Ed25519 the raw
 *     32-byte key; empty for a revoked key ({@code p=} with no value)
 */
public record DkimKeyRecord(String keyTag, List<String> hashAlgorithms, List<String> serviceTypes,
                            List<String> flags, byte[] publicKey) {
    private static final int TXT_STRING_MAX = 255;

    public DkimKeyRecord {
        Objects.requireNonNull(keyTag, "keyTag");
        hashAlgorithms = List.copyOf(hashAlgorithms);
        serviceTypes = List.copyOf(serviceTypes);
        flags = List.copyOf(flags);
        publicKey = publicKey.clone();
    }

    /** The record we publish for a key: {@code v=DKIM1; k=<type>; p=<base64>}. */
    public static DkimKeyRecord of(DkimKeyType type, byte[] publicKey) {
        return new DkimKeyRecord(type.keyTag(), List.of(), List.of("*"), List.of(), publicKey);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Whether the key was revoked (an empty {@code p=}). */
    public boolean isRevoked() {
        return publicKey.length == 0;
    }

    /**
     * Parses the text of a key record (the character-strings of one TXT record, concatenated without
     * separator, RFC 6376 section 3.6.2.2).
     *
     * @throws IllegalArgumentException saying precisely what is malformed: the tag-list syntax, a {@code v=}
     *     that is not {@code DKIM1} or not the first tag, a missing {@code p=}, a {@code p=} that is not base64
     */
    public static DkimKeyRecord parse(String text) {
        Map<String, String> tags = DkimTags.parse(text);
        String version = tags.get("v");
        if (version != null) {
            if (!version.equals("DKIM1")) {
                throw new IllegalArgumentException("v=" + version + " is not v=DKIM1");
            }
            if (!tags.keySet().iterator().next().equals("v")) {
                throw new IllegalArgumentException("v=DKIM1 is not the first tag");
            }
        }
        String p = tags.get("p");
        if (p == null) {
            throw new IllegalArgumentException("no p= tag");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(DkimTags.withoutWhitespace(p));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("p= is not base64: " + e.getMessage(), e);
        }
        String k = tags.getOrDefault("k", "rsa").toLowerCase(java.util.Locale.ROOT);
        if (k.isEmpty()) {
            throw new IllegalArgumentException("empty k= tag");
        }
        return new DkimKeyRecord(k, list(tags.get("h"), List.of()), list(tags.get("s"), List.of("*")),
            list(tags.get("t"), List.of()), key);
    }

    private static List<String> list(String value, List<String> absent) {
        if (value == null) {
            return absent;
        }
        List<String> items = new ArrayList<>();
        for (String item : value.split(":", -1)) {
            items.add(item.strip().toLowerCase(java.util.Locale.ROOT));
        }
        return items;
    }

    /** The record text as we publish it: {@code v=DKIM1; k=rsa; p=...}. */
    public String text() {
        return "v=DKIM1; k=" + keyTag + "; p=" + Base64.getEncoder().encodeToString(publicKey);
    }

    /** {@link #text()} split into TXT character-strings of at most 255 octets each. */
    public List<String> txtStrings() {
        byte[] bytes = text().getBytes(StandardCharsets.US_ASCII);
        List<String> strings = new ArrayList<>();
        for (int start = 0; start < bytes.length; start += TXT_STRING_MAX) {
            strings.add(new String(bytes, start, Math.min(TXT_STRING_MAX, bytes.length - start),
                StandardCharsets.US_ASCII));
        }
        return strings;
    }

    /** The zone-file line to publish: {@code <selector>._domainkey.<domain>. IN TXT "..." "..."}. */
    public String zoneLine(String domain, String selector) {
        StringBuilder line = new StringBuilder(selector).append("._domainkey.").append(domain).append(". IN TXT");
        for (String string : txtStrings()) {
            line.append(" \"").append(string).append('"');
        }
        return line.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DkimKeyRecord other && keyTag.equals(other.keyTag)
            && hashAlgorithms.equals(other.hashAlgorithms) && serviceTypes.equals(other.serviceTypes)
            && flags.equals(other.flags) && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyTag, hashAlgorithms, serviceTypes, flags, Arrays.hashCode(publicKey));
    }

    @Override
    public String toString() {
        return text();
    }
}
