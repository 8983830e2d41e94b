package org.tesjames.core.tlsrpt;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Finds where the reports of a policy domain go: TXT {@code _smtp._tls.<domain>} through the TES DNS client
 * (RFC 8460 section 3), with typed outcomes. NXDOMAIN, NODATA, no record starting with {@code v=TLSRPTv1;},
 * several of them or an invalid one mean the domain takes no reports ({@link NotPublished}); any other DNS failure
 * is {@link Temporary}: the caller keeps the counts and asks again later.
 */
public final class TlsRptDiscovery {
    private final DnsClient dns;
    private final Duration deadline;

    /**
     * @param dns the DNS client
     * @param deadline the longest wait for the answer
     */
    public TlsRptDiscovery(DnsClient dns, Duration deadline) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
    }

    /** What the lookup of one policy domain found. */
    public sealed interface Outcome {
        /** @return one line for logs */
        String reason();
    }

    /** A valid record: send the report to its destinations. */
    public record Found(TlsRptRecord record, String reason) implements Outcome {
    }

    /** The domain takes no reports: the report is not sent. */
    public record NotPublished(String reason) implements Outcome {
    }

    /** The lookup failed temporarily: ask again later. */
    public record Temporary(String reason) implements Outcome {
    }

    /**
     * @param domain the policy domain, without trailing dot
     * @return the outcome; never throws for DNS problems
     */
    public Outcome lookup(String domain) {
        String name = "_smtp._tls." + domain;
        DnsResult result;
        try {
            result = dns.await(Name.fromString(name + "."), Type.TXT, deadline);
        } catch (TextParseException e) {
            return new NotPublished(name + " is not a valid DNS name: " + e.getMessage());
        }
        if (result instanceof DnsResult.Failure failure) {
            return new Temporary("TXT lookup of " + name + " failed temporarily (" + failure.kind() + ": "
                + failure.detail() + ")");
        }
        if (result instanceof DnsResult.NxDomain) {
            return new NotPublished("no " + name + " (NXDOMAIN)");
        }
        if (!(result instanceof DnsResult.Answer answer)) {
            return new NotPublished("no TXT record at " + name + " (NODATA)");
        }
        List<String> records = answer.records().stream().filter(TXTRecord.class::isInstance)
            .map(r -> String.join("", ((TXTRecord) r).getStrings()))
            .filter(TlsRptRecord::isTlsRptRecord)
            .toList();
        if (records.isEmpty()) {
            return new NotPublished("no v=TLSRPTv1 TXT record at " + name);
        }
        if (records.size() > 1) {
            return new NotPublished(records.size() + " v=TLSRPTv1 TXT records at " + name
                + " (RFC 8460 section 3: exactly one)");
        }
        try {
            TlsRptRecord record = TlsRptRecord.parse(records.get(0));
            return new Found(record, name + ": " + record.destinations().stream().map(ReportUri::uri).toList()
                + (record.ignored().isEmpty() ? "" : ", ignored " + record.ignored()));
        } catch (IllegalArgumentException e) {
            return new NotPublished("invalid TXT record at " + name + ": " + e.getMessage());
        }
    }
}
