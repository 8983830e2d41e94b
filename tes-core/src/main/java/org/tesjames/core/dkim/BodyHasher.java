package org.tesjames.core.dkim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import javax.management.JMException;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Works in bulk over the caller's arrays, eight octets at a time, and never copies the body as a whole. Under
 * "simple" the input is scanned for line ends, and each stretch whose canonical form is the input itself goes to
 * the digest as one range of the caller's array; a stretch shorter than {@value #DIRECT} octets is first gathered
 * into a fixed 8 kB stage. Under "relaxed", which changes text at every run of white space, the canonical form is
 * written into that stage eight octets at a time as the input is scanned (each long is stored, then the stage
 * position moves past its octets up to the first one that needs a look), and the stage goes to the digest when it
 * is full: no call per edited stretch, and the digest reads octets that are still in the cache. Line ends and white
 * space that may turn out to be trailing are held back as counters, not as buffered octets.
 *
 * <p>Where the JVM offers the incubating Vector API with 64-octet vectors on a processor that packs octets in one
 * instruction (AVX-512 VBMI2) and the operator asks for it (system property {@value #VECTOR_PROPERTY}{@code =true},
 * JDK 19 or later started with {@code --add-modules jdk.incubator.vector}), the relaxed scan takes 64 octets at a
 * time instead ({@link RelaxedVectorStep}), with the same result; without the module that class is never loaded.
 *
 * <p>Line ends are CRLF; a bare LF counts as CRLF (the form a message has on the wire, RFC 6376 section 5.3). A
 * CR not followed by LF is an ordinary octet, except that a CR ending the body ends its last line. Where the RFC
 * leaves room, the rules are those of jDKIM 0.3's canonicalisers, which the project used before (so the hashes
 * it computes do not change):
 * <ul>
 *   <li>relaxed: white space before a CR is dropped (it is trailing white space when the CR starts a CRLF);
 *       white space at the very end of a body without a final line end becomes one space, then a CRLF is
 *       added (dkimpy does the same);</li>
 *   <li>relaxed: a body that is empty after canonicalisation hashes as empty (no CRLF is added), as dkimpy and
 *       OpenDKIM compute it (here jDKIM 0.3 adds one CRLF); simple: an empty body is one CRLF.</li>
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

    /** The system property that turns the relaxed scan's 64-octet vector step on ({@code true}); off by default. */
    public static final String VECTOR_PROPERTY = "tes.dkim.vector";
    private static final Logger LOGGER = LoggerFactory.getLogger(BodyHasher.class);
    /** Whether relaxed hashers use the vector step: asked for, and possible in this JVM (logged once). */
    static final boolean VECTOR_STEP = vectorStep(Boolean.getBoolean(VECTOR_PROPERTY));

    /** Stretches at least this long go to the digest straight from the caller's array. */
    static final int DIRECT = 256;
    private static final int STAGE = 8192;
    private static final int CRLFS_AT_ONCE = 32;
    private static final byte[] CRLFS = "\r\n".repeat(CRLFS_AT_ONCE).getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle OCTETS_AS_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
        ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN = 0x7F7F7F7F7F7F7F7FL;
    private static final long TOP = 0x8080808080808080L;
    private static final long EACH = 0x0101010101010101L;

    private final MessageDigest digest;
    private final boolean relaxed;
    private final boolean vector;
    /** Canonical octets not yet hashed; the slack past {@link #STAGE} takes whole longs written near its end. */
    private final byte[] stage = new byte[STAGE + 2 * Long.BYTES + RelaxedVectorStep.BLOCK];
    private int staged;
    /** Canonical octets produced so far, not counting the {@link #staged} ones (hashed or beyond the limit). */
    private long canonicalLength;
    /** How many more canonical octets the digest takes ({@code l=} less what it has had). */
    private long unhashed;
    /** Line ends seen after the last content, not yet produced: they are dropped if the body ends here. */
    private long pendingLineEnds;
    /** Relaxed: a run of white space after the last content, not yet produced (one space, or nothing). */
    private boolean pendingSpace;
    /** The last octet seen was a CR, maybe the first half of a CRLF. */
    private boolean pendingCr;
    private byte[] result;

    private BodyHasher(Canonicalization canonicalization, long limit, boolean vector) {
        this.relaxed = Objects.requireNonNull(canonicalization, "canonicalization") == Canonicalization.RELAXED;
        this.vector = vector && relaxed;
        if (limit < 0) {
            throw new IllegalArgumentException("the length limit must not be negative, not " + limit);
        }
        this.unhashed = limit;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A hasher of the whole canonicalised body (no {@code l=}). */
    public static BodyHasher create(Canonicalization canonicalization) {
        return new BodyHasher(canonicalization, Long.MAX_VALUE, VECTOR_STEP);
    }

    /**
     * A hasher of the first {@code limit} octets of the canonicalised body ({@code l=}); {@link #canonicalLength()}
     * still counts them all.
     */
    public static BodyHasher create(Canonicalization canonicalization, long limit) {
        return new BodyHasher(canonicalization, limit, VECTOR_STEP);
    }

    /**
     * A hasher with the vector step on or off whatever the property says, for tests; on only where
     * {@link #vectorStepUnavailable} is empty (the vector module loaded, its {@code compress} present).
     */
    static BodyHasher create(Canonicalization canonicalization, long limit, boolean vector) {
        return new BodyHasher(canonicalization, limit, vector);
    }

    /**
     * The step relaxed hashers of this JVM take ({@value #VECTOR_PROPERTY}, see the class), for start-up logs and
     * benchmarks: {@code 64-octet vector step (tes.dkim.vector=true)} or {@code eight-octet step}. The first call
     * may initialise this class and so run the check behind the vector step (about 0.2 s when it is asked for): the
     * extension calls it at start, so that the check does not run at the first signed message, on an SMTP event loop.
     */
    public static String relaxedStep() {
        return VECTOR_STEP ? "64-octet vector step (" + VECTOR_PROPERTY + "=true)" : "eight-octet step";
    }

    private static boolean vectorStep(boolean wanted) {
        if (!wanted) {
            return false;
        }
        Optional<String> unavailable = vectorStepUnavailable(true);
        if (unavailable.isPresent()) {
            LOGGER.warn("TES DKIM: {}=true, but the relaxed body hash keeps its eight-octet step: {}", VECTOR_PROPERTY,
                unavailable.get());
            return false;
        }
        LOGGER.info("TES DKIM: the relaxed body hash takes 64 octets at a time (vector step, {}=true)",
            VECTOR_PROPERTY);
        return true;
    }

    /**
     * Why the vector step cannot run in this JVM (when {@code fastOnly}, also why it would be slow), or empty. The
     * module's classes are loaded only when the module is there.
     */
    static Optional<String> vectorStepUnavailable(boolean fastOnly) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Optional.of("the JVM was not started with --add-modules jdk.incubator.vector");
        }
        if (!RelaxedVectorStep.supported()) {
            return Optional.of("this JDK's Vector API has no compress (JDK 19 or later is needed)");
        }
        if (!fastOnly) {
            return Optional.empty();
        }
        if (!RelaxedVectorStep.fast()) {
            return Optional.of("the JVM's preferred vector is shorter than 64 octets (a processor with AVX-512 is"
                + " needed)");
        }
        Optional<String> processor = processor();
        if (processor.isEmpty()) {
            return Optional.of("this JVM does not say which processor features it uses (HotSpot's VM.info),"
                + " so it cannot tell whether the processor packs octets in one instruction (AVX-512 VBMI2)");
        }
        if (!packsOctets(processor.get())) {
            return Optional.of("the JVM lists no avx512_vbmi2 among the processor's features (jcmd <pid>"
                + " VM.info, line CPU:): without it the JVM packs octets one at a time, and the step is slower"
                + " than the eight-octet one");
        }
        return Optional.empty();
    }

    /**
     * The processor and the features the JVM found in it: the {@code CPU:} line of HotSpot's {@code VM.info}
     * diagnostic command (as {@code jcmd <pid> VM.info} prints it), or empty where the JVM has no such command.
     */
    static Optional<String> processor() {
        try {
            Object info = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmInfo", new Object[] {null},
                new String[] {String[].class.getName()});
            return info instanceof String text
                ? text.lines().filter(line -> line.startsWith("CPU:")).findFirst()
                : Optional.empty();
        } catch (JMException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a processor line of {@code VM.info} lists AVX-512 VBMI2, whose {@code vpcompressb} packs the octets of
     * a vector in one instruction; without it the JVM's {@code compress} of octets falls back to one lane at a time.
     */
    static boolean packsOctets(String processor) {
        return Arrays.stream(processor.split(",")).map(String::strip).anyMatch("avx512_vbmi2"::equals);
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
        if (relaxed) {
            relaxed(octets, from, offset + length);
        } else {
            simple(octets, from, offset + length);
        }
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
            if (canonicalLength() > 0 || !relaxed) {
                produce(CRLFS, 0, 2);
            }
            flushStage();
            result = digest.digest();
        }
        return result.clone();
    }

    /** The length of the canonicalised body so far, beyond the {@code l=} limit too; final after {@link #finish}. */
    public long canonicalLength() {
        return canonicalLength + staged;
    }

    /**
     * "Simple": the body between {@code from} and {@code end}. {@code octets[runStart, runEnd)} is canonical as it
     * stands and not yet produced. Line ends that are pending come after it; while {@code inPlace}, the octets from
     * {@code runEnd} to the scan position are exactly those line ends, so the run can simply grow over them when
     * content follows; otherwise (a bare LF, a chunk that starts with line ends pending) the run ends there.
     */
    private void simple(byte[] octets, int from, int end) {
        int runStart = from;
        int runEnd = from;
        boolean inPlace = pendingLineEnds == 0;
        int i = from;
        while (i < end) {
            byte octet = octets[i];
            if (octet == '\n') {
                pendingLineEnds++;
                inPlace = false;
                i++;
                continue;
            }
            if (octet == '\r') {
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
            }
            if (inPlace) {
                pendingLineEnds = 0;
            } else {
                produce(octets, runStart, runEnd - runStart);
                producePending();
                runStart = i;
                inPlace = true;
            }
            i = simpleContent(octets, i + 1, end);
            runEnd = i;
        }
        produce(octets, runStart, runEnd - runStart);
    }

    /**
     * "Relaxed": the body between {@code from} and {@code end}, alternating between content ({@link #relaxedLine})
     * and what lies between two pieces of content across a line end or a chunk boundary ({@link #relaxedPending}).
     */
    private void relaxed(byte[] octets, int from, int end) {
        int i = from;
        while (i < end) {
            if (pendingLineEnds > 0 || pendingSpace) {
                i = relaxedPending(octets, i, end);
            }
            if (i < end) {
                i = relaxedLine(octets, i, end);
            }
        }
    }

    /**
     * Goes over content under "relaxed", writing its canonical form into the stage, and returns where it stops: at
     * the end, or after a line end that is not followed by content (then {@link #pendingLineEnds} is 1), or at
     * the end after white space ({@link #pendingSpace}) or a CR ({@link #pendingCr}). Eight octets at a time: each
     * long is stored into the stage as it is, and only the octets {@link #suspects} marks get a look of
     * their own: white space between content becomes one space, white space before a line end goes, a CRLF
     * followed by content stays.
     */
    private int relaxedLine(byte[] octets, int from, int end) {
        byte[] out = stage;
        int at = staged;
        int i = from;
        lines:
        while (i < end) {
            if (at >= STAGE) {
                staged = at;
                flushStage();
                at = 0;
            }
            if (vector && i <= end - RelaxedVectorStep.BLOCK) {
                long done = RelaxedVectorStep.run(octets, i, end, out, at, STAGE);
                if (done != 0) {
                    i += (int) (done >>> 32);
                    at += (int) done;
                    continue;
                }
            }
            if (i <= end - 2 * Long.BYTES) {
                // whole longs while the one after them is there too (the last octet's follower) and the stage has
                // room; each long is read once, and carried over as the follower of the one before
                int last = Math.min(end - 2 * Long.BYTES, i + STAGE - 1 - at);
                long here = (long) OCTETS_AS_LONG.get(octets, i);
                long hereLow = below(here, 0x21);
                long suspects;
                while (true) {
                    long next = (long) OCTETS_AS_LONG.get(octets, i + Long.BYTES);
                    long nextLow = below(next, 0x21);
                    OCTETS_AS_LONG.set(out, at, here);
                    suspects = suspects(here, hereLow, nextLow);
                    if (suspects != 0) {
                        break;
                    }
                    i += Long.BYTES;
                    at += Long.BYTES;
                    if (i > last) {
                        continue lines;
                    }
                    here = next;
                    hereLow = nextLow;
                }
                int skip = Long.numberOfTrailingZeros(suspects) >>> 3;
                i += skip;
                at += skip;
            } else if (end >= Long.BYTES) {
                // fewer than sixteen octets left (a chunk of one line, as an SMTP server hands the body over): one
                // more step over the next eight at most, the octets past the end read as zeros, controls that stop
                // the step there (and a space before the end gets a look, its follower unknown)
                long here = endingAt(octets, i, end);
                long next = i + Long.BYTES < end ? endingAt(octets, i + Long.BYTES, end) : 0;
                OCTETS_AS_LONG.set(out, at, here);
                int skip = Long.numberOfTrailingZeros(suspects(here, below(here, 0x21), below(next, 0x21))) >>> 3;
                i += skip;
                at += skip;
                if (skip == Long.BYTES || i == end) {
                    continue;
                }
            }
            byte octet = octets[i];
            if (octet == ' ' || octet == '\t') {
                int next = i + 1;
                while (next < end && (octets[next] == ' ' || octets[next] == '\t')) {
                    next++;
                }
                if (next == end) {
                    pendingSpace = true;
                    i = end;
                    break;
                }
                if (octets[next] != '\r' && octets[next] != '\n') {
                    out[at++] = ' ';
                }
                i = next;
            } else if (octet == '\r') {
                if (i + 1 == end) {
                    pendingCr = true;
                    i = end;
                    break;
                }
                if (octets[i + 1] != '\n') {
                    out[at++] = octet;
                    i++;
                } else if (i + 2 < end && isContent(octets[i + 2])) {
                    out[at++] = '\r';
                    out[at++] = '\n';
                    i += 2;
                } else {
                    pendingLineEnds = 1;
                    i += 2;
                    break;
                }
            } else if (octet == '\n') {
                pendingLineEnds = 1;
                i++;
                break;
            } else {
                out[at++] = octet;
                i++;
            }
        }
        staged = at;
        return i;
    }

    /**
     * Goes over what follows pending line ends or white space under "relaxed" (empty lines, lines of white space,
     * white space continued across a chunk boundary), counting it, and returns where content starts (the pending
     * octets produced before it) or the end. A bare CR is content.
     */
    private int relaxedPending(byte[] octets, int from, int end) {
        int i = from;
        while (i < end) {
            byte octet = octets[i];
            if (octet == ' ' || octet == '\t') {
                pendingSpace = true;
                i++;
            } else if (octet == '\n') {
                pendingSpace = false;
                pendingLineEnds++;
                i++;
            } else if (octet == '\r') {
                pendingSpace = false;
                if (i + 1 == end) {
                    pendingCr = true;
                    return end;
                }
                if (octets[i + 1] != '\n') {
                    producePending();
                    produce(octet);
                    return i + 1;
                }
                pendingLineEnds++;
                i += 2;
            } else {
                producePending();
                return i;
            }
        }
        return i;
    }

    /**
     * The eight octets from {@code octets[from]} as a long, those at {@code end} and after read as zeros
     * ({@code from < end}, {@code end >= Long.BYTES}): near the end, the long that ends at {@code end}, shifted.
     */
    private static long endingAt(byte[] octets, int from, int end) {
        if (from <= end - Long.BYTES) {
            return (long) OCTETS_AS_LONG.get(octets, from);
        }
        return (long) OCTETS_AS_LONG.get(octets, end - Long.BYTES) >>> ((from - end + Long.BYTES) << 3);
    }

    /** Whether an octet is content under "relaxed": neither white space nor part of a line end. */
    private static boolean isContent(byte octet) {
        return octet != ' ' && octet != '\t' && octet != '\r' && octet != '\n';
    }

    /**
     * Goes over content under "simple" and returns where it stops: at a CR or an LF, except a CRLF followed by
     * content, which stays in place. Eight octets at a time, like the relaxed one.
     */
    private static int simpleContent(byte[] octets, int from, int end) {
        int i = from;
        while (i < end) {
            if (i <= end - Long.BYTES) {
                long suspects = simpleSuspects((long) OCTETS_AS_LONG.get(octets, i));
                if (suspects == 0) {
                    i += Long.BYTES;
                    continue;
                }
                i += Long.numberOfTrailingZeros(suspects) >>> 3;
            }
            byte octet = octets[i];
            if (octet == '\r') {
                if (i + 2 < end && octets[i + 1] == '\n' && octets[i + 2] != '\r' && octets[i + 2] != '\n') {
                    i += 3;
                } else {
                    return i;
                }
            } else if (octet == '\n') {
                return i;
            } else {
                i++;
            }
        }
        return i;
    }

    /*
     * Octet tests on eight octets at once (a long read little-endian: the first octet is the lowest byte). Each
     * result has the top bit of a byte set where the test holds for that octet, and no other bit. Exact per byte:
     * a byte's top bit is cleared before the addition, so no carry crosses into the next byte.
     */
    /** Octets below {@code bound} (1 to 128); octets of 128 and more are never below. */
    private static long below(long octets, int bound) {
        return ~(((octets & LOW_SEVEN) + (0x80 - bound) * EACH) | octets) & TOP;
    }

    /**
     * Relaxed: the octets below 32 (tab, CR, LF, other controls), and the octets up to 32 (a space) followed by one
     * up to 32 (white space, a line end, a control). {@code low} and {@code followingLow} are {@code below(.., 33)}
     * of these eight octets and of the eight after them. Of the octets up to 32, only the space has bit 5 set, so
     * {@code octets << 2} (bit 5 of each octet moved to its top bit) tells the space from the controls without a
     * second comparison.
     */
    private static long suspects(long octets, long low, long followingLow) {
        return low & ~((octets << 2) & ~((low >>> 8) | (followingLow << 56)));
    }

    /** Simple: the CRs and LFs. */
    private static long simpleSuspects(long octets) {
        return below(octets ^ ('\r' * EACH), 1) | below(octets ^ ('\n' * EACH), 1);
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
        if (length < DIRECT) {
            if (staged + length > STAGE) {
                flushStage();
            }
            if (offset + length + Long.BYTES <= octets.length) {
                // eight octets at a time; the last long may carry octets past the stretch into the slack at the
                // end of the stage, where the next octets overwrite them
                for (int k = 0; k < length; k += Long.BYTES) {
                    OCTETS_AS_LONG.set(stage, staged + k, (long) OCTETS_AS_LONG.get(octets, offset + k));
                }
            } else {
                System.arraycopy(octets, offset, stage, staged, length);
            }
            staged += length;
            return;
        }
        flushStage();
        canonicalLength += length;
        int hashing = (int) Math.min(length, unhashed);
        if (hashing > 0) {
            unhashed -= hashing;
            digest.update(octets, offset, hashing);
        }
    }

    private void produce(byte octet) {
        if (staged >= STAGE) {
            flushStage();
        }
        stage[staged++] = octet;
    }

    /** Hashes the staged octets, as many as the limit still takes. */
    private void flushStage() {
        int hashing = (int) Math.min(staged, unhashed);
        if (hashing > 0) {
            unhashed -= hashing;
            digest.update(stage, 0, hashing);
        }
        canonicalLength += staged;
        staged = 0;
    }
}
