package org.tesjames.matchers;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.membership.DomainNames;
import org.tesjames.core.policy.AuthenticationOutcome;

/**
 * Base of the matchers on the message authentication outcome recorded in the {@code tes.auth.*} Mail attributes
 * (by the inbound authentication hook or the {@code TesAuthenticate} mailet; see {@link TesMailAttributes}). They
 * never look anything up. A mail without those attributes makes them throw a {@link MessagingException}: an
 * authentication matcher placed before the authentication is a configuration error, not a "no".
 *
 * <p>Their condition names a domain: empty or {@code sender} is the envelope sender's domain (the null sender
 * has none: no match), anything else a domain name, checked at start.
 */
abstract class AuthenticationMatcher extends GenericMatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(AuthenticationMatcher.class);
    static final String SENDER = "sender";

    private final MetricFactory metrics;

    @Inject
    AuthenticationMatcher(MetricFactory metrics) {
        this.metrics = metrics;
    }

    /** The metric name part of this matcher, e.g. {@code has-dkim-signature}. */
    abstract String metricName();

    /** Whether the outcome of this mail matches. */
    abstract boolean matches(AuthenticationOutcome outcome, Mail mail);

    /** The domain the condition names: the envelope sender's ({@code sender}; empty for the null sender) or its own. */
    Optional<String> conditionDomain(Mail mail) {
        return condition().equals(SENDER)
            ? mail.getMaybeSender().asOptional().map(address -> address.getDomain().asString())
            : Optional.of(condition());
    }

    /** Checks the condition at start; by default a domain or {@code sender}. */
    void checkCondition(String condition) throws MessagingException {
        if (!condition.equals(SENDER) && DomainNames.normalise(condition).domain().isEmpty()) {
            throw new MessagingException(getClass().getSimpleName() + ": condition '" + condition
                + "' is neither 'sender' nor a domain name (" + DomainNames.normalise(condition).problem() + ")");
        }
    }

    String condition() {
        String condition = getCondition();
        return condition == null || condition.isBlank() ? SENDER : condition.trim();
    }

    @Override
    public final void init() throws MessagingException {
        checkCondition(condition());
    }

    @Override
    public final Collection<MailAddress> match(Mail mail) throws MessagingException {
        AuthenticationOutcome outcome;
        try {
            outcome = TesMailAttributes.readAuthentication(mail).orElseThrow(() -> new MessagingException(
                getClass().getSimpleName() + ": mail " + mail.getName() + " has no tes.auth.* attributes: the"
                    + " inbound authentication hook or the TesAuthenticate mailet must run first"));
        } catch (IllegalStateException e) {
            throw new MessagingException(e.getMessage(), e);
        }
        boolean matched = matches(outcome, mail);
        metrics.generate("tes.matcher." + metricName() + (matched ? ".matched" : ".not-matched")).increment();
        LOGGER.debug("TES {}={} mail {}: {} ({})", getClass().getSimpleName(), condition(), mail.getName(),
            matched ? "matched" : "not matched", outcome);
        return matched ? mail.getRecipients() : List.of();
    }
}
