package org.tesjames.matchers;


import javax.inject.Inject;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.policy.AuthenticationOutcome;

/**
 * Matches every recipient when the authentication of the message could not be completed for a temporary DNS
 * error that matters for the domain of the condition ({@code sender}, the default, or a domain name): a DKIM
 * signature of that domain whose key lookup failed temporarily (and no signature of it that verified), or a DMARC
 * {@code temperror}. Such a mail should be deferred, not judged. Reads the {@code tes.auth.*} attributes (see
 * {@link AuthenticationMatcher}).
 *
 * <p>Metrics: {@code tes.matcher.auth-temperror.matched}, {@code tes.matcher.auth-temperror.not-matched}.
 */
public class AuthenticationTemporaryError extends AuthenticationMatcher {
    @Inject
    public AuthenticationTemporaryError(MetricFactory metrics) {
        super(metrics);
    }

    @Override
    String metricName() {
        return "auth-temperror";
    }

    @Override
    boolean matches(AuthenticationOutcome outcome, Mail mail) {
        boolean dkim = conditionDomain(mail).map(d -> outcome.dkimTempErrorFor(d) && !outcome.dkimPassFor(d)).orElse(false);
        return dkim || outcome.dmarc() == DmarcResult.Result.TEMPERROR;
    }
}
