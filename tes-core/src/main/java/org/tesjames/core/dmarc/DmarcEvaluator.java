package org.tesjames.core.dmarc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a message against the DMARC policy of its Author Domain (RFC 7489 sections 4.2, 6.6.2, 6.6.4).
 *
 * <p>For one Author Domain and the discovered policy:
 * <ul>
 *   <li>{@link DmarcPolicyDiscovery.TempError}: {@code temperror}, disposition {@code none} (the caller
 *       defers);</li>
 *   <li>{@link DmarcPolicyDiscovery.PermError} (several or invalid records): {@code permerror}, disposition
 *       {@code none}: section 6.6.3 step 5 applies no DMARC processing;</li>
 *   <li>{@link DmarcPolicyDiscovery.None}: {@code none}, disposition {@code none};</li>
 *   <li>a record: {@code pass} when a passing DKIM {@code d=} domain is aligned under {@code adkim}, or SPF
 *       passed with a MAIL FROM domain aligned under {@code aspf} (section 4.2); otherwise {@code temperror},
 *       disposition {@code none} (the caller defers), when an SPF {@code temperror} of an aligned MAIL FROM domain
 *       or a DKIM {@code temperror} (the key lookup failed) of an aligned {@code d=} could have produced
 *       alignment (section 6.6.2: a result must not rest on a lookup that failed); otherwise {@code fail} with
 *       the applied policy ({@code sp} for a subdomain found by Organizational Domain fallback, else {@code p})
 *       as disposition, subject to {@code pct} sampling.</li>
 * </ul>
 *
 * <p>{@code pct} sampling (section 6.6.4): when {@code pct < 100} one value from 0 to 99 is drawn from the
 * injected source; the policy applies when it is below {@code pct}; otherwise a {@code reject} becomes
 * {@code quarantine} and a {@code quarantine} becomes {@code none} ({@link DmarcResult#sampledOut()}).
 * Nothing is drawn when {@code pct} is 100 or the policy is {@code none}.
 *
 * <p>Malformed Author Domain, failing closed (RFC 5322 section 3.6 requires exactly one From field with one
 * address unless Sender is present; RFC 7489 section 6.6.1 notes such messages "are typically rejected"):
 * no From ({@link AuthorDomain.Missing}), a From that does not parse ({@link AuthorDomain.Unparsable}), or
 * addresses of different domains ({@link AuthorDomain.Several}) give {@code permerror} with the disposition
 * given to the constructor, {@link Policy#REJECT} by default, without any DNS query. Several addresses of one
 * domain are one Author Domain. (Evaluating each domain and applying the strictest failing policy, the
 * alternative of section 6.6.1, is not implemented.)
 */
public final class DmarcEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(DmarcEvaluator.class);

    private final IntSupplier percentile;
    private final Policy malformedAuthorDisposition;

    /**
     * @param percentile a source of values from 0 to 99 for {@code pct} sampling
     * @param malformedAuthorDisposition the disposition of a message with no, several or an unparsable From
     */
    public DmarcEvaluator(IntSupplier percentile, Policy malformedAuthorDisposition) {
        this.percentile = Objects.requireNonNull(percentile);
        this.malformedAuthorDisposition = Objects.requireNonNull(malformedAuthorDisposition);
    }

    /** Samples with {@code random}; malformed Author Domains are rejected. */
    public static DmarcEvaluator withRandom(RandomGenerator random) {
        Objects.requireNonNull(random);
        return new DmarcEvaluator(() -> random.nextInt(100), Policy.REJECT);
    }

    /** Discovers the policy of a single Author Domain with {@code discovery}, then evaluates. */
    public CompletionStage<DmarcResult> evaluate(AuthorDomain author, AuthenticationFacts facts,
                                                 DmarcPolicyDiscovery discovery) {
        if (author instanceof AuthorDomain.Single single) {
            return discovery.discover(single.domain()).thenApply(policy -> evaluate(single.domain(), facts, policy));
        }
        return CompletableFuture.completedFuture(malformed(author));
    }

    /** The result for a malformed Author Domain (see the class documentation). */
    public DmarcResult malformed(AuthorDomain author) {
        String reason;
        String description;
        if (author instanceof AuthorDomain.Missing) {
            description = "(no From)";
            reason = "the message has no RFC5322.From address";
        } else if (author instanceof AuthorDomain.Several several) {
            description = String.join(",", several.domains());
            reason = "the RFC5322.From addresses have several domains: " + description;
        } else if (author instanceof AuthorDomain.Unparsable unparsable) {
            description = unparsable.from();
            reason = "the RFC5322.From does not parse: " + unparsable.reason();
        } else {
            throw new IllegalArgumentException("not a malformed Author Domain: " + author);
        }
        return log(new DmarcResult(DmarcResult.Result.PERMERROR, malformedAuthorDisposition, description, false,
            false, false, reason));
    }

    /** Evaluates one Author Domain against its discovered policy. */
    public DmarcResult evaluate(String authorDomain, AuthenticationFacts facts, DmarcPolicyDiscovery.Outcome policy) {
        Objects.requireNonNull(authorDomain);
        Objects.requireNonNull(facts);
        if (policy instanceof DmarcPolicyDiscovery.TempError error) {
            return log(new DmarcResult(DmarcResult.Result.TEMPERROR, Policy.NONE, authorDomain, false, false, false,
                error.reason()));
        }
        if (policy instanceof DmarcPolicyDiscovery.PermError error) {
            return log(new DmarcResult(DmarcResult.Result.PERMERROR, Policy.NONE, authorDomain, false, false, false,
                error.reason()));
        }
        if (policy instanceof DmarcPolicyDiscovery.None none) {
            return log(new DmarcResult(DmarcResult.Result.NONE, Policy.NONE, authorDomain, false, false, false,
                none.reason()));
        }
        DmarcPolicyDiscovery.Found found = (DmarcPolicyDiscovery.Found) policy;
        DmarcRecord record = found.record();
        boolean dkimAligned = facts.dkimPassingDomains().stream()
            .anyMatch(d -> Alignment.aligned(record.dkimAlignment(), d, authorDomain));
        boolean spfAligned = facts.spf() == SpfResult.PASS
            && Alignment.aligned(record.spfAlignment(), facts.mailFromDomain(), authorDomain);
        if (dkimAligned || spfAligned) {
            return log(new DmarcResult(DmarcResult.Result.PASS, Policy.NONE, authorDomain, dkimAligned, spfAligned,
                false, "aligned " + (dkimAligned ? "DKIM" : "SPF") + " pass"));
        }
        String unknown = couldHaveAligned(authorDomain, facts, record);
        if (!unknown.isEmpty()) {
            return log(new DmarcResult(DmarcResult.Result.TEMPERROR, Policy.NONE, authorDomain, false, false, false,
                "no aligned DKIM or SPF pass, but " + unknown + " failed temporarily and could have aligned"));
        }
        Policy requested = found.appliedPolicy();
        String source = (found.organisationalFallback() && record.subdomainPolicy().isPresent() ? "sp=" : "p=")
            + requested.token() + " of _dmarc." + found.domainQueried();
        Policy disposition = requested;
        boolean sampledOut = false;
        if (requested != Policy.NONE && record.percent() < 100) {
            int draw = percentile.getAsInt();
            if (draw < 0 || draw > 99) {
                throw new IllegalStateException("the pct source gave " + draw + ", not a value from 0 to 99");
            }
            if (draw >= record.percent()) {
                disposition = requested.sampledOut();
                sampledOut = true;
            }
        }
        String reason = "no aligned DKIM or SPF pass; " + source
            + (sampledOut ? ", sampled out by pct=" + record.percent() + " to " + disposition.token() : "");
        return log(new DmarcResult(DmarcResult.Result.FAIL, disposition, authorDomain, false, false, sampledOut,
            reason));
    }

    /** The aligned identifiers whose check failed temporarily, described; empty when there is none. */
    private static String couldHaveAligned(String authorDomain, AuthenticationFacts facts, DmarcRecord record) {
        List<String> unknown = new ArrayList<>();
        facts.dkimTempErrorDomains().stream()
            .filter(d -> Alignment.aligned(record.dkimAlignment(), d, authorDomain))
            .distinct()
            .forEach(d -> unknown.add("DKIM of d=" + d));
        if (facts.spf() == SpfResult.TEMPERROR
            && Alignment.aligned(record.spfAlignment(), facts.mailFromDomain(), authorDomain)) {
            unknown.add("SPF of " + facts.mailFromDomain());
        }
        return String.join(" and ", unknown);
    }

    private static DmarcResult log(DmarcResult result) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("DMARC {} for {}: disposition {} ({})", result.result().token(), result.authorDomain(),
                result.disposition().token(), result.reason());
        }
        return result;
    }
}
