package org.tesjames.core.dane;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import org.xbill.DNS.TLSARecord;

/**
 * One TLSA record (RFC 6698 section 2.1): certificate usage, selector, matching type and certificate association
 * data. Any value 0-255 of the three fields is representable; whether a record can be used by an SMTP client is
 * decided by {@link #smtpUsability()} and, for a whole RRset, by {@link TlsaSelection}.
 *
 * <p>Immutable: the association data is copied in and out.
 *
 * @param usage certificate usage: {@link #PKIX_TA}, {@link #PKIX_EE}, {@link #DANE_TA}, {@link #DANE_EE}, or other
 * @param selector {@link #SELECTOR_CERT} (full certificate) or {@link #SELECTOR_SPKI}, or other
 * @param matchingType {@link #MATCH_FULL}, {@link #MATCH_SHA256}, {@link #MATCH_SHA512}, or other
 * @param data the certificate association data, not empty
 */
public record TlsaRecord(int usage, int selector, int matchingType, byte[] data) {
    /** Certificate usage PKIX-TA(0): unusable for SMTP (RFC 7672 section 3.1.3). */
    public static final int PKIX_TA = 0;
    /** Certificate usage PKIX-EE(1): unusable for SMTP (RFC 7672 section 3.1.3). */
    public static final int PKIX_EE = 1;
    /** Certificate usage DANE-TA(2) (RFC 7671 section 5.2, RFC 7672 section 3.1.2). */
    public static final int DANE_TA = 2;
    /** Certificate usage DANE-EE(3) (RFC 7671 section 5.1, RFC 7672 section 3.1.1). */
    public static final int DANE_EE = 3;
    /** Selector Cert(0): the full DER certificate. */
    public static final int SELECTOR_CERT = 0;
    /** Selector SPKI(1): the DER SubjectPublicKeyInfo. */
    public static final int SELECTOR_SPKI = 1;
    /** Matching type Full(0): the selected content itself. */
    public static final int MATCH_FULL = 0;
    /** Matching type SHA2-256(1). */
    public static final int MATCH_SHA256 = 1;
    /** Matching type SHA2-512(2). */
    public static final int MATCH_SHA512 = 2;

    private static final HexFormat HEX = HexFormat.of();

    /**
     * @throws IllegalArgumentException if a field is outside 0-255 or the data is empty
     */
    public TlsaRecord {
        checkField("certificate usage", usage);
        checkField("selector", selector);
        checkField("matching type", matchingType);
        Objects.requireNonNull(data, "data");
        if (data.length == 0) {
            throw new IllegalArgumentException("TLSA certificate association data is empty");
        }
        data = data.clone();
    }

