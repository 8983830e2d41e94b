package org.tesjames.core.dkim;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optional 64-octet step of {@link BodyHasher}'s relaxed canonicalisation, on the JDK's incubating Vector API
 * ({@code jdk.incubator.vector}). Only {@link BodyHasher} touches this class, and only after it found the
 * module in the JVM ({@code BodyHasher.vectorStepUnavailable}): a JVM without the module never loads it.
 *
 * <p>One step takes 64 octets as one vector and cuts the block after its last content octet (neither white space
 * nor CR nor LF), so that every run of white space in it ends inside it. If every LF in the cut follows a CR (no bare
 * LF or CR, which the scalar step handles), the edits of RFC 6376 section 3.4.4 are bit operations on three 64-bit
 * masks (white space, CR, LF): the second and later octets of each run are dropped, a run that ends at a CR is
 * dropped whole (trailing white space), tabs become spaces, and the kept octets are packed by one {@code compress}
 * into the output. Nothing branches on where the edits fall.
 *
 * <p>{@code compress} exists from JDK 19 on; the class is compiled against Java 17's version of the module, so it is
 * called through a method handle found at start ({@link #supported()} is false where it is missing).
 */
final class RelaxedVectorStep {
    /** The octets one step reads; it may write as many into the output, past what it produces. */
    static final int BLOCK = 64;

    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_512;
    private static final MethodHandle COMPRESS = compressHandle();

    private RelaxedVectorStep() {
    }

    /** Whether the step can run here: the JDK's vectors have {@code compress} (JDK 19 and later). */
    static boolean supported() {
        return COMPRESS != null;
    }

    /**
     * Whether the step is fast here: the JVM's preferred vector holds the whole block (64 octets, as with AVX-512);
     * otherwise each operation is spread over narrower ones or emulated.
     */
    static boolean fast() {
        return ByteVector.SPECIES_PREFERRED.vectorByteSize() >= BLOCK;
    }

    /**
     * Canonicalises octets from {@code octets[from]} into {@code out[at]}, one block after the other, while a whole
     * block lies before {@code end} and {@code at} is below {@code outLimit} ({@code out} has {@link #BLOCK} octets
     * beyond it). The octet before {@code octets[from]} is content, or the LF of a CRLF already produced. Stops, too,
     * at a block that needs the scalar step: one with no content octet, or with a bare CR or LF before its last
     * content octet. Returns the octets consumed (shifted left 32) and produced (low half), both 0 when the first
     * block needs the scalar step. One call covers many blocks, so the loop runs in one compiled method.
     */
    static long run(byte[] octets, int from, int end, byte[] out, int at, int outLimit) {
        int i = from;
        int o = at;
        while (i <= end - BLOCK && o < outLimit) {
            ByteVector block = ByteVector.fromArray(SPECIES, octets, i);
            VectorMask<Byte> whiteSpace = block.eq((byte) ' ').or(block.eq((byte) '\t'));
            long space = whiteSpace.toLong();
            long cr = block.eq((byte) '\r').toLong();
            long lf = block.eq((byte) '\n').toLong();
            long content = ~(space | cr | lf);
            int consumed = Long.SIZE - Long.numberOfLeadingZeros(content);
            long cut = consumed == Long.SIZE ? -1L : (1L << consumed) - 1;
            if (content == 0 || (lf & cut) != ((cr << 1) & cut)) {
                break;
            }
            space &= cut;
            long runStarts = space & ~(space << 1);
            long runEndsAtCr = space & ~(space >>> 1) & (cr >>> 1);
            // the runs that end at a CR, whole: on the reversed masks each such run starts at its bit of
            // runEndsAtCr, and adding that bit clears the run
            long reversed = Long.reverse(space);
            long trailing = Long.reverse(reversed & ~(reversed + Long.reverse(runEndsAtCr)));
            long keep = ~((space & ~runStarts) | trailing) & cut;
            compress(block.blend((byte) ' ', whiteSpace), VectorMask.fromLong(SPECIES, keep)).intoArray(out, o);
            i += consumed;
            o += Long.bitCount(keep);
        }
        return ((long) (i - from) << 32) | (o - at);
    }

    private static ByteVector compress(ByteVector octets, VectorMask<Byte> keep) {
        try {
            return (ByteVector) COMPRESS.invokeExact(octets, keep);
        } catch (Throwable e) {
            throw new IllegalStateException("the vector compress failed", e);
        }
    }

    private static MethodHandle compressHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(ByteVector.class, "compress",
                MethodType.methodType(ByteVector.class, VectorMask.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
