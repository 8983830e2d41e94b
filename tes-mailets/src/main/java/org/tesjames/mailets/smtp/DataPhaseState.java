package org.tesjames.mailets.smtp;

import java.util.function.Function;

import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.smtpserver.ExtendedSMTPSession;

/**
 * What a TES line filter keeps for the current transaction, found again at each line of DATA without asking
 * James's session for it at every line.
 *
 * <p>James 3.8.1 calls a {@code DataLineFilter} once per line of the message, with the session and nothing else, so
 * the filter finds its state in the session's attachments. Each {@code getAttachment} allocates (its key's
 * {@code hashCode} is {@code Objects.hash}, and it returns a new {@code Optional} through two more): the lookups of
 * the two TES filters allocated about 1.6 MB on the event loop for each 1 MB message.
 *
 * <p>Each thread keeps one entry: the DATA phase whose lines it handled last and the value looked up in it. A phase
 * is known by the identity of the message writer James creates for it ({@code ExtendedSMTPSession}'s
 * {@code getMimeMessageWriter()}: a new object at each DATA command, dropped when the transaction ends), so an
 * entry never answers for another transaction or another session, whatever the thread. An event loop hands over
 * the lines of one read of one connection together, so the entry is found again for nearly every line. The value is
 * looked up once per phase and thread, and must not be replaced in the session while the phase lasts. A session
 * without such a writer (another transport, or a test's session) is asked at every line, as before.
 *
 * @param <T> the value kept per transaction
 */
final class DataPhaseState<T> {
    private final Function<SMTPSession, T> lookup;
    /** A plain thread-local: James's event loops are not Netty's {@code FastThreadLocalThread}s. */
    private final ThreadLocal<Entry<T>> last = ThreadLocal.withInitial(Entry::new);

    /** @param lookup the value of the session's current transaction (it may create and attach it); null for none */
    DataPhaseState(Function<SMTPSession, T> lookup) {
        this.lookup = lookup;
    }

    /**
     * The DATA phase the session is in: James's message writer for it, a new object at each DATA command; null
     * outside DATA, or for a session that is not James's SMTP server's.
     */
    static Object phase(SMTPSession session) {
        return session instanceof ExtendedSMTPSession extended ? extended.getMimeMessageWriter() : null;
    }

    /** The value of the session's current transaction, during DATA. */
    T get(SMTPSession session) {
        Object phase = phase(session);
        if (phase == null) {
            return lookup.apply(session);
        }
        Entry<T> entry = last.get();
        if (entry.phase != phase) {
            entry.value = lookup.apply(session);
            entry.phase = phase;
        }
        return entry.value;
    }

    /**
     * Whether {@code line} (as James hands it to a line filter, line end included) is the one that ends DATA: James's
     * own test ({@code DataLineJamesMessageHookHandler}).
     */
    static boolean endsData(byte[] line) {
        return line.length == 3 && line[0] == '.';
    }

    /**
     * At the line that ends DATA: this thread forgets its entry, so that it does not keep the message writer of an
     * ended phase (and whatever it holds) until its next message. A session that ends in the middle of DATA leaves
     * its entry until the thread's next message: at most one per thread.
     */
    void end() {
        Entry<T> entry = last.get();
        entry.phase = null;
        entry.value = null;
    }

    private static final class Entry<T> {
        Object phase;
        T value;
    }
}
