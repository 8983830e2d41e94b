package org.tesjames.core.dane.delivery;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaSelection;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dnssec.DnssecStatus;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Turns the DANE facts of a destination ({@link DaneLookup.Destination}) into a {@link DeliveryPlan} for a
 * {@link DeliveryPolicy}. Pure and thread-safe.
 *
 * <table>
 * <caption>host outcome to action</caption>
 * <tr><th>host outcome</th><th>{@code dane-required}</th><th>{@code dane-opportunistic}</th></tr>
 * <tr><td>secure-usable</td><td>DANE TLS</td><td>DANE TLS</td></tr>
 * <tr><td>secure-unusable</td><td>refuse</td><td>TLS required, unauthenticated</td></tr>
 * <tr><td>insecure</td><td>refuse</td><td>opportunistic STARTTLS</td></tr>
 * <tr><td>indeterminate</td><td>refuse</td><td>refuse</td></tr>
 * </table>
 * With {@code dane-required} the MX RRset (or the denial behind an implicit MX) must be DNSSEC-secure too:
 * otherwise an attacker who forges the MX answer could send the mail to a host of his own with valid TLSA
 * records; every host is then refused. A failed MX lookup refuses the destination with either policy (RFC 7672
 * section 2.2.1). A host without an address is refused.
 */
public final class DeliveryPlanner {
    private final TlsVersion minimumProtocol;
    private final DaneVerifier verifier;

    /**
     * @param minimumProtocol the oldest TLS version offered on every TLS connection
     * @param verifier the TLSA matcher
     */
    public DeliveryPlanner(TlsVersion minimumProtocol, DaneVerifier verifier) {
        this.minimumProtocol = Objects.requireNonNull(minimumProtocol, "minimumProtocol");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    /**
     * The plan of a destination.
     *
     * @param destination the DANE facts
     * @param policy the policy
     * @return the plan, never null
     */
    public DeliveryPlan plan(DaneLookup.Destination destination, DeliveryPolicy policy) {
        String domain = text(destination.domain());
        switch (destination.mxSource()) {
            case FAILED:
                String detail = destination.mx() instanceof DnsResult.Failure failure
                    ? failure.kind() + ": " + failure.detail() : destination.mx().getClass().getSimpleName();
                return new DeliveryPlan(domain, policy, List.of(HostPlan.refuse(domain, Optional.empty(),
                    DaneHostOutcome.INDETERMINATE, "MX lookup of " + domain + " failed (" + detail + ")")));
            case NULL_MX:
            case NO_SUCH_DOMAIN:
                return new DeliveryPlan(domain, policy, List.of());
            default:
                break;
        }
        Optional<String> insecureMx = policy == DeliveryPolicy.DANE_REQUIRED
            && destination.mxStatus() != DnssecStatus.SECURE
            ? Optional.of((destination.mxSource() == DaneLookup.MxSource.IMPLICIT ? "the MX denial of " : "the MX RRset of ")
                + domain + " is not DNSSEC-secure (" + destination.mxStatus().name().toLowerCase(Locale.ROOT)
                + "): DANE is required")
            : Optional.empty();
        List<HostPlan> hosts = new ArrayList<>();
        for (DaneLookup.Host host : destination.hosts()) {
            hosts.add(plan(host, policy, insecureMx));
        }
        return new DeliveryPlan(domain, policy, hosts);
    }

    private HostPlan plan(DaneLookup.Host host, DeliveryPolicy policy, Optional<String> insecureMx) {
        String name = text(host.name());
        Optional<InetAddress> address = firstAddress(host.addresses());
        if (insecureMx.isPresent()) {
            return HostPlan.refuse(name, address, host.outcome(), insecureMx.get());
        }
        DaneHostOutcome outcome = host.outcome();
        if (outcome == DaneHostOutcome.INDETERMINATE) {
            return HostPlan.refuse(name, address, outcome, "DANE lookup for " + name + " is indeterminate: "
                + host.reason());
        }
        if (policy == DeliveryPolicy.DANE_REQUIRED && outcome == DaneHostOutcome.INSECURE) {
            return HostPlan.refuse(name, address, outcome, "no DANE TLSA records for " + name + " (" + host.reason()
                + "): DANE is required");
        }
        if (policy == DeliveryPolicy.DANE_REQUIRED && outcome == DaneHostOutcome.SECURE_UNUSABLE) {
            return HostPlan.refuse(name, address, outcome, "no usable DANE TLSA records for " + name + " ("
                + host.reason() + "): DANE is required");
        }
        if (address.isEmpty()) {
            return HostPlan.refuse(name, address, outcome, "no address for " + name);
        }
        return switch (outcome) {
            case SECURE_USABLE -> new HostPlan(name, HostPlan.Action.DANE_TLS, address, Optional.of(
                DaneConnectionPolicy.dane(text(host.tlsaBaseDomain()), rrset(host), referenceIdentifiers(host),
                    minimumProtocol, verifier)), outcome, host.reason());
            case SECURE_UNUSABLE -> new HostPlan(name, HostPlan.Action.TLS_UNAUTHENTICATED, address,
                Optional.of(DaneConnectionPolicy.unauthenticated(minimumProtocol)), outcome, host.reason());
            default -> new HostPlan(name, HostPlan.Action.OPPORTUNISTIC_TLS, address,
                Optional.of(DaneConnectionPolicy.unauthenticated(minimumProtocol)), outcome, host.reason());
        };
    }

    private static List<org.tesjames.core.dane.TlsaRecord> rrset(DaneLookup.Host host) {
        return host.selection().orElseThrow().assessments().stream().map(TlsaSelection.Assessment::record).toList();
    }

    private static Set<String> referenceIdentifiers(DaneLookup.Host host) {
        return host.referenceIdentifiers().stream().map(DeliveryPlanner::text).collect(Collectors.toSet());
    }

    private static Optional<InetAddress> firstAddress(List<Record> records) {
        for (Record record : records) {
            if (record instanceof ARecord a) {
                return Optional.of(a.getAddress());
            }
            if (record instanceof AAAARecord aaaa) {
                return Optional.of(aaaa.getAddress());
            }
        }
        return Optional.empty();
    }

    static String text(Name name) {
        return DeliveryPlan.normalise(name.toString(true));
    }
}
