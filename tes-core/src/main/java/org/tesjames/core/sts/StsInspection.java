package org.tesjames.core.sts;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.tlsrpt.ResultType;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The MTA-STS facts of a destination as an operator reads them ({@code tes sts}, the WebAdmin route): the
 * {@code _mta-sts} TXT lookup, the policy of {@link StsPolicies} (the same discovery and cache as delivery), and,
 * with a policy, each MX host of the domain and whether the policy admits it.
 *
 * @param txt the TXT lookup of {@code _mta-sts.<domain>}
 * @param lookup the policy in force, or why there is none
 * @param mx the MX lookup, made only when a policy applies
 * @param hosts the MX hosts by preference, with the policy's verdict
 */
public record StsInspection(DnsResult txt, StsLookup lookup, Optional<DnsResult> mx, List<MxHost> hosts) {
    public StsInspection {
        Objects.requireNonNull(txt, "txt");
        Objects.requireNonNull(lookup, "lookup");
        Objects.requireNonNull(mx, "mx");
        hosts = List.copyOf(hosts);
    }

    /** One MX host and whether the policy admits it. */
    public record MxHost(int preference, String host, boolean admitted) {
    }

    /**
     * Looks a destination up.
     *
     * @param dns the DNS client of the TXT and MX lookups
     * @param policies the policy discovery and cache
     * @param domain the domain, normalised
     * @param deadline the longest wait for each DNS answer
     * @return the facts, never null
     */
    public static StsInspection inspect(DnsClient dns, StsPolicies policies, String domain, Duration deadline) {
        DnsResult txt = query(dns, "_mta-sts." + domain, Type.TXT, deadline);
        StsLookup lookup = policies.lookup(domain);
        if (!(lookup instanceof StsLookup.Found found)) {
            return new StsInspection(txt, lookup, Optional.empty(), List.of());
        }
        DnsResult mx = query(dns, domain, Type.MX, deadline);
        List<MxHost> hosts = !(mx instanceof DnsResult.Answer answer) ? List.of()
            : answer.records().stream().filter(MXRecord.class::isInstance).map(MXRecord.class::cast)
                .sorted(Comparator.comparingInt(MXRecord::getPriority))
                .map(record -> {
                    String host = record.getTarget().toString(true).toLowerCase(Locale.ROOT);
                    return new MxHost(record.getPriority(), host, found.policy().admits(host));
                }).toList();
        return new StsInspection(txt, lookup, Optional.of(mx), hosts);
    }

    /** @return the texts of the TXT records found at {@code _mta-sts.<domain>} */
    public List<String> txtRecords() {
        if (!(txt instanceof DnsResult.Answer answer)) {
            return List.of();
        }
        return answer.records().stream().filter(TXTRecord.class::isInstance)
            .map(r -> String.join("", ((TXTRecord) r).getStrings())).toList();
    }

    /**
     * @return whether the absence of a policy may be temporary: the TXT lookup or the policy fetch failed for a
     *     reason other than a definite answer
     */
    public boolean temporaryFailure() {
        return lookup instanceof StsLookup.None none && (txt.isTemporaryFailure()
            || none.problem().map(p -> p.type() == ResultType.STS_POLICY_FETCH_ERROR).orElse(false));
    }

    /** @return how many MX hosts the policy admits */
    public long admitted() {
        return hosts.stream().filter(MxHost::admitted).count();
    }

    private static DnsResult query(DnsClient dns, String name, int type, Duration deadline) {
        Name query;
        try {
            query = Name.fromString(name + ".");
        } catch (IOException e) {
            return new DnsResult.Failure(Name.root, type, DnsResult.Failure.Kind.MALFORMED,
                "not a domain name: " + e.getMessage());
        }
        return dns.await(query, type, deadline);
    }
}
