package org.tesjames.core.membership;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Resolves the TES membership of a domain D under the registry root R (default
 * {@value #DEFAULT_REGISTRY_ROOT}):
 * <ol>
 *   <li>{@code tes-master.D} is a CNAME; its target is the master M;</li>
 *   <li>TXT {@code D.tes-member.M} exists;</li>
 *   <li>TXT {@code M.tes-member.R} exists.</li>
 * </ol>
 * Steps 2 and 3 depend only on M and run concurrently. NXDOMAIN or NODATA at a step means "not a member";
 * every other outcome of the DNS (SERVFAIL, REFUSED, timeout, network error, malformed answer, a CNAME chain
 * that loops or is longer than the DNS client follows: see {@link DnsResult.Failure}) is a temporary failure. When step 2 or 3 gives a definite "no" while the other fails temporarily, the verdict is "not a
 * member": the definite answer alone settles it, and an outage cannot turn a non-member into a member nor a
 * member into a non-member. An invalid domain is "not a member" without any query.
 */
public final class MembershipResolver {
    public static final String DEFAULT_REGISTRY_ROOT = "trusted-email-services.com";
    private static final Name TES_MASTER = Name.fromConstantString("tes-master");
    private static final Name TES_MEMBER = Name.fromConstantString("tes-member");

    private final DnsClient dns;
    private final Name registryRoot;

    public MembershipResolver(DnsClient dns, String registryRoot) {
        this(dns, parse(registryRoot));
    }

    private MembershipResolver(DnsClient dns, Name registryRoot) {
        this.dns = Objects.requireNonNull(dns);
        this.registryRoot = registryRoot;
    }

    private static Name parse(String registryRoot) {
        try {
            return Name.fromString(registryRoot, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("invalid registry root '" + registryRoot + "': " + e.getMessage(), e);
        }
    }

    /** The DNS client this resolver asks. */
    public DnsClient dns() {
        return dns;
    }

    /**
     * A resolver of the same registry asking {@code other}: a view of {@link #dns()} for one lookup whose queries
     * the caller bounds, say.
     */
    public MembershipResolver withDns(DnsClient other) {
        return new MembershipResolver(other, registryRoot);
    }

    /**
     * Resolves and waits at most {@code deadline}: past it the verdict is a temporary failure at
     * {@link Step#DEADLINE}. For callers that must answer synchronously (SMTP hooks, matchers).
     */
    public MembershipVerdict resolveWithin(String domain, Duration deadline) {
        try {
            return resolve(domain).toCompletableFuture().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new MembershipVerdict.TemporaryFailure(String.valueOf(domain), Step.DEADLINE,
                "no verdict within " + deadline.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MembershipVerdict.TemporaryFailure(String.valueOf(domain), Step.DEADLINE, "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("membership resolution of " + domain + " failed", e.getCause());
        }
    }

    public CompletionStage<MembershipVerdict> resolve(String domain) {
        DomainNames.Normalised normalised = DomainNames.normalise(domain);
        if (normalised.domain().isEmpty()) {
            return CompletableFuture.completedFuture(
                new MembershipVerdict.NotMember(String.valueOf(domain), Step.DOMAIN_SYNTAX, normalised.problem(),
                    Duration.ZERO));
        }
        String d = normalised.domain().get();
        Name domainName = Name.fromConstantString(d + ".");
        Name masterQuery;
        try {
            masterQuery = Name.concatenate(TES_MASTER, domainName);
        } catch (NameTooLongException e) {
            return CompletableFuture.completedFuture(new MembershipVerdict.NotMember(d, Step.DOMAIN_SYNTAX,
                "tes-master." + d + " is longer than a DNS name may be", Duration.ZERO));
        }
        return dns.query(masterQuery, Type.CNAME)
            .thenCompose(result -> afterMaster(d, domainName, masterQuery, result));
    }

    private CompletionStage<MembershipVerdict> afterMaster(String d, Name domainName, Name query, DnsResult result) {
        if (result instanceof DnsResult.Answer answer) {
            Name master = ((CNAMERecord) answer.records().get(0)).getTarget();
            Name memberQuery;
            Name registryQuery;
            try {
                memberQuery = Name.concatenate(Name.concatenate(relative(domainName), TES_MEMBER), master);
                registryQuery = Name.concatenate(Name.concatenate(relative(master), TES_MEMBER), registryRoot);
            } catch (NameTooLongException e) {
                return CompletableFuture.completedFuture(new MembershipVerdict.NotMember(d, Step.TES_MASTER,
                    "the names built from master " + master + " are longer than a DNS name may be", answer.ttl()));
            }
            CompletableFuture<DnsResult> member = dns.query(memberQuery, Type.TXT).toCompletableFuture();
            CompletableFuture<DnsResult> registry = dns.query(registryQuery, Type.TXT).toCompletableFuture();
            return member.thenCombine(registry, (memberResult, registryResult) ->
                combine(d, master, answer.ttl(), memberResult, registryResult));
        }
        return CompletableFuture.completedFuture(notAnswered(d, Step.TES_MASTER, query, result, result.ttl()));
    }

    private static MembershipVerdict combine(String d, Name master, Duration masterTtl, DnsResult member,
                                             DnsResult registry) {
        if (isDefiniteNo(member)) {
            return notAnswered(d, Step.MEMBER_OF_MASTER, member.name(), member, masterTtl);
        }
        if (isDefiniteNo(registry)) {
            return notAnswered(d, Step.MASTER_IN_REGISTRY, registry.name(), registry, masterTtl);
        }
        if (member.isTemporaryFailure()) {
            return notAnswered(d, Step.MEMBER_OF_MASTER, member.name(), member, masterTtl);
        }
        if (registry.isTemporaryFailure()) {
            return notAnswered(d, Step.MASTER_IN_REGISTRY, registry.name(), registry, masterTtl);
        }
        return new MembershipVerdict.Member(d, master, min(masterTtl, min(member.ttl(), registry.ttl())));
    }

    private static boolean isDefiniteNo(DnsResult result) {
        return result instanceof DnsResult.NxDomain || result instanceof DnsResult.NoData;
    }

    private static MembershipVerdict notAnswered(String d, Step step, Name query, DnsResult result,
                                                 Duration ttlSoFar) {
        String what = step.description() + " (" + query + ")";
        if (result instanceof DnsResult.NxDomain) {
            return new MembershipVerdict.NotMember(d, step, what + ": NXDOMAIN", min(ttlSoFar, result.ttl()));
        }
        if (result instanceof DnsResult.NoData) {
            return new MembershipVerdict.NotMember(d, step, what + ": no record", min(ttlSoFar, result.ttl()));
        }
        if (result instanceof DnsResult.Failure failure) {
            return new MembershipVerdict.TemporaryFailure(d, step,
                what + ": " + failure.kind() + " " + failure.detail());
        }
        throw new IllegalStateException("an answer is not a negative outcome: " + result);
    }

    private static Name relative(Name absolute) {
        return absolute.relativize(Name.root);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
