package org.tesjames.matchers;

import java.util.Collection;
import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.membership.MembershipResolver;

/**
 * Matches every recipient when the envelope sender's domain is a TES member, none otherwise.
 *
 * <p>The membership comes from the {@code tes.sender.membership} Mail attribute when the SMTP hook recorded it
 * for the current sender domain (no lookup); otherwise it is resolved within {@code lookup.timeout} of
 * {@code tes.properties} and a definite verdict is recorded in the {@code tes.sender.*} attributes
 * ({@link TesMailAttributes}). The null sender {@code <>} is not a member, without a lookup. See
 * {@link SenderMembership}.
 *
 * <p>A temporary lookup failure throws a {@link MessagingException} (message starting with
 * {@code TES lookup failed}): route it with James's {@code onMatchException} attribute, for example to a
 * processor that defers the mail.
 *
 * <p>Condition: none (a condition fails at start). Parameters: none.
 * <pre>{@code
 * <mailet match="org.tesjames.matchers.IsTesMember" class="ToProcessor">
 *     <onMatchException>tes-deferred</onMatchException>
 *     <processor>tes-member</processor>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics: {@code tes.matcher.is-member.member}, {@code tes.matcher.is-member.non-member},
 * {@code tes.matcher.is-member.failed}; timer {@code tes.matcher.is-member.lookup}.
 */
public class IsTesMember extends NoConditionMatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(IsTesMember.class);
    static final String METRIC_PREFIX = "tes.matcher.is-member.";

    private final SenderMembership membership;
    private final MetricFactory metrics;

    @Inject
    public IsTesMember(MembershipResolver resolver, TesSettings settings, MetricFactory metrics) {
        this.membership = new SenderMembership(resolver, settings.lookupTimeout());
        this.metrics = metrics;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        SenderMembership.Known known = metrics.decorateSupplierWithTimerMetric(METRIC_PREFIX + "lookup",
            () -> membership.of(mail));
        if (known.failed()) {
            metrics.generate(METRIC_PREFIX + "failed").increment();
            LOGGER.info("TES IsTesMember mail {} sender domain {}: lookup failed: {}", mail.getName(),
                known.domainOrNullSender(), known.describe());
            throw known.failure(mail);
        }
        metrics.generate(METRIC_PREFIX + (known.member() ? "member" : "non-member")).increment();
        LOGGER.debug("TES IsTesMember mail {} sender domain {}: {} -> {}", mail.getName(),
            known.domainOrNullSender(), known.describe(), known.member() ? "match" : "no match");
        return known.member() ? mail.getRecipients() : List.of();
    }

    @Override
    public String getMatcherInfo() {
        return "TES: matches when the envelope sender's domain is a TES member";
    }
}
