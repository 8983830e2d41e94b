package org.tesjames.core.sts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.delivery.DeliveryPlan;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;
import org.tesjames.core.tlsrpt.PolicyType;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.core.tlsrpt.SessionOutcomes;
import org.tesjames.core.tlsrpt.TlsPolicy;

/**
 * The policy each host's TLS sessions are reported under in SMTP TLS Reporting (RFC 8460 section 4.4): the TLSA
 * RRset of a DANE host, the MTA-STS policy of a host it governs ({@code enforce} or {@code testing}), else
 * {@code no-policy-found}. Refused hosts have no session: {@link #refusals} says which of them count.
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

    /**
     * The refused hosts whose refusal counts as a failed session in a TLS report, each with its policy and result
     * type (RFC 8460 section 4.3): a failed DANE lookup (bogus, SERVFAIL, timeout) is {@code dnssec-invalid} under
     * {@code tlsa}; with {@code dane-required}, a secure TLSA RRset without usable record is {@code tlsa-invalid}
     * under {@code tlsa} and no (secure) TLSA RRset is {@code dane-required} under {@code no-policy-found}; an MX
     * host an {@code enforce} MTA-STS policy does not list is {@code validation-failure} under {@code sts}. A host
     * refused for want of an address, and a failed MX lookup of the destination, are no TLS matter and not counted.
     *
     * @param plan the plan carried out
     * @param sts the MTA-STS outcome of the destination, if it was looked up
     * @return host name to what its refusal is reported as
     */
    public static Map<String, SessionOutcomes.Refusal> refusals(DeliveryPlan plan, Optional<StsLookup> sts) {
        Optional<StsLookup.Found> enforce = sts.filter(StsLookup.Found.class::isInstance)
            .map(StsLookup.Found.class::cast).filter(found -> found.policy().mode() == StsPolicy.Mode.ENFORCE);
        Map<String, SessionOutcomes.Refusal> refusals = new LinkedHashMap<>();
        for (HostPlan host : plan.hosts()) {
            if (host.action() != HostPlan.Action.REFUSE || host.address().isEmpty()
                && host.outcome() != DaneHostOutcome.INDETERMINATE || host.host().equals(plan.domain())) {
                continue;
            }
            TlsPolicy tlsa = new TlsPolicy(PolicyType.TLSA, plan.domain(), List.of(), List.of());
            if (host.outcome() == DaneHostOutcome.INDETERMINATE) {
                refusals.put(host.host(), new SessionOutcomes.Refusal(tlsa, ResultType.DNSSEC_INVALID));
            } else if (plan.policy() == DeliveryPolicy.DANE_REQUIRED) {
                refusals.put(host.host(), host.outcome() == DaneHostOutcome.SECURE_UNUSABLE
                    ? new SessionOutcomes.Refusal(tlsa, ResultType.TLSA_INVALID)
                    : new SessionOutcomes.Refusal(TlsPolicy.none(plan.domain()), ResultType.DANE_REQUIRED));
            } else if (enforce.isPresent() && !enforce.get().policy().admits(host.host())) {
                refusals.put(host.host(), new SessionOutcomes.Refusal(new TlsPolicy(PolicyType.STS, plan.domain(),
                    enforce.get().policy().text().lines().toList(), enforce.get().policy().mx()),
                    ResultType.VALIDATION_FAILURE));
            }
        }
        return refusals;
    }
}
