package org.tesjames.core.dane.delivery;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The MX hosts of one destination domain in preference order, each with its {@link HostPlan}. Empty when the
 * domain has no mail host (NXDOMAIN, null MX): a permanent condition. A failed MX lookup is one
 * {@link HostPlan.Action#REFUSE} entry named after the domain, so that the delivery fails temporarily with the
 * reason.
 *
 * @param domain the destination domain, lower case, without trailing dot
 * @param policy the policy the plan was made for
 * @param hosts the hosts, in preference order
 */
public record DeliveryPlan(String domain, DeliveryPolicy policy, List<HostPlan> hosts) {
    public DeliveryPlan {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(policy, "policy");
        hosts = List.copyOf(hosts);
    }

    /**
     * The plan of a host.
     *
     * @param name a host name (case and trailing dot ignored)
     * @return its plan, if the host is one of the destination's
     */
    public Optional<HostPlan> host(String name) {
        String key = normalise(name);
        return hosts.stream().filter(host -> host.host().equals(key)).findFirst();
    }

    static String normalise(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