    /**
     * Parses the presentation form {@code "<usage> <selector> <matching-type> <hex>"}, e.g.
     * {@code "3 1 1 0d1c...ab"} (RFC 6698 section 2.2). Fields are decimal 0-255 without sign or leading
     * {@code +}; the hex data may be split by white space (as in zone files) and is case-insensitive.
     *
     * @param text the presentation form
     * @return the record
     * @throws IllegalArgumentException naming the bad field and value
     */
    public static TlsaRecord parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.strip().split("\\s+");
        if (parts.length < 4 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("TLSA record '" + text
                + "' must have 4 fields: <usage> <selector> <matching-type> <hex data>");
        }
        int usage = parseField("certificate usage", parts[0]);
        int selector = parseField("selector", parts[1]);
        int matchingType = parseField("matching type", parts[2]);
        String hex = String.join("", Arrays.asList(parts).subList(3, parts.length));
        if (hex.length() % 2 != 0) {
            throw new IllegalArgumentException("TLSA association data has an odd number of hex digits ("
                + hex.length() + ")");
        }
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("TLSA association data has a non-hex character '"
                    + hex.charAt(i) + "' at position " + (i + 1));
            }
        }
        return new TlsaRecord(usage, selector, matchingType, HEX.parseHex(hex));
    }

    /**
     * The record of a dnsjava TLSA resource record.
     *
     * @param record a TLSA record from a DNS answer
     * @return the record
     */
    public static TlsaRecord of(TLSARecord record) {
        return new TlsaRecord(record.getCertificateUsage(), record.getSelector(), record.getMatchingType(),
            record.getCertificateAssociationData());
    }

    /**
     * The certificate association data.
     *
     * @return a copy of the data
     */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /**
     * Whether an SMTP client may use this record on its own (RFC 7672 section 3.1.3; RFC 7671 sections 5 and 9
     * for the matching types): usage DANE-TA(2) or DANE-EE(3), selector Cert(0) or SPKI(1), matching type
     * Full(0), SHA2-256(1) or SHA2-512(2), a digest of the length of its algorithm, and for DANE-TA(2) with
     * Full(0) data that is a DER certificate or SubjectPublicKeyInfo (it may be a trust anchor absent from the
     * server's chain). Digest agility across an RRset is applied by {@link TlsaSelection}.
     *
     * @return empty if usable, else the reason it is not
     */
    public Optional<String> smtpUnusableReason() {
        return Optional.ofNullable(unusableReason());
    }

    private String unusableReason() {
        if (usage == PKIX_TA || usage == PKIX_EE) {
            return "usage " + usageName() + " is not usable for SMTP (RFC 7672 section 3.1.3)";
        }
        if (usage != DANE_TA && usage != DANE_EE) {
            return "unknown certificate usage " + usage;
        }
        if (selector != SELECTOR_CERT && selector != SELECTOR_SPKI) {
            return "unknown selector " + selector;
        }
        switch (matchingType) {
            case MATCH_FULL -> {
                if (usage == DANE_TA && !Der.isSingleSequence(data)) {
                    return "DANE-TA(2) Full(0) data is not a DER " + (selector == SELECTOR_CERT ? "certificate"
                        : "SubjectPublicKeyInfo");
                }
                return null;
            }
            case MATCH_SHA256 -> {
                return data.length == 32 ? null : "SHA2-256(1) data must be 32 bytes, got " + data.length;
            }
            case MATCH_SHA512 -> {
                return data.length == 64 ? null : "SHA2-512(2) data must be 64 bytes, got " + data.length;
            }
            default -> {
                return "unknown matching type " + matchingType;
            }
        }
    }

    /**
     * Whether {@link #smtpUnusableReason()} finds nothing wrong.
     *
     * @return true if the record is usable by an SMTP client on its own
     */
    public boolean isSmtpUsable() {
        return unusableReason() == null;
    }

    /**
     * The mnemonic of the usage, e.g. {@code DANE-EE(3)}.
     *
     * @return the usage name
     */
    public String usageName() {
        return switch (usage) {
            case PKIX_TA -> "PKIX-TA(0)";
            case PKIX_EE -> "PKIX-EE(1)";
            case DANE_TA -> "DANE-TA(2)";
            case DANE_EE -> "DANE-EE(3)";
            default -> "usage(" + usage + ")";
        };
    }

    /**
     * The mnemonic of the selector, e.g. {@code SPKI(1)}.
     *
     * @return the selector name
     */
    public String selectorName() {
        return switch (selector) {
            case SELECTOR_CERT -> "Cert(0)";
            case SELECTOR_SPKI -> "SPKI(1)";
            default -> "selector(" + selector + ")";
        };
    }

    /**
     * The mnemonic of the matching type, e.g. {@code SHA2-256(1)}.
     *
     * @return the matching type name
     */
    public String matchingTypeName() {
        return switch (matchingType) {
            case MATCH_FULL -> "Full(0)";
            case MATCH_SHA256 -> "SHA2-256(1)";
            case MATCH_SHA512 -> "SHA2-512(2)";
            default -> "matching-type(" + matchingType + ")";
        };
    }

    /**
     * The presentation form, lower-case hex: {@code 3 1 1 0d1c...}.
     *
     * @return the presentation form
     */
    @Override
    public String toString() {
        return usage + " " + selector + " " + matchingType + " " + HEX.formatHex(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsaRecord other && usage == other.usage && selector == other.selector
            && matchingType == other.matchingType && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(usage, selector, matchingType) * 31 + Arrays.hashCode(data);
    }

    private static void checkField(String name, int value) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("TLSA " + name + " must be 0-255, got " + value);
        }
    }

    private static int parseField(String name, String value) {
        if (!value.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("TLSA " + name + " must be a decimal number 0-255, got '"
                + value + "'");
        }
        int parsed = Integer.parseInt(value);
        if (parsed > 255) {
            throw new IllegalArgumentException("TLSA " + name + " must be 0-255, got " + parsed);
        }
        return parsed;
    }
}
