package org.tesjames.matchers;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.policy.TesPolicies;
import org.tesjames.core.policy.Verdict;
import org.tesjames.core.session.SmtpSessionFacts;

/**
 * Matches every recipient when the submitting client complies with the TES client policy
 * ({@link TesPolicies#client}): TLS 1.1 or newer and SASL-authenticated. Matches none otherwise
 * ({@value TesPolicies#CLIENT_NOT_COMPLIANT}), including a mail without the {@code tes.smtp.*} session facts
 * attributes (it did not come through a listener with {@code SessionFactsHook}). No DNS lookup.
 *
 * <p>Condition: none (a condition fails at start). Parameters: none.
 * <pre>{@code
 * <mailet match="org.tesjames.matchers.ClientTlsCompliant" class="ToProcessor">
 *     <processor>tes-submission</processor>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics: {@code tes.matcher.client-tls.compliant}, {@code tes.matcher.client-tls.not-compliant}.
 */
public class ClientTlsCompliant extends NoConditionMatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientTlsCompliant.class);
    static final String METRIC_PREFIX = "tes.matcher.client-tls.";

    private final MetricFactory metrics;

    @Inject
    public ClientTlsCompliant(MetricFactory metrics) {
        this.metrics = metrics;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        Optional<SmtpSessionFacts> facts = TesMailAttributes.readSessionFacts(mail);
        Verdict verdict = facts.map(TesPolicies::client)
            .orElse(Verdict.reject(TesPolicies.CLIENT_NOT_COMPLIANT));
        boolean compliant = verdict instanceof Verdict.Accept;
        metrics.generate(METRIC_PREFIX + (compliant ? "compliant" : "not-compliant")).increment();
        String session = facts.map(f -> "listener " + f.listener() + ", " + f.tlsProtocol().orElse("no TLS") + ", "
                + f.authenticatedUser().map(user -> "authenticated as " + user).orElse("not authenticated"))
            .orElse("no SMTP session facts");
        String sender = mail.getMaybeSender().asOptional().map(a -> a.getDomain().asString()).orElse("<>");
        if (compliant) {
            LOGGER.debug("TES ClientTlsCompliant mail {} sender domain {}: compliant ({})", mail.getName(), sender,
                session);
            return mail.getRecipients();
        }
        LOGGER.info("TES ClientTlsCompliant mail {} sender domain {}: {} ({})", mail.getName(), sender,
            ((Verdict.Reject) verdict).reason(), session);
        return List.of();
    }

    @Override
    public String getMatcherInfo() {
        return "TES: matches when the submitting client complies with the TES client TLS policy";
    }
}
