package org.tesjames.core.sts;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.tesjames.core.dane.delivery.DeliveryPlan;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;
import org.tesjames.core.tls.TlsVersion;

/**
 * Applies the MTA-STS policy of a destination to its opportunistic DANE plan (RFC 8461 sections 2 and 5). Pure and
 * thread-safe.
 *
 * <ul>
 * <li>Only {@link DeliveryPolicy#DANE_OPPORTUNISTIC} plans change: TES member domains stay DANE-required.</li>
 * <li>No policy, or mode {@code none}: the plan as it is.</li>
 * <li>A host DANE authenticates ({@link HostPlan.Action#DANE_TLS}: a secure, usable TLSA RRset) stays so: DANE
 * takes precedence (RFC 8461 section 2). A refused host stays refused.</li>
 * <li>{@code enforce}: a host the policy does not list is refused ("not listed in the MTA-STS policy"); a listed
 * host gets {@link HostPlan.Action#STS_TLS}: STARTTLS required (no plaintext, not even when STARTTLS is not
 * offered), TLS 1.2 or newer, a certificate from a trusted CA valid for the MX host name.</li>
 * <li>{@code testing}: delivery as before (the same actions), but the TLS certificate of the hosts is checked as
 * {@code enforce} would and a failure only logged; the reason says whether the host is listed.</li>
 * </ul>
 */
public final class StsDeliveryRules {
    private final WebPkiTrust trust;
    private final TlsVersion minimumProtocol;

    /**
     * @param trust the trusted CAs
     * @param minimumProtocol the configured minimum; STS connections use TLS 1.2 at least
     */
    public StsDeliveryRules(WebPkiTrust trust, TlsVersion minimumProtocol) {
        this.trust = Objects.requireNonNull(trust, "trust");
        this.minimumProtocol = minimumProtocol.compareTo(TlsVersion.TLS_V1_2) < 0 ? TlsVersion.TLS_V1_2
            : minimumProtocol;
    }

    /**
     * @param plan the DANE plan of the destination
     * @param lookup the MTA-STS outcome of the destination domain
     * @return the plan to carry out
     */
    public DeliveryPlan apply(DeliveryPlan plan, StsLookup lookup) {
        if (plan.policy() != DeliveryPolicy.DANE_OPPORTUNISTIC || !(lookup instanceof StsLookup.Found found)
            || found.policy().mode() == StsPolicy.Mode.NONE) {
            return plan;
        }
        boolean enforce = found.policy().mode() == StsPolicy.Mode.ENFORCE;
        String policyText = "MTA-STS policy of " + found.domain() + " (" + found.policy().mode().label() + ", id "
            + found.id() + ", mx " + found.policy().mx() + ")";
        List<HostPlan> hosts = new ArrayList<>();
        for (HostPlan host : plan.hosts()) {
            if (host.action() == HostPlan.Action.DANE_TLS || host.action() == HostPlan.Action.REFUSE) {
                hosts.add(host);
                continue;
            }
            boolean listed = found.policy().admits(host.host());
            if (enforce && !listed) {
                hosts.add(HostPlan.refuse(host.host(), host.address(), host.outcome(), host.host()
                    + " is not listed in the " + policyText));
            } else if (enforce) {
                hosts.add(new HostPlan(host.host(), HostPlan.Action.STS_TLS, host.address(),
                    Optional.of(DaneConnectionPolicy.webPki(trust, minimumProtocol, true)), host.outcome(),
                    "listed in the " + policyText));
            } else {
                hosts.add(new HostPlan(host.host(), host.action(), host.address(),
                    Optional.of(DaneConnectionPolicy.webPki(trust, host.tls().orElseThrow().minimumProtocol(), false)),
                    host.outcome(), host.reason() + "; " + (listed ? "listed in the " : "not listed in the ")
                    + policyText));
            }
        }
        return new DeliveryPlan(plan.domain(), plan.policy(), hosts);
    }
}
