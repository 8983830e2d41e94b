package org.tesjames.mailets;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.delivery.DeliveryPlan;
import org.tesjames.core.dane.delivery.DeliveryPlanner;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.delivery.HostPlan;

/**
 * The outbound plan of a destination domain, made the one way both the delivery ({@link DanePlanningDnsService},
 * inside {@link TesRemoteDelivery}) and the WebAdmin DANE route make it: the DNSSEC-validated {@link DaneLookup}
 * within a deadline, turned into a {@link DeliveryPlan} by a {@link DeliveryPlanner}. A lookup that does not finish
 * in time, or fails, gives a plan of one refused host named after the domain, with the reason.
 */
public final class OutboundPlanning {
    private OutboundPlanning() {
    }

    /**
     * A plan and the DANE facts it was made from.
     *
     * @param destination the facts; empty when the lookup did not finish or failed
     * @param plan the plan
     */
    public record Planned(Optional<DaneLookup.Destination> destination, DeliveryPlan plan) {
    }

    /** The deadline of a destination's DANE lookup in delivery: twice {@code lookup.timeout}. */
    public static Duration deadline(TesSettings settings) {
        return settings.lookupTimeout().multipliedBy(2);
    }

    /**
     * Looks the destination up and plans it.
     *
     * @param lookup the DANE lookup over the DNSSEC client
     * @param planner the planner
     * @param policy the policy
     * @param domain the destination domain
     * @param deadline the longest wait for the lookup
     * @return the plan, never null
     */
    public static Planned plan(DaneLookup lookup, DeliveryPlanner planner, DeliveryPolicy policy, String domain,
                               Duration deadline) {
        return start(lookup, planner, policy, domain, deadline).await();
    }

    /**
     * Starts the lookup of the destination without waiting for it, so that the caller can do other work (the
     * MTA-STS lookup of the same destination) while the DNS answers come in; {@link Pending#await()} gives the plan.
     * The deadline runs from now.
     *
     * @param lookup the DANE lookup over the DNSSEC client
     * @param planner the planner
     * @param policy the policy
     * @param domain the destination domain
     * @param deadline the longest wait for the lookup
     * @return the lookup under way
     */
    static Pending start(DaneLookup lookup, DeliveryPlanner planner, DeliveryPolicy policy, String domain,
                         Duration deadline) {
        long due = System.nanoTime() + deadline.toNanos();
        CompletableFuture<DaneLookup.Destination> started;
        try {
            started = lookup.lookup(domain).toCompletableFuture();
        } catch (IllegalArgumentException e) {
            started = CompletableFuture.failedFuture(e);
        }
        return new Pending(started, planner, policy, domain, deadline, due);
    }

    /** A destination lookup under way. */
    record Pending(CompletableFuture<DaneLookup.Destination> lookup, DeliveryPlanner planner, DeliveryPolicy policy,
                   String domain, Duration deadline, long dueNanos) {
        /** @return the plan, once the lookup has finished or its deadline has passed; never null */
        Planned await() {
            try {
                DaneLookup.Destination destination = lookup.get(Math.max(0, dueNanos - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
                return new Planned(Optional.of(destination), planner.plan(destination, policy));
            } catch (TimeoutException e) {
                return refused(domain, policy, "DANE lookup of " + domain + " did not finish within "
                    + deadline.toMillis() + " ms");
            } catch (IllegalArgumentException e) {
                return refused(domain, policy, e.getMessage());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IllegalArgumentException malformed) {
                    return refused(domain, policy, malformed.getMessage());
                }
                return refused(domain, policy, "DANE lookup of " + domain + " failed: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return refused(domain, policy, "DANE lookup of " + domain + " interrupted");
            }
        }
    }

    /**
     * The name of a value of the outbound vocabulary in metrics, logs and WebAdmin: lower case with hyphens
     * ({@code secure-usable}, {@code dane-tls}, {@code refuse}).
     */
    public static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Planned refused(String domain, DeliveryPolicy policy, String reason) {
        String name = domain.toLowerCase(Locale.ROOT);
        return new Planned(Optional.empty(), new DeliveryPlan(name, policy,
            List.of(HostPlan.refuse(name, Optional.empty(), DaneHostOutcome.INDETERMINATE, reason))));
    }
}
