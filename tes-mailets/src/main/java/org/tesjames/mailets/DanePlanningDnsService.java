package org.tesjames.mailets;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.delivery.DeliveryPlan;
import org.tesjames.core.dane.delivery.DeliveryPlanner;
import org.tesjames.core.dane.delivery.DeliveryPlans;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.sts.ReportedPolicies;
import org.tesjames.core.sts.StsDeliveryRules;
import org.tesjames.core.sts.StsLookup;
import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.tlsrpt.FailureDetail;
import org.tesjames.core.tlsrpt.PolicyType;
import org.tesjames.core.tlsrpt.SessionOutcomes;
import org.tesjames.core.tlsrpt.TlsPolicy;
import org.tesjames.core.tlsrpt.TlsResultRecorder;
import org.tesjames.mailets.tlsrpt.ReportDeliveries;

/**
 * James's {@link DNSService} as RemoteDelivery inside {@link TesRemoteDelivery} sees it. RemoteDelivery asks it
 * for the MX hosts of a destination and then for their addresses, on the delivery thread, right before it
 * connects: that is the one point where the DANE plan of the destination can be made and bound to the thread
 * for the socket factories JavaMail creates by class name.
 *
 * <ul>
 * <li>{@link #findMXRecords}: the DNSSEC-validated {@link DaneLookup} of the domain, turned into a
 * {@link DeliveryPlan} for the configured policy and bound to the thread ({@link DeliveryPlans}); the hosts
 * returned are the plan's (refused hosts included, so that each fails with its reason), suffixed with
 * {@code :port} when the port is not 25. It also makes the extension's class loader the thread's context class
 * loader: JavaMail loads {@code mail.smtp.*socketFactory.class} through it, and James's delivery threads
 * otherwise carry the application class loader, which cannot see {@code extensions-jars/}.</li>
 * <li>{@link #getAllByName} / {@link #getByName}: for a host of the bound plan, its validated address (a
 * refused host without address gets {@code 0.0.0.0}, never connected to: the socket factory refuses it first);
 * anything else is asked of James's service.</li>
 * </ul>
 * For an opportunistic instance with MTA-STS on, the MTA-STS lookup of the domain runs on the delivery thread
 * while the DANE lookup, started first, waits for its DNS answers (both are cached; on a cold cache the two waits
 * overlap instead of adding up), and its policy is applied to the plan ({@link StsDeliveryRules}). Metrics:
 * {@code tes.outbound.sts.policy.<mode>.<fetched|cached|cached-after-failure>}, {@code tes.outbound.sts.no-policy},
 * {@code tes.outbound.sts.problem.<RFC 8460 result type>}; one INFO line per destination. The outcome of each TLS
 * session (and each failed policy discovery) is recorded for SMTP TLS Reporting ({@link TlsResultRecorder}, bound
 * to the thread with the policy of each host: {@link SessionOutcomes}, {@link ReportedPolicies}).
 */
final class DanePlanningDnsService implements DNSService {
    private static final Logger LOGGER = LoggerFactory.getLogger(DanePlanningDnsService.class);

    private final DNSService james;
    private final DaneLookup lookup;
    private final MetricFactory metrics;
    private final TlsResultRecorder tlsResults;
    private volatile Settings settings;

    /** What {@link TesRemoteDelivery#init()} configures. */
    record Settings(DeliveryPolicy policy, DeliveryPlanner planner, int port, Duration lookupDeadline,
                    Optional<Sts> sts) {
    }

    /** MTA-STS for the destinations of an opportunistic instance. */
    record Sts(StsPolicies policies, StsDeliveryRules rules) {
    }

    DanePlanningDnsService(DNSService james, DaneLookup lookup, MetricFactory metrics, TlsResultRecorder tlsResults) {
        this.james = james;
        this.lookup = lookup;
        this.metrics = metrics;
        this.tlsResults = tlsResults;
    }

    void configure(Settings settings) {
        this.settings = settings;
    }

