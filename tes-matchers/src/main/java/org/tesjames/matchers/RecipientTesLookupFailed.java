package org.tesjames.matchers;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.membership.MembershipVerdict;

/**
 * Matches the recipients whose domain's TES membership cannot be determined now (a temporary lookup failure or
 * no verdict within {@code lookup.timeout}), so that James splits them off, typically to a processor that
 * reschedules them ({@code TesDefer}), while the recipients of the other domains go on. Put it before
 * {@link RecipientIsTesMember}: the membership of the remaining domains is then known (and cached), and
 * {@code RecipientIsTesMember} only throws if a cached verdict expired in between.
 *
 * <p>Condition: none. Parameters: none.
 * <pre>{@code
 * <mailet match="org.tesjames.matchers.RecipientTesLookupFailed" class="ToProcessor">
 *     <processor>relay-reschedule</processor>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics, one count per recipient domain that failed: {@code tes.matcher.recipient-lookup-failed.failed}.
 */
public class RecipientTesLookupFailed extends NoConditionMatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(RecipientTesLookupFailed.class);
    static final String METRIC = "tes.matcher.recipient-lookup-failed.failed";

    private final MembershipResolver resolver;
    private final Duration deadline;
    private final MetricFactory metrics;

    @Inject
    public RecipientTesLookupFailed(MembershipResolver resolver, TesSettings settings, MetricFactory metrics) {
        this.resolver = resolver;
        this.deadline = settings.lookupTimeout();
        this.metrics = metrics;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        Map<String, MembershipVerdict> verdicts = RecipientMemberships.resolve(resolver, deadline,
            mail.getRecipients());
        verdicts.forEach((domain, verdict) -> {
            if (verdict instanceof MembershipVerdict.TemporaryFailure) {
                metrics.generate(METRIC).increment();
                LOGGER.info("TES RecipientTesLookupFailed mail {} recipient domain {}: {}", mail.getName(), domain,
                    verdict.describe());
            }
        });
        List<MailAddress> failed = mail.getRecipients().stream()
            .filter(recipient -> verdicts.get(RecipientMemberships.key(recipient))
                instanceof MembershipVerdict.TemporaryFailure)
            .toList();
        return failed;
    }

    @Override
    public String getMatcherInfo() {
        return "TES: matches the recipients whose domain's membership lookup failed temporarily";
    }
}
