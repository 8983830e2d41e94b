package org.tesjames.core.dmarc;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.membership.DomainNames;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * DMARC policy discovery (RFC 7489 section 6.6.3) over the asynchronous {@link DnsClient}:
 * <ol>
 *   <li>TXT {@code _dmarc.<From domain>}; TXT records whose first tag is not {@code v=DMARC1} are discarded
 *       (steps 1 and 2; a record's strings are concatenated);</li>
 *   <li>if none is left (NXDOMAIN, NODATA, or only non-DMARC TXT), TXT {@code _dmarc.<Organizational Domain>}
 *       when that differs from the From domain, filtered alike (steps 3 and 4);</li>
 *   <li>several DMARC records in the set consulted: {@link PermError}, and no fallback (step 5: "DMARC
 *       processing is not applied"; reported as {@code permerror}); none: {@link None};</li>
 *   <li>one record: parsed by {@link DmarcRecord#parse(String)}; invalid: {@link PermError} (an invalid
 *       record is no policy; Authentication-Results calls a syntactically incorrect record a permanent error,
 *       section 11.2); valid: {@link Found}.</li>
 * </ol>
 * Any DNS {@link DnsResult.Failure} (SERVFAIL, REFUSED, timeout, network error, malformed answer) of either
 * query is a {@link TempError}: it is never folded into "no record". The From domain is normalised first
 * ({@link DomainNames#normalise(String)}: lower case, A-labels); an invalid domain is a {@link PermError}
 * without any query.
 */
public final class DmarcPolicyDiscovery {
    private static final Name DMARC = Name.fromConstantString("_dmarc");

    private final DnsClient dns;

    public DmarcPolicyDiscovery(DnsClient dns) {
        this.dns = Objects.requireNonNull(dns);
    }

    /** The outcome of discovery: a closed set, never null. */
    public sealed interface Outcome {
    }

    /**
     * One valid record.
     *
     * @param record the record
     * @param domainQueried the domain whose {@code _dmarc} TXT held it: the From domain, or its Organizational
     *     Domain when {@code organisationalFallback}
     * @param organisationalFallback whether the record came from the Organizational Domain (section 6.6.3
     *     step 3), in which case {@link #appliedPolicy()} is its {@code sp} when present
     */
    public record Found(DmarcRecord record, String domainQueried, boolean organisationalFallback) implements Outcome {
        public Found {
            Objects.requireNonNull(record);
            Objects.requireNonNull(domainQueried);
        }

        /** The policy for the From domain: {@code sp} for a subdomain found by fallback if present, else {@code p}. */
        public Policy appliedPolicy() {
            return organisationalFallback ? record.subdomainPolicy().orElse(record.policy()) : record.policy();
        }
    }

    /** No DMARC record at the From domain nor at its Organizational Domain: DMARC does not apply. */
    public record None(String reason) implements Outcome {
        public None {
            Objects.requireNonNull(reason);
        }
    }

    /** A DNS query failed temporarily: the caller must try again later, never treat it as "no policy". */
    public record TempError(String reason) implements Outcome {
        public TempError {
            Objects.requireNonNull(reason);
        }
    }

    /** Several DMARC records, an invalid record, or an invalid From domain: no policy can be applied. */
    public record PermError(String reason) implements Outcome {
        public PermError {
            Objects.requireNonNull(reason);
        }
    }

    /** Discovers the policy of the RFC5322.From domain {@code fromDomain}. The stage completes normally. */
    public CompletionStage<Outcome> discover(String fromDomain) {
        return discoverHeld(fromDomain).thenApply(Held::outcome);
    }

    /**
     * An outcome and how long it holds for the same From domain: the shortest TTL of the DNS answers read; zero for a
     * {@link TempError} and for an outcome reached without a query.
     */
    public record Held(Outcome outcome, Duration ttl) {
        public Held {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(ttl, "ttl");
        }
    }

    /** {@link #discover}, with how long the outcome holds. */
    public CompletionStage<Held> discoverHeld(String fromDomain) {
        DomainNames.Normalised normalised = DomainNames.normalise(fromDomain);
        if (normalised.domain().isEmpty()) {
            return CompletableFuture.completedFuture(new Held(new PermError(normalised.problem()), Duration.ZERO));
        }
        String domain = normalised.domain().get();
        return lookup(domain).thenCompose(step -> {
            if (step instanceof Lookup.Decided decided) {
                return CompletableFuture.completedFuture(new Held(decided.outcome().apply(false), step.ttl()));
            }
            Optional<String> organisational = OrganizationalDomain.of(domain).filter(org -> !org.equals(domain));
            if (organisational.isEmpty()) {
                return CompletableFuture.completedFuture(
                    new Held(new None(((Lookup.Empty) step).reason()), step.ttl()));
            }
            String org = organisational.get();
            return lookup(org).thenApply(orgStep -> {
                Duration ttl = orgStep.ttl().compareTo(step.ttl()) < 0 ? orgStep.ttl() : step.ttl();
                if (orgStep instanceof Lookup.Decided decided) {
                    return new Held(decided.outcome().apply(true), ttl);
                }
                return new Held(new None(((Lookup.Empty) step).reason() + "; " + ((Lookup.Empty) orgStep).reason()),
                    ttl);
            });
        });
    }

    /** One query's step, with the TTL of its answer (zero when there was none, so a TempError holds for nothing). */
    private sealed interface Lookup {
        Duration ttl();

        /** The set was empty: go on (or stop with None). */
        record Empty(String reason, Duration ttl) implements Lookup {
        }

        /** The set decided the outcome; the function takes "was this the fallback". */
        record Decided(Function<Boolean, Outcome> outcome, Duration ttl) implements Lookup {
        }
    }

    private CompletionStage<Lookup> lookup(String domain) {
        Name name;
        try {
            name = Name.concatenate(DMARC, Name.fromString(domain, Name.root));
        } catch (TextParseException | NameTooLongException e) {
            return CompletableFuture.completedFuture(new Lookup.Decided(
                fallback -> new PermError("_dmarc." + domain + " is not a valid DNS name"), Duration.ZERO));
        }
        String queried = "_dmarc." + domain;
        return dns.query(name, Type.TXT).thenApply(result -> {
            if (result instanceof DnsResult.Failure failure) {
                return new Lookup.Decided(fallback -> new TempError(
                    "TXT " + queried + ": " + failure.kind() + " " + failure.detail()), Duration.ZERO);
            }
            if (result instanceof DnsResult.NxDomain) {
                return new Lookup.Empty("TXT " + queried + ": NXDOMAIN", result.ttl());
            }
            if (result instanceof DnsResult.NoData) {
                return new Lookup.Empty("TXT " + queried + ": no record", result.ttl());
            }
            List<String> dmarc = ((DnsResult.Answer) result).records().stream()
                .filter(TXTRecord.class::isInstance)
                .map(record -> String.join("", ((TXTRecord) record).getStrings()))
                .filter(DmarcRecord::isDmarcRecord)
                .toList();
            if (dmarc.isEmpty()) {
                return new Lookup.Empty("TXT " + queried + ": no record starting with v=DMARC1", result.ttl());
            }
            if (dmarc.size() > 1) {
                return new Lookup.Decided(fallback -> new PermError(
                    "TXT " + queried + ": " + dmarc.size() + " DMARC records, exactly one is allowed"), result.ttl());
            }
            DmarcRecord.Parsed parsed = DmarcRecord.parse(dmarc.get(0));
            if (parsed instanceof DmarcRecord.Invalid invalid) {
                return new Lookup.Decided(fallback -> new PermError(
                    "TXT " + queried + ": invalid DMARC record: " + invalid.reason()), result.ttl());
            }
            DmarcRecord record = ((DmarcRecord.Valid) parsed).record();
            return new Lookup.Decided(fallback -> new Found(record, domain, fallback), result.ttl());
        });
    }
}
