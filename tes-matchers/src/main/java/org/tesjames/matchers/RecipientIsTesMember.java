package org.tesjames.matchers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.membership.MembershipVerdict;

/**
 * Matches the recipients whose domain is a TES member, so that James splits them from the others (for example to
 * apply the member delivery policy to them only).
 *
 * <p>Each distinct recipient domain of the mail is resolved once per call, all domains concurrently, within
 * {@code lookup.timeout} of {@code tes.properties} in total. When the lookup of any recipient domain fails
 * temporarily (or does not finish in time), the matcher throws a {@link MessagingException} (message starting with
 * {@code TES lookup failed}) and matches nobody: route it with James's {@code onMatchException} attribute.
 *
 * <p>Condition: none (a condition fails at start). Parameters: none.
 * <pre>{@code
 * <mailet match="org.tesjames.matchers.RecipientIsTesMember" class="ToProcessor">
 *     <onMatchException>tes-deferred</onMatchException>
 *     <processor>tes-outbound-member</processor>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics, one count per recipient domain: {@code tes.matcher.recipient-is-member.member},
 * {@code tes.matcher.recipient-is-member.non-member}, {@code tes.matcher.recipient-is-member.failed}.
 */
public class RecipientIsTesMember extends NoConditionMatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(RecipientIsTesMember.class);
    static final String METRIC_PREFIX = "tes.matcher.recipient-is-member.";

    private final MembershipResolver resolver;
    private final Duration deadline;
    private final MetricFactory metrics;

    @Inject
    public RecipientIsTesMember(MembershipResolver resolver, TesSettings settings, MetricFactory metrics) {
        this.resolver = resolver;
        this.deadline = settings.lookupTimeout();
        this.metrics = metrics;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        Map<String, MembershipVerdict> verdicts = RecipientMemberships.resolve(resolver, deadline, mail.getRecipients());
        List<String> failures = new ArrayList<>();
        verdicts.forEach((domain, verdict) -> {
            String outcome = verdict instanceof MembershipVerdict.Member ? "member"
                : verdict instanceof MembershipVerdict.NotMember ? "non-member" : "failed";
            metrics.generate(METRIC_PREFIX + outcome).increment();
            if (verdict instanceof MembershipVerdict.TemporaryFailure) {
                failures.add(verdict.describe());
                LOGGER.info("TES RecipientIsTesMember mail {} recipient domain {}: {}", mail.getName(), domain,
                    verdict.describe());
            } else {
                LOGGER.debug("TES RecipientIsTesMember mail {} recipient domain {}: {}", mail.getName(), domain,
                    verdict.describe());
            }
        });
        if (!failures.isEmpty()) {
            throw new MessagingException("TES lookup failed for recipient domain(s) of mail " + mail.getName() + ": "
                + String.join("; ", failures));
        }
        List<MailAddress> members = mail.getRecipients().stream()
            .filter(recipient -> verdicts.get(RecipientMemberships.key(recipient)) instanceof MembershipVerdict.Member)
            .toList();
        return members;
    }

    @Override
    public String getMatcherInfo() {
        return "TES: matches the recipients whose domain is a TES member";
    }
}
