package org.tesjames.matchers;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.policy.TesPolicies;
import org.tesjames.core.policy.Verdict;
import org.tesjames.core.session.SmtpSessionFacts;

/**
 * Matches every recipient when the mail complies with the TES server policy
 * ({@link TesPolicies#server}): the envelope sender's domain is not a member, or it is one and the mail came
 * over TLS 1.2 or newer. Matches none otherwise ({@value TesPolicies#MEMBER_NOT_COMPLIANT}).
 *
 * <p>The TLS facts are the {@code tes.smtp.*} Mail attributes written by {@code SessionFactsHook}; a mail without
 * them did not come over SMTP and counts as without TLS. The membership is found as by {@link IsTesMember}
 * (recorded attribute, else lookup; null sender: not a member). A temporary lookup failure throws a
 * {@link MessagingException} (message starting with {@code TES lookup failed}).
 *
 * <p>Condition: none (a condition fails at start). Parameters: none.
 * <pre>{@code
 * <mailet match="org.tesjames.matchers.SenderTlsCompliant" class="ToProcessor">
 *     <onMatchException>tes-deferred</onMatchException>
 *     <processor>tes-compliant</processor>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics: {@code tes.matcher.sender-tls.compliant}, {@code tes.matcher.sender-tls.not-compliant},
 * {@code tes.matcher.sender-tls.failed}.
 */
public class SenderTlsCompliant extends NoConditionMatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(SenderTlsCompliant.class);
    static final String METRIC_PREFIX = "tes.matcher.sender-tls.";
    /** The facts of a mail that did not come over SMTP: no TLS, no authentication. */
    static final SmtpSessionFacts NOT_OVER_SMTP = SmtpSessionFacts.plaintext("none", Optional.empty());

    private final SenderMembership membership;
    private final MetricFactory metrics;

    @Inject
    public SenderTlsCompliant(MembershipResolver resolver, TesSettings settings, MetricFactory metrics) {
        this.membership = new SenderMembership(resolver, settings.lookupTimeout());
        this.metrics = metrics;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        SenderMembership.Known known = membership.of(mail);
        Optional<SmtpSessionFacts> facts = TesMailAttributes.readSessionFacts(mail);
        Verdict verdict = TesPolicies.server(facts.orElse(NOT_OVER_SMTP), known.verdict());
        String tls = facts.flatMap(SmtpSessionFacts::tlsProtocol).orElse(facts.isPresent() ? "no TLS"
            : "no SMTP session facts");
        if (verdict instanceof Verdict.Defer) {
            metrics.generate(METRIC_PREFIX + "failed").increment();
            LOGGER.info("TES SenderTlsCompliant mail {} sender domain {}: lookup failed: {}", mail.getName(),
                known.domainOrNullSender(), known.describe());
            throw known.failure(mail);
        }
        boolean compliant = verdict instanceof Verdict.Accept;
        metrics.generate(METRIC_PREFIX + (compliant ? "compliant" : "not-compliant")).increment();
        if (compliant) {
            LOGGER.debug("TES SenderTlsCompliant mail {} sender domain {}: compliant ({}, {})", mail.getName(),
                known.domainOrNullSender(), known.describe(), tls);
            return mail.getRecipients();
        }
        LOGGER.info("TES SenderTlsCompliant mail {} sender domain {}: {} ({}, {})", mail.getName(),
            known.domainOrNullSender(), ((Verdict.Reject) verdict).reason(), known.describe(), tls);
        return List.of();
    }

    @Override
    public String getMatcherInfo() {
        return "TES: matches when the mail complies with the TES server TLS policy";
    }
}
