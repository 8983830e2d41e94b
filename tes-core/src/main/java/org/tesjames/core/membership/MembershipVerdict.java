package org.tesjames.core.membership;

import java.time.Duration;
import java.util.Objects;

import org.xbill.DNS.Name;

/**
 * The membership of a domain: {@link Member}, {@link NotMember} (a definite answer of the DNS, or an invalid
 * domain), or {@link TemporaryFailure} (the DNS could not answer: the caller must defer, never treat it as
 * "not a member", which would let an outage downgrade a member).
 */
public sealed interface MembershipVerdict {
    /** The normalised domain (lower case, A-labels, no trailing dot) or the input when it is invalid. */
    String domain();

    /** How long the verdict holds: the smallest TTL of the answers behind it; zero for a temporary failure. */
    Duration ttl();

    /** The verdict in one line, for logs and replies: domain, outcome, and step and reason when not a member. */
    default String describe() {
        if (this instanceof Member member) {
            return member.domain() + " is a member (master " + member.master() + ")";
        }
        if (this instanceof NotMember notMember) {
            return notMember.domain() + " is not a member (" + notMember.step().description() + ": "
                + notMember.reason() + ")";
        }
        TemporaryFailure failure = (TemporaryFailure) this;
        return failure.domain() + " membership lookup failed (" + failure.step().description() + ": "
            + failure.reason() + ")";
    }

    /** A member: the chain holds. {@code ttl} is the smallest TTL of the three answers. */
    record Member(String domain, Name master, Duration ttl) implements MembershipVerdict {
        public Member {
            Objects.requireNonNull(domain);
            Objects.requireNonNull(master);
            Objects.requireNonNull(ttl);
        }
    }

    /**
     * Not a member: the step that failed, and why. {@code ttl} is the smallest TTL of the answers that led here
     * (zero for an invalid domain, which needs no lookup).
     */
    record NotMember(String domain, Step step, String reason, Duration ttl) implements MembershipVerdict {
        public NotMember {
            Objects.requireNonNull(domain);
            Objects.requireNonNull(step);
            Objects.requireNonNull(reason);
            Objects.requireNonNull(ttl);
        }
    }

    /** The DNS could not answer at {@code step}: defer. */
    record TemporaryFailure(String domain, Step step, String reason) implements MembershipVerdict {
        public TemporaryFailure {
            Objects.requireNonNull(domain);
            Objects.requireNonNull(step);
            Objects.requireNonNull(reason);
        }

        /** Never kept: the next question asks the DNS again. */
        @Override
        public Duration ttl() {
            return Duration.ZERO;
        }
    }
}
