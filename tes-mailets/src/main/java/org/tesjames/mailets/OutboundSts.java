package org.tesjames.mailets;

import java.util.Objects;
import java.util.Optional;

import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.sts.WebPkiTrust;

/**
 * MTA-STS for {@link TesRemoteDelivery} as {@code tes.properties} configures it ({@code sts.*}): the policy
 * discovery and cache shared by every delivery, and the trusted CAs; or disabled.
 */
public final class OutboundSts {
    private final Optional<StsPolicies> policies;
    private final Optional<WebPkiTrust> trust;

    private OutboundSts(Optional<StsPolicies> policies, Optional<WebPkiTrust> trust) {
        this.policies = policies;
        this.trust = trust;
    }

    /** @return MTA-STS switched off ({@code sts.enabled=false}) */
    public static OutboundSts disabled() {
        return new OutboundSts(Optional.empty(), Optional.empty());
    }

    /**
     * @param policies the discovery and cache
     * @param trust the trusted CAs
     * @return MTA-STS switched on
     */
    public static OutboundSts enabled(StsPolicies policies, WebPkiTrust trust) {
        return new OutboundSts(Optional.of(Objects.requireNonNull(policies)), Optional.of(Objects.requireNonNull(trust)));
    }

    /** @return the discovery and cache, absent while MTA-STS is switched off */
    public Optional<StsPolicies> policies() {
        return policies;
    }

    Optional<WebPkiTrust> trust() {
        return trust;
    }
}
