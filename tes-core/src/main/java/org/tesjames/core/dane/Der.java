package org.tesjames.core.dane;

import java.util.Arrays;

/**
 * The little DER walking DANE needs: the exact SubjectPublicKeyInfo bytes of a certificate (selector SPKI(1)
 * must hash the bytes as they are in the certificate, not a re-encoding of the parsed key).
 */
final class Der {
    private static final int SEQUENCE = 0x30;

    private Der() {
    }

    /** A TLV at {@code offset}: tag, start of content, end (exclusive). */
    private record Tlv(int tag, int contentStart, int end) {
    }

    private static Tlv read(byte[] der, int offset, int limit) {
        if (offset + 2 > limit) {
            throw new IllegalArgumentException("truncated DER at " + offset);
        }
        int tag = der[offset] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("multi-byte DER tag at " + offset);
        }
        int first = der[offset + 1] & 0xff;
        int position = offset + 2;
        long length;
        if (first < 0x80) {
            length = first;
        } else {
            int count = first & 0x7f;
            if (count == 0 || count > 4 || position + count > limit) {
                throw new IllegalArgumentException("bad DER length at " + offset);
            }
            length = 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | (der[position++] & 0xff);
            }
        }
        if (position + length > limit) {
            throw new IllegalArgumentException("DER length beyond the data at " + offset);
        }
        return new Tlv(tag, position, (int) (position + length));
    }

    /**
     * Whether the bytes are exactly one DER SEQUENCE (a certificate or a SubjectPublicKeyInfo has that shape).
     */
    static boolean isSingleSequence(byte[] der) {
        try {
            Tlv tlv = read(der, 0, der.length);
            return tlv.tag() == SEQUENCE && tlv.end() == der.length;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The DER SubjectPublicKeyInfo inside a DER certificate (RFC 5280 section 4.1: Certificate ::= SEQUENCE {
     * tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject,
     * subjectPublicKeyInfo, ... }, ... }).
     *
     * @throws IllegalArgumentException if the bytes do not have that structure
     */
    static byte[] subjectPublicKeyInfo(byte[] certificate) {
        Tlv cert = read(certificate, 0, certificate.length);
        Tlv tbs = read(certificate, cert.contentStart(), cert.end());
        if (cert.tag() != SEQUENCE || tbs.tag() != SEQUENCE) {
            throw new IllegalArgumentException("not a DER certificate");
        }
        int position = tbs.contentStart();
        Tlv field = read(certificate, position, tbs.end());
        if (field.tag() == 0xa0) { // explicit [0] version
            position = field.end();
        }
        for (int i = 0; i < 5; i++) { // serialNumber, signature, issuer, validity, subject
            position = read(certificate, position, tbs.end()).end();
        }
        Tlv spki = read(certificate, position, tbs.end());
        if (spki.tag() != SEQUENCE) {
            throw new IllegalArgumentException("no SubjectPublicKeyInfo in the certificate");
        }
        return Arrays.copyOfRange(certificate, position, spki.end());
    }
}
