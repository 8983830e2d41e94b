package org.tesjames.core.submission;

import java.time.Instant;

/** What {@link AuthFailureLimiter} says about an {@code AUTH} attempt or a failed one. */
public sealed interface AuthLimitDecision {
    /** The failures of the client's address within the window, this one included when one was recorded. */
    int addressFailures();

    /** The client may (still) try: before an attempt, or after a failure below both limits. */
    record Allow(int sessionFailures, int addressFailures) implements AuthLimitDecision {
    }

    /** The session reached its limit of failures: close it. */
    record SessionLimit(int sessionFailures, int addressFailures) implements AuthLimitDecision {
    }

    /**
     * The client's address reached its limit within the window: no {@code AUTH} from it until {@code until}; close
     * the session.
     */
    record AddressLocked(int addressFailures, Instant until) implements AuthLimitDecision {
    }
}
