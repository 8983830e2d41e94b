package org.tesjames.matchers;

import java.util.Locale;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.policy.AuthenticationOutcome;

/**
 * Matches every recipient when the message failed DMARC and the disposition applied (after {@code pct} sampling)
 * is the one of the condition: {@code none}, {@code quarantine} or {@code reject} (required). Reads the
 * {@code tes.auth.*} attributes (see {@link AuthenticationMatcher}).
 * <pre>{@code
 * <mailet match="org.tesjames.matchers.DmarcDisposition=reject" class="org.tesjames.mailets.TesReject">
 *     <reason>The message violates the DMARC policy of {authorDomain} ({messageId})</reason>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics: {@code tes.matcher.dmarc-disposition.matched}, {@code tes.matcher.dmarc-disposition.not-matched}.
 */
public class DmarcDisposition extends AuthenticationMatcher {
    private Policy disposition;

    @Inject
    public DmarcDisposition(MetricFactory metrics) {
        super(metrics);
    }

    @Override
    void checkCondition(String condition) throws MessagingException {
        try {
            disposition = Policy.valueOf(condition.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("DmarcDisposition: condition '" + getCondition()
                + "' must be none, quarantine or reject");
        }
    }

    @Override
    String metricName() {
        return "dmarc-disposition";
    }

    @Override
    boolean matches(AuthenticationOutcome outcome, Mail mail) {
        return outcome.dmarcFailsWith(disposition);
    }
}
