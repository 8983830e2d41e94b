package org.tesjames.core.sts;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.tesjames.core.tlsrpt.ResultType;

/** What MTA-STS says about a destination domain right now: a policy to apply, or none. */
public sealed interface StsLookup {
    /** @return the policy domain */
    String domain();

    /** How the policy in use was obtained. */
    enum Source {
        /** Fetched now (first use, a new id in the TXT record, or the cached one expired). */
        FETCHED("fetched"),
        /** The cached policy, whose id the TXT record still names (or the TXT record is gone: RFC 8461 8.3). */
        CACHED("cached"),
        /** The cached policy, unexpired, because a refresh was needed but failed: it keeps protecting. */
        CACHED_AFTER_FAILURE("cached-after-failure");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        /** @return the name in logs and metrics */
        public String label() {
            return label;
        }
    }

    /**
     * A policy applies.
     *
     * @param domain the policy domain
     * @param policy the policy
     * @param id the id it was fetched under
     * @param fetchedAt when it was fetched
     * @param source how it was obtained now
     * @param problem why a needed refresh failed ({@link Source#CACHED_AFTER_FAILURE}), with its RFC 8460 type
     */
    record Found(String domain, StsPolicy policy, String id, Instant fetchedAt, Source source,
                 Optional<Problem> problem) implements StsLookup {
        public Found {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(fetchedAt, "fetchedAt");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(problem, "problem");
        }

        /** @return when the policy stops applying unless refreshed */
        public Instant expiresAt() {
            return fetchedAt.plus(policy.maxAge());
        }
    }

    /**
     * No policy applies: delivery goes on as without MTA-STS (RFC 8461 section 5).
     *
     * @param domain the policy domain
     * @param reason one line
     * @param problem the failure to report, when the domain published a record but no policy could be had
     */
    record None(String domain, String reason, Optional<Problem> problem) implements StsLookup {
        public None {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(problem, "problem");
        }
    }

    /**
     * A failure of the policy discovery.
     *
     * @param type {@code sts-policy-fetch-error}, {@code sts-policy-invalid} or {@code sts-webpki-invalid}
     * @param detail one line
     */
    record Problem(ResultType type, String detail) {
        @Override
        public String toString() {
            return type.label() + ": " + detail;
        }
    }
}
