package org.tesjames.matchers;


import javax.inject.Inject;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.tesjames.core.policy.AuthenticationOutcome;

/**
 * Matches every recipient when the message carries a DKIM signature that verified and whose {@code d=} is the
 * domain of the condition: {@code sender} (the default) for the envelope sender's domain, or a domain name. Reads
 * the {@code tes.auth.*} attributes (see {@link AuthenticationMatcher}); the TES member rule is
 * {@code And(IsTesMember, Not(HasDkimSignatureFor))} -> reject:
 * <pre>{@code
 * <matcher name="tes-member-unsigned" match="org.apache.james.mailetcontainer.impl.matchers.And">
 *     <matcher match="org.tesjames.matchers.IsTesMember"/>
 *     <matcher match="org.apache.james.mailetcontainer.impl.matchers.Not">
 *         <matcher match="org.tesjames.matchers.HasDkimSignatureFor=sender"/>
 *     </matcher>
 * </matcher>
 * }</pre>
 *
 * <p>Metrics: {@code tes.matcher.has-dkim-signature.matched}, {@code tes.matcher.has-dkim-signature.not-matched}.
 */
public class HasDkimSignatureFor extends AuthenticationMatcher {
    @Inject
    public HasDkimSignatureFor(MetricFactory metrics) {
        super(metrics);
    }

    @Override
    String metricName() {
        return "has-dkim-signature";
    }

    @Override
    boolean matches(AuthenticationOutcome outcome, Mail mail) {
        return conditionDomain(mail).map(outcome::dkimPassFor).orElse(false);
    }
}
