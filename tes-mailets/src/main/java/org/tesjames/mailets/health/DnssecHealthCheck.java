package org.tesjames.mailets.health;

import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.Result;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * {@code tes-dnssec}: the DNSKEY records of {@code tes.health.dnssec.probe} (the root by default) come back secure
 * through the DNSSEC client of DANE, without its cache: validated with the anchors of {@code dnssec.anchors}
 * ({@code dnssec.mode=validate}) or carrying the AD flag of a trusted resolver ({@code trust-ad}). Anything else
 * (insecure, bogus, a DNS failure, no answer within {@code lookup.timeout}) is unhealthy: outbound mail to TES
 * members, which needs DANE, cannot leave. With {@code tes.health.dnssec.probe=none} the check reports healthy and
 * says it is off.
 */
public class DnssecHealthCheck extends TesHealthCheck {
    public static final ComponentName NAME = new ComponentName("tes-dnssec");

    private final HealthProbes probes;

    @Inject
    public DnssecHealthCheck(HealthProbes probes) {
        super(NAME);
        this.probes = probes;
    }

    @Override
    Result run() throws InterruptedException {
        Optional<Name> probe = probes.settings().dnssecProbe();
        if (probe.isEmpty()) {
            return Result.healthy(NAME);
        }
        Name name = probe.get();
        String query = "DNSKEY " + name;
        DnsResult result = probes.ask(probes.dnssec(), name, Type.DNSKEY);
        if (result instanceof DnsResult.Failure failure) {
            return Result.unhealthy(NAME, query + ": " + failure.kind() + " " + failure.detail()
                + " (a bogus answer is a SERVFAIL: do the trust anchors match the zone's keys?)");
        }
        if (!(result instanceof DnsResult.Answer answer)) {
            return Result.unhealthy(NAME, query + ": no DNSKEY records (" + result.getClass().getSimpleName() + ")");
        }
        if (!answer.authenticated()) {
            return Result.unhealthy(NAME, query + ": answer is not secure: the trust anchors do not validate it"
                + " (or, with dnssec.mode=trust-ad, the resolver does not validate)");
        }
        return Result.healthy(NAME);
    }
}
