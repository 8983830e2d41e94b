package org.tesjames.core.policy;

import java.util.Objects;

/**
 * What a TES policy decides about a message or a transaction: accept, reject (permanent: the sender must not
 * retry), or defer (temporary: the sender retries later, nothing is lost). The reason is the human-readable
 * text given to the peer; SMTP codes are added in one place by the SMTP adapters.
 */
public sealed interface Verdict {
    Accept ACCEPT = new Accept();

    static Verdict accept() {
        return ACCEPT;
    }

    static Verdict reject(String reason) {
        return new Reject(reason);
    }

    static Verdict defer(String reason) {
        return new Defer(reason);
    }

    record Accept() implements Verdict {
    }

    record Reject(String reason) implements Verdict {
        public Reject {
            Objects.requireNonNull(reason);
        }
    }

    record Defer(String reason) implements Verdict {
        public Defer {
            Objects.requireNonNull(reason);
        }
    }
}
