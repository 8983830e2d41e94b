package org.tesjames.core.dane.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.tesjames.core.dane.tls.DaneConnectionPolicies;
import org.tesjames.core.dane.tls.DaneFailures;

/**
 * The {@link DeliveryPlan} of the delivery running on the current thread. JavaMail creates the socket factories
 * by class name and gives them nothing but the host name, on the thread that called {@code Transport.connect}:
 * the delivery code binds the plan of the destination to that thread before connecting, and
 * {@link DaneRoutingSocketFactory} and {@link org.tesjames.core.dane.tls.DaneSocketFactory} read it there.
 *
 * <p>A new binding replaces the previous one of the thread (one destination at a time per thread); the TLS
 * policies of its hosts are bound in {@link DaneConnectionPolicies} for the same thread, and the failures recorded
 * for the previous destination ({@link DaneFailures}) are forgotten.
 */
public final class DeliveryPlans {
    private static final ThreadLocal<Bound> CURRENT = new ThreadLocal<>();

    private DeliveryPlans() {
    }

    private record Bound(DeliveryPlan plan, List<DaneConnectionPolicies.Registration> registrations) {
    }

    /**
     * Binds a plan to the current thread, replacing the previous one.
     *
     * @param plan the plan of the destination about to be delivered to
     */
    public static void bind(DeliveryPlan plan) {
        clear();
        DaneFailures.clear();
        List<DaneConnectionPolicies.Registration> registrations = new ArrayList<>();
        for (HostPlan host : plan.hosts()) {
            host.tls().ifPresent(policy -> registrations.add(
                DaneConnectionPolicies.bindToCurrentThread(host.host(), policy)));
        }
        CURRENT.set(new Bound(plan, registrations));
    }

    /** Removes the plan bound to the current thread, if any. */
    public static void clear() {
        Bound bound = CURRENT.get();
        if (bound != null) {
            bound.registrations().forEach(DaneConnectionPolicies.Registration::close);
            CURRENT.remove();
        }
    }

    /** @return the plan bound to the current thread */
    public static Optional<DeliveryPlan> current() {
        Bound bound = CURRENT.get();
        return bound == null ? Optional.empty() : Optional.of(bound.plan());
    }

    /**
     * The plan of a host in the plan bound to the current thread.
     *
     * @param host the host name
     * @return its plan
     */
    public static Optional<HostPlan> host(String host) {
        return current().flatMap(plan -> plan.host(host));
    }
}
