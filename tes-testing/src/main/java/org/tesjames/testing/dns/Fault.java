package org.tesjames.testing.dns;

import java.time.Duration;
import java.util.Objects;
import org.xbill.DNS.Rcode;

/**
 * A fault the {@link TestDnsServer} injects into its answers to one name (and optionally one type), set
 * with {@link TestDnsServer#fault(String, int, Fault)} and friends. Instances are immutable; the
 * modifiers {@link #times(int)} and {@link #delayedBy(Duration)} return new instances.
 *
 * <p>The kinds:
 *
 * <ul>
 *   <li>{@link #noAnswer()}: the query is dropped, the client times out;
 *   <li>{@link #servfail()}, {@link #refused()}, {@link #rcode(int)}: an answer with that RCODE, the
 *       question echoed and no records;
 *   <li>{@link #truncated()}: over UDP the answer carries the TC flag and empty sections, so the client
 *       retries over TCP, where the full answer is given (the fault does not fire, nor count, on TCP);
 *   <li>{@link #malformed()}: a packet the client cannot parse, see {@link Kind#MALFORMED};
 *   <li>{@link #delay(Duration)}: the normal answer, sent after the delay.
 * </ul>
 *
 * <p>Any kind can be combined with a delay ({@link #delayedBy(Duration)}) and limited to the next
 * <i>n</i> matching queries ({@link #times(int)}), after which the server answers normally again: for
 * example {@code Fault.servfail().times(2)} fails the next two queries, then DNS "recovers".
 */
public final class Fault {

    /** What the server does instead of (or in addition to) answering normally. */
    public enum Kind {
        /** Send nothing: the client times out (a TCP connection stays open, without an answer). */
        NO_ANSWER,
        /** Answer with an error RCODE ({@link Fault#rcode()}), the question echoed, no records. */
        RCODE,
        /**
         * Over UDP, answer with the TC flag set and empty answer/authority/additional sections (the OPT
         * record kept if the query had one); over TCP, answer normally.
         */
        TRUNCATED,
        /**
         * Send a packet that cannot be parsed but carries the query's ID (so the client does not discard
         * it as someone else's): a 12-byte header (ID, flags QR+RD+RA, RCODE NOERROR, QDCOUNT 1, ANCOUNT 1),
         * the question echoed, then an A record for the question name whose RDLENGTH says 4 but that is
         * cut after 2 bytes of RDATA. dnsjava fails with a {@code WireParseException}. Over TCP the same
         * bytes are sent with the 2-byte length prefix.
         */
        MALFORMED,
        /** Answer normally, after {@link Fault#delay()}. */
        DELAY
    }

    /** Used by {@link #times()} for a fault that never wears off. */
    public static final int UNLIMITED = -1;

    private final Kind kind;
    private final int rcode;
    private final Duration delay;
    private final int times;

    private Fault(Kind kind, int rcode, Duration delay, int times) {
        this.kind = kind;
        this.rcode = rcode;
        this.delay = delay;
        this.times = times;
    }

    /**
     * Drop the query: no answer at all, the client times out.
     *
     * @return the fault
     */
    public static Fault noAnswer() {
        return new Fault(Kind.NO_ANSWER, Rcode.NOERROR, Duration.ZERO, UNLIMITED);
    }

    /**
     * Answer {@code SERVFAIL}.
     *
     * @return the fault
     */
    public static Fault servfail() {
        return rcode(Rcode.SERVFAIL);
    }

    /**
     * Answer {@code REFUSED}.
     *
     * @return the fault
     */
    public static Fault refused() {
        return rcode(Rcode.REFUSED);
    }

    /**
     * Answer with the given RCODE (0 to 15, e.g. {@link Rcode#NXDOMAIN} without SOA, or
     * {@link Rcode#NOTIMP}) and no records.
     *
     * @param rcode a dnsjava {@link Rcode} value from 0 to 15
     * @return the fault
     */
    public static Fault rcode(int rcode) {
        if (rcode < 0 || rcode > 0xF) {
            throw new IllegalArgumentException("RCODE must be between 0 and 15: " + rcode);
        }
        return new Fault(Kind.RCODE, rcode, Duration.ZERO, UNLIMITED);
    }

    /**
     * Truncate UDP answers (TC flag, empty sections), forcing the client to retry over TCP, where the full
     * answer is given.
     *
     * @return the fault
     */
    public static Fault truncated() {
        return new Fault(Kind.TRUNCATED, Rcode.NOERROR, Duration.ZERO, UNLIMITED);
    }

    /**
     * Answer with an unparsable packet carrying the query's ID; see {@link Kind#MALFORMED} for the bytes.
     *
     * @return the fault
     */
    public static Fault malformed() {
        return new Fault(Kind.MALFORMED, Rcode.NOERROR, Duration.ZERO, UNLIMITED);
    }

    /**
     * Answer normally, but only after the given delay. Other queries are not held up meanwhile.
     *
     * @param delay the latency to add, positive
     * @return the fault
     */
    public static Fault delay(Duration delay) {
        return new Fault(Kind.DELAY, Rcode.NOERROR, checkDelay(delay), UNLIMITED);
    }

    /**
     * Returns this fault limited to the next {@code n} matching queries; afterwards the server answers
     * normally and the fault is removed.
     *
     * @param n how many queries the fault applies to, at least 1
     * @return a new fault
     */
    public Fault times(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("times must be at least 1: " + n);
        }
        return new Fault(kind, rcode, delay, n);
    }

    /**
     * Returns this fault applied after the given delay (e.g. a SERVFAIL that comes late). For
     * {@link Kind#NO_ANSWER} a delay changes nothing visible.
     *
     * @param delay the latency to add, positive
     * @return a new fault
     */
    public Fault delayedBy(Duration delay) {
        return new Fault(kind, rcode, checkDelay(delay), times);
    }

    /**
     * The kind of fault.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The RCODE answered, meaningful for {@link Kind#RCODE}.
     *
     * @return the RCODE
     */
    public int rcode() {
        return rcode;
    }

    /**
     * The delay before the (faulty or normal) answer is sent; {@link Duration#ZERO} for none.
     *
     * @return the delay
     */
    public Duration delay() {
        return delay;
    }

    /**
     * How many matching queries the fault applies to, or {@link #UNLIMITED}.
     *
     * @return the count given to {@link #times(int)}, or {@link #UNLIMITED}
     */
    public int times() {
        return times;
    }

    private static Duration checkDelay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("delay must be positive: " + delay);
        }
        return delay;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Fault)) {
            return false;
        }
        Fault other = (Fault) o;
        return kind == other.kind && rcode == other.rcode && times == other.times && delay.equals(other.delay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, rcode, delay, times);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(kind.name());
        if (kind == Kind.RCODE) {
            sb.append('(').append(Rcode.string(rcode)).append(')');
        }
        if (!delay.isZero()) {
            sb.append(" after ").append(delay.toMillis()).append("ms");
        }
        if (times != UNLIMITED) {
            sb.append(" x").append(times);
        }
        return sb.toString();
    }
}
