package org.tesjames.core.dane.delivery;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;

/**
 * What to do with one MX host of a destination.
 *
 * @param host the MX host name, lower case, without trailing dot
 * @param action what to do
 * @param address the DNS address to connect to (absent for {@link Action#REFUSE} without address)
 * @param tls the TLS policy for STARTTLS (absent for {@link Action#REFUSE})
 * @param outcome the DANE outcome of the host (or {@link DaneHostOutcome#INDETERMINATE} when unknown)
 * @param reason one line for logs and DSNs
 */
public record HostPlan(String host, Action action, Optional<InetAddress> address, Optional<DaneConnectionPolicy> tls,
                       DaneHostOutcome outcome, String reason) {

    /** The ways a host is used. */
    public enum Action {
        /** STARTTLS required, the server authenticated by its TLSA RRset. */
        DANE_TLS,
        /** STARTTLS required, no authentication (secure but unusable TLSA RRset, opportunistic policy). */
        TLS_UNAUTHENTICATED,
        /** STARTTLS when offered, no authentication; plaintext only when STARTTLS is not offered. */
        OPPORTUNISTIC_TLS,
        /**
         * STARTTLS required, TLS 1.2 or newer, the server authenticated by a trusted CA for the MX host name: an MX
         * host listed by the {@code enforce} MTA-STS policy of the destination (RFC 8461 section 4).
         */
        STS_TLS,
        /** The host is not used: the connection fails (temporarily) with {@link HostPlan#reason()}. */
        REFUSE
    }

    public HostPlan {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        if (action != Action.REFUSE && (address.isEmpty() || tls.isEmpty())) {
            throw new IllegalArgumentException("a usable host needs an address and a TLS policy");
        }
    }

    /** @return whether the SMTP session must be upgraded with STARTTLS before any mail command */
    public boolean tlsRequired() {
        return action == Action.DANE_TLS || action == Action.TLS_UNAUTHENTICATED || action == Action.STS_TLS;
    }

    /**
     * A refused host.
     *
     * @param host the host name
     * @param address its address, if known
     * @param outcome its DANE outcome
     * @param reason why it is not used
     * @return the plan
     */
    public static HostPlan refuse(String host, Optional<InetAddress> address, DaneHostOutcome outcome, String reason) {
        return new HostPlan(host, Action.REFUSE, address, Optional.empty(), outcome, reason);
    }
}
