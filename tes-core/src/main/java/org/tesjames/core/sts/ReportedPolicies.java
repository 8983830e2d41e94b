package org.tesjames.core.sts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.dane.delivery.DeliveryPlan;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;
import org.tesjames.core.tlsrpt.PolicyType;
import org.tesjames.core.tlsrpt.TlsPolicy;

/**
 * The policy each host's TLS sessions are reported under in SMTP TLS Reporting (RFC 8460 section 4.4): the TLSA
 * RRset of a DANE host, the MTA-STS policy of a host it governs ({@code enforce} or {@code testing}), else
 * {@code no-policy-found}. Refused hosts have no session and no entry.
 */
public final class ReportedPolicies {
    private ReportedPolicies() {
    }

    /**
     * @param plan the plan carried out
     * @param sts the MTA-STS outcome of the destination, if it was looked up
     * @return host name to policy
     */
    public static Map<String, TlsPolicy> of(DeliveryPlan plan, Optional<StsLookup> sts) {
        Optional<TlsPolicy> stsPolicy = sts.filter(StsLookup.Found.class::isInstance).map(StsLookup.Found.class::cast)
            .map(found -> new TlsPolicy(PolicyType.STS, plan.domain(), found.policy().text().lines().toList(),
                found.policy().mx()));
        Map<String, TlsPolicy> policies = new LinkedHashMap<>();
        for (HostPlan host : plan.hosts()) {
            if (host.tls().isEmpty()) {
                continue;
            }
            DaneConnectionPolicy tls = host.tls().get();
            TlsPolicy policy = switch (tls.mode()) {
                case DANE -> new TlsPolicy(PolicyType.TLSA, plan.domain(),
                    tls.tlsaRecords().stream().map(TlsaRecord::toString).toList(), List.of());
                case WEBPKI, WEBPKI_TESTING -> stsPolicy.orElseGet(() -> TlsPolicy.none(plan.domain()));
                case UNAUTHENTICATED -> TlsPolicy.none(plan.domain());
            };
            policies.put(host.host(), policy);
        }
        return policies;
    }
}
