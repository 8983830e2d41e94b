package org.tesjames.core.dkim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The SHA-256 body hash of DKIM (RFC 6376 section 3.7), computed while the body is canonicalised: "simple"
 * (section 3.4.3) or "relaxed" (section 3.4.4), with an optional {@code l=} limit (section 3.5) on the
 * canonicalised octets that are hashed. Incremental: the body may come in chunks of any size, split anywhere
 * (inside a CRLF, inside a run of white space, between empty lines), as an SMTP server receives it:
 * <pre>{@code
 * BodyHasher hasher = BodyHasher.create(BodyHasher.Canonicalization.RELAXED);
 * hasher.update(chunk, 0, n);   // as often as needed
 * byte[] bh = hasher.finish();  // then hasher.canonicalLength() for l=
 * }</pre>
 *
 * <p>Works in bulk over the caller's arrays and never copies the body: the input is scanned for the few octets
 * that canonicalisation changes (white space runs, line ends), and each stretch whose canonical form is the
 * input itself goes to the digest as one range of the caller's array; a stretch shorter than {@value #DIRECT}
 * octets is first gathered into a small fixed buffer, so that a line with a few double spaces does not cost a
 * digest call per word. Line ends and white space that may turn out to be trailing are held back as counters,
 * not buffered octets.
 *
 * <p>Line ends are CRLF; a bare LF counts as CRLF (the form a message has on the wire, RFC 6376 section 5.3). A
 * CR not followed by LF is an ordinary octet, except that a CR ending the body ends its last line. Rules that
 * match jDKIM 0.3's canonicalisers and dkimpy:
 * <ul>
 *   <li>relaxed: white space before a CR is dropped (it is trailing white space when the CR starts a CRLF);
 *       white space at the very end of a body without a final line end becomes one space, then a CRLF is
 *       added;</li>
 *   <li>relaxed: a body that is empty after canonicalisation hashes as empty (no CRLF is added), as dkimpy and
 *       OpenDKIM compute it (jDKIM 0.3 adds one CRLF); simple: an empty body is one CRLF.</li>
 * </ul>
 *
 * <p>Not thread-safe: one instance per body. {@link #update} after {@link #finish} fails.
 */
public final class BodyHasher {
    /** The body canonicalisations of RFC 6376 section 3.4. */
    public enum Canonicalization {
        SIMPLE,
        RELAXED
    }

    /** Stretches at least this long go to the digest straight from the caller's array. */
    static final int DIRECT = 256;
    private static final int STAGE = 8192;
    private static final int CRLFS_AT_ONCE = 32;
    private static final byte[] CRLFS = "\r\n".repeat(CRLFS_AT_ONCE).getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest digest;
    private final boolean relaxed;
    private final long limit;
    private byte[] stage;
    private int staged;
    /** Canonical octets produced so far (hashed or beyond the limit). */
    private long canonicalLength;
    /** Canonical octets given to the digest so far, at most {@link #limit}. */
    private long hashed;
    /** Line ends seen after the last content, not yet produced: they are dropped if the body ends here. */
    private long pendingLineEnds;
    /** Relaxed: a run of white space after the last content, not yet produced (one space, or nothing). */
    private boolean pendingSpace;
    /** The last octet seen was a CR, maybe the first half of a CRLF. */
    private boolean pendingCr;
    private byte[] result;

    private BodyHasher(Canonicalization canonicalization, long limit) {
        this.relaxed = Objects.requireNonNull(canonicalization, "canonicalization") == Canonicalization.RELAXED;
        if (limit < 0) {
            throw new IllegalArgumentException("the length limit must not be negative, not " + limit);
        }
        this.limit = limit;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A hasher of the whole canonicalised body (no {@code l=}). */
    public static BodyHasher create(Canonicalization canonicalization) {
        return new BodyHasher(canonicalization, Long.MAX_VALUE);
    }

    /**
     * A hasher of the first {@code limit} octets of the canonicalised body ({@code l=}); {@link #canonicalLength()}
     * still counts them all.
     */
    public static BodyHasher create(Canonicalization canonicalization, long limit) {
        return new BodyHasher(canonicalization, limit);
    }

    /** Adds the next {@code length} octets of the body, {@code octets[offset]} first; they are not changed. */
    public BodyHasher update(byte[] octets, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, octets.length);
        if (result != null) {
            throw new IllegalStateException("the body hash is already finished");
        }
        if (length == 0) {
            return this;
        }
        int from = offset;
        if (pendingCr) {
            pendingCr = false;
            if (octets[from] == '\n') {
                pendingLineEnds++;
                from++;
            } else {
                producePending();
                produce((byte) '\r');
            }
        }
        scan(octets, from, offset + length);
        return this;
    }

    /** Adds a whole array of body octets. */
    public BodyHasher update(byte[] octets) {
        return update(octets, 0, octets.length);
    }

    /**
     * Ends the body: drops the trailing empty lines, adds the final CRLF where the canonicalisation wants one, and
     * returns the SHA-256 digest (32 octets, a fresh array on every call).
     */
    public byte[] finish() {
        if (result == null) {
            if (pendingCr) {
                pendingCr = false;
                pendingLineEnds++;
            }
            if (pendingSpace) {
                producePending();
            }
            if (canonicalLength > 0 || !relaxed) {
                produce(CRLFS, 0, 2);
            }
            flushStage();
            result = digest.digest();
        }
        return result.clone();
    }

    /** The length of the canonicalised body so far, beyond the {@code l=} limit too; final after {@link #finish}. */
    public long canonicalLength() {
        return canonicalLength;
    }

    /**
     * The body between {@code from} and {@code end}. {@code octets[runStart, runEnd)} is canonical as it stands and
     * not yet produced. Whatever is pending (line ends, a space) comes after it; while {@code inPlace}, the octets
     * from {@code runEnd} to the scan position are exactly the canonical form of what is pending, so the run can
     * simply grow over them when content follows; otherwise (white space that is dropped or is not one space, a
     * bare LF, a chunk that starts with something pending) the run ends there.
     */
    private void scan(byte[] octets, int from, int end) {
        int runStart = from;
        int runEnd = from;
        boolean inPlace = pendingLineEnds == 0 && !pendingSpace;
        int i = from;
        while (i < end) {
            byte octet = octets[i];
            if (octet == '\n') {
                pendingSpace = false;
                pendingLineEnds++;
                inPlace = false;
                i++;
                continue;
            }
            if (octet == '\r') {
                if (pendingSpace) {
                    pendingSpace = false;
                    inPlace = false;
                }
                if (i + 1 == end) {
                    pendingCr = true;
                    break;
                }
                if (octets[i + 1] == '\n') {
                    pendingLineEnds++;
                    i += 2;
                    continue;
                }
                // a bare CR: content
            } else if (relaxed && (octet == ' ' || octet == '\t')) {
                int start = i++;
                while (i < end && (octets[i] == ' ' || octets[i] == '\t')) {
                    i++;
                }
                if (pendingSpace || octet != ' ' || i - start > 1) {
                    inPlace = false;
                }
                pendingSpace = true;
                continue;
            }
            if (inPlace) {
                pendingLineEnds = 0;
                pendingSpace = false;
            } else {
                produce(octets, runStart, runEnd - runStart);
                producePending();
                runStart = i;
                inPlace = true;
            }
            i = relaxed ? relaxedContentEnd(octets, i + 1, end) : simpleContentEnd(octets, i + 1, end);
            runEnd = i;
        }
        produce(octets, runStart, runEnd - runStart);
    }

    /** Where content stops being canonical as it stands under "relaxed": a CR, an LF, a tab or a non-single space. */
    private static int relaxedContentEnd(byte[] octets, int from, int end) {
        int i = from;
        while (i < end) {
            byte octet = octets[i];
            if (octet > ' ' || octet < 0) {
                i++;
            } else if (octet == ' ') {
                if (i + 1 < end && (octets[i + 1] > ' ' || octets[i + 1] < 0)) {
                    i += 2;
                } else {
                    return i;
                }
            } else if (octet == '\t' || octet == '\r' || octet == '\n') {
                return i;
            } else {
                i++;
            }
        }
        return i;
    }

    /** Where content stops under "simple": a CR or an LF. */
    private static int simpleContentEnd(byte[] octets, int from, int end) {
        int i = from;
        while (i < end) {
            byte octet = octets[i];
            if (octet > '\r' || octet < 0 || (octet != '\r' && octet != '\n')) {
                i++;
            } else {
                return i;
            }
        }
        return i;
    }

    /** Produces the held-back line ends, then the held-back space. */
    private void producePending() {
        while (pendingLineEnds > 0) {
            int count = (int) Math.min(pendingLineEnds, CRLFS_AT_ONCE);
            produce(CRLFS, 0, 2 * count);
            pendingLineEnds -= count;
        }
        if (pendingSpace) {
            produce((byte) ' ');
            pendingSpace = false;
        }
    }

    private void produce(byte[] octets, int offset, int length) {
        if (length == 0) {
            return;
        }
        canonicalLength += length;
        if (hashed >= limit) {
            return;
        }
        int hashing = (int) Math.min(length, limit - hashed);
        hashed += hashing;
        if (hashing >= DIRECT) {
            flushStage();
            digest.update(octets, offset, hashing);
            return;
        }
        if (stage == null) {
            stage = new byte[STAGE];
        } else if (hashing > STAGE - staged) {
            flushStage();
        }
        System.arraycopy(octets, offset, stage, staged, hashing);
        staged += hashing;
    }

    private void produce(byte octet) {
        canonicalLength++;
        if (hashed >= limit) {
            return;
        }
        hashed++;
        if (stage == null) {
            stage = new byte[STAGE];
        } else if (staged == STAGE) {
            flushStage();
        }
        stage[staged++] = octet;
    }

    private void flushStage() {
        if (staged > 0) {
            digest.update(stage, 0, staged);
            staged = 0;
        }
    }
}
