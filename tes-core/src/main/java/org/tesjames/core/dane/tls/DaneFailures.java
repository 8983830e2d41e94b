package org.tesjames.core.dane.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * Why the connections of the current delivery attempt failed, per thread ("host: reason"), so that the delivery
 * code can put the reasons into the bounce: JavaMail wraps them in generic messages ("Could not convert socket to
 * TLS"), and James's RemoteDelivery reports only "Too many retries" once its retries are exhausted. Cleared when a
 * new destination is bound to the thread.
 */
public final class DaneFailures {
    private static final ThreadLocal<List<String>> FAILURES = ThreadLocal.withInitial(ArrayList::new);

    private DaneFailures() {
    }

    /**
     * Records the failure of a connection on the current thread.
     *
     * @param host the host name
     * @param reason one line
     */
    public static void record(String host, String reason) {
        String entry = host + ": " + reason;
        List<String> failures = FAILURES.get();
        if (!failures.contains(entry)) {
            failures.add(entry);
        }
    }

    /** @return the failures recorded on the current thread since the last {@link #clear()}, in order */
    public static List<String> current() {
        return List.copyOf(FAILURES.get());
    }

    /** Forgets the failures recorded on the current thread. */
    public static void clear() {
        FAILURES.remove();
    }
}