    @Override
    public Collection<String> findMXRecords(String domain) {
        Thread.currentThread().setContextClassLoader(DanePlanningDnsService.class.getClassLoader());
        Settings current = settings;
        // a TLS report's own delivery is not recorded for TLS reporting (RFC 8460 section 3)
        TlsResultRecorder recorder = ReportDeliveries.deliveringReport() ? TlsResultRecorder.NONE : tlsResults;
        OutboundPlanning.Pending dane = OutboundPlanning.start(lookup, current.planner(), current.policy(), domain,
            current.lookupDeadline());
        Optional<StsLookup> sts = current.sts().map(s -> stsLookup(s.policies(), domain, recorder));
        DeliveryPlan plan = dane.await().plan();
        if (sts.isPresent()) {
            plan = current.sts().get().rules().apply(plan, sts.get());
        }
        DeliveryPlans.bind(plan);
        SessionOutcomes.bind(recorder, ReportedPolicies.of(plan, sts), ReportedPolicies.refusals(plan, sts));
        String prefix = "tes.outbound." + current.policy().label() + ".";
        metrics.generate(prefix + "destination").increment();
        if (plan.hosts().isEmpty()) {
            LOGGER.info("TES outbound {} domain {}: no mail host (NXDOMAIN or null MX)", current.policy().label(),
                domain);
        }
        for (HostPlan host : plan.hosts()) {
            metrics.generate(prefix + "host." + OutboundPlanning.label(host.action())).increment();
            metrics.generate(prefix + "dane." + OutboundPlanning.label(host.outcome())).increment();
            LOGGER.info("TES outbound {} domain {} host {}: {} ({}; {})", current.policy().label(), domain,
                host.host(), host.action(), host.outcome(), host.reason());
        }
        return plan.hosts().stream()
            .map(host -> current.port() == 25 ? host.host() : host.host() + ":" + current.port())
            .toList();
    }

    /** The MTA-STS outcome of a destination, logged and counted. */
    private StsLookup stsLookup(StsPolicies policies, String domain, TlsResultRecorder recorder) {
        StsLookup result = policies.lookup(domain);
        if (result instanceof StsLookup.Found found) {
            metrics.generate("tes.outbound.sts.policy." + found.policy().mode().label() + "."
                + found.source().label()).increment();
            LOGGER.info("TES outbound MTA-STS domain {}: policy {} (id {}, {}, expires {}, mx {}){}", domain,
                found.policy().mode().label(), found.id(), found.source().label(), found.expiresAt(),
                found.policy().mx(), found.problem().map(problem -> "; refresh failed: " + problem).orElse(""));
        } else if (result instanceof StsLookup.None none) {
            metrics.generate("tes.outbound.sts.no-policy").increment();
            LOGGER.info("TES outbound MTA-STS domain {}: no policy ({})", domain, none.reason());
        }
        sts(result).ifPresent(problem -> {
            metrics.generate("tes.outbound.sts.problem." + problem.type().label()).increment();
            recorder.failure(new TlsPolicy(PolicyType.STS, result.domain(), List.of(), List.of()),
                FailureDetail.of(problem.type(), "mta-sts." + result.domain(), Optional.empty(),
                    Optional.of(problem.detail())));
        });
        return result;
    }

    private static Optional<StsLookup.Problem> sts(StsLookup result) {
        if (result instanceof StsLookup.Found found) {
            return found.problem();
        }
        return ((StsLookup.None) result).problem();
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        Optional<HostPlan> planned = DeliveryPlans.host(host);
        if (planned.isPresent()) {
            return List.of(address(host, planned.get()));
        }
        return james.getAllByName(host);
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        Optional<HostPlan> planned = DeliveryPlans.host(host);
        if (planned.isPresent()) {
            return address(host, planned.get());
        }
        return james.getByName(host);
    }

    private static InetAddress address(String host, HostPlan plan) throws UnknownHostException {
        if (plan.address().isPresent()) {
            return plan.address().get();
        }
        return InetAddress.getByAddress(host, new byte[4]);
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return james.findTXTRecords(hostname);
    }

    @Override
    public InetAddress getLocalHost() throws UnknownHostException {
        return james.getLocalHost();
    }

    @Override
    public String getHostName(InetAddress addr) {
        return james.getHostName(addr);
    }
}
