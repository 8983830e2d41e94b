package org.tesjames.mailets;

import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.auth.AuthenticationReport;
import org.tesjames.mailets.auth.InboundAuthentication;
import org.tesjames.matchers.TesMailAttributes;

/**
 * Authenticates a received message in the processor chain (DKIM, SPF, DMARC; see {@link InboundAuthentication}),
 * for mail that did not get it from the inbound SMTP hook: adds the {@code Authentication-Results} header (forged
 * ones removed) and records the {@code tes.auth.*} attributes the matchers {@code HasDkimSignatureFor},
 * {@code DmarcDisposition} and {@code AuthenticationTemporaryError} read. A mail that already carries the
 * attributes (the hook ran, or an earlier pass) is left as it is, unless they record a temporary error: a deferred
 * mail coming back is authenticated again (its earlier header replaced). SPF uses the client address James recorded for the mail, its
 * {@code HELO} attribute and the envelope sender.
 *
 * <p>No result within {@code lookup.timeout} throws a {@link MessagingException} whose message starts with
 * {@code TES lookup failed}, leaving the message unchanged: route it with {@code onMailetException} to a processor
 * that defers. No parameter (any fails at start).
 * <pre>{@code
 * <mailet match="All" class="org.tesjames.mailets.TesAuthenticate">
 *     <onMailetException>tes-deferred</onMailetException>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics: {@code tes.authenticate.done}, {@code tes.authenticate.skipped} (already authenticated),
 * {@code tes.authenticate.failed}, and those of {@link InboundAuthentication}.
 */
public class TesAuthenticate extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(TesAuthenticate.class);

    private final InboundAuthentication authentication;
    private final MetricFactory metrics;

    @Inject
    public TesAuthenticate(InboundAuthentication authentication, MetricFactory metrics) {
        this.authentication = authentication;
        this.metrics = metrics;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters.of(getClass(), getMailetConfig());
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (TesMailAttributes.readAuthentication(mail).filter(outcome -> !outcome.hasTemporaryError()).isPresent()) {
            metrics.generate("tes.authenticate.skipped").increment();
            return;
        }
        Optional<AuthenticationReport> report = authentication.authenticate(mail, InboundAuthentication.identity(mail));
        if (report.isEmpty()) {
            metrics.generate("tes.authenticate.failed").increment();
            throw new MessagingException("TES lookup failed: no authentication result for mail " + mail.getName()
                + " within lookup.timeout");
        }
        int forged = authentication.stamp(mail, report.get());
        metrics.generate("tes.authenticate.done").increment();
        LOGGER.info("TES TesAuthenticate mail {} sender {}: {}{}", mail.getName(), mail.getMaybeSender().asString(),
            report.get(), forged > 0 ? " (" + forged + " forged Authentication-Results removed)" : "");
    }

    @Override
    public String getMailetInfo() {
        return "TES: DKIM, SPF and DMARC authentication of received mail, Authentication-Results";
    }
}
