package org.tesjames.mailets;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.matchers.SenderMembership;

/**
 * Sets the {@code X-TES-Status} header ({@link TesStatusHeader}) in the processor chain, for mail that did not
 * get it from the inbound SMTP hook.
 *
 * <table>
 *   <caption>Parameters</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code mode}</td><td>{@code stamp}</td><td>{@code stamp}: remove every {@code X-TES-Status} the
 *       message came with and add {@code member} or {@code non-member} for the envelope sender's domain (the
 *       membership as {@code IsTesMember} finds it: the {@code tes.sender.membership} attribute, else a lookup
 *       that is then recorded; the null sender is a non-member). A temporary lookup failure throws a
 *       {@link MessagingException} and leaves the message unchanged. {@code strip}: only remove every copy, for
 *       submitted mail, which must not carry a status.</td></tr>
 * </table>
 * Any other parameter, or another {@code mode}, fails at start naming it.
 * <pre>{@code
 * <mailet match="All" class="org.tesjames.mailets.AddTesStatus">
 *     <onMailetException>tes-deferred</onMailetException>
 *     <mode>stamp</mode>
 * </mailet>
 * <mailet match="SMTPAuthSuccessful" class="org.tesjames.mailets.AddTesStatus">
 *     <mode>strip</mode>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics: {@code tes.status.member}, {@code tes.status.non-member}, {@code tes.status.failed},
 * {@code tes.status.stripped}, {@code tes.status.forged-removed} (messages that carried a copy).
 */
public class AddTesStatus extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(AddTesStatus.class);
    public static final String MODE = "mode";
    public static final String STAMP = "stamp";
    public static final String STRIP = "strip";

    private final SenderMembership membership;
    private final MetricFactory metrics;
    private boolean stamp;

    @Inject
    public AddTesStatus(MembershipResolver resolver, TesSettings settings, MetricFactory metrics) {
        this.membership = new SenderMembership(resolver, settings.lookupTimeout());
        this.metrics = metrics;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.of(getClass(), getMailetConfig(), MODE);
        stamp = parameters.choice(MODE, STAMP, STAMP, STRIP).equals(STAMP);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (!stamp) {
            int removed = TesStatusHeader.strip(mail.getMessage());
            metrics.generate("tes.status.stripped").increment();
            countForged(mail, removed);
            LOGGER.debug("TES AddTesStatus mail {} sender {}: strip, removed {} {} header(s)", mail.getName(),
                mail.getMaybeSender().asString(), removed, TesStatusHeader.NAME);
            return;
        }
        SenderMembership.Known known = membership.of(mail);
        if (known.failed()) {
            metrics.generate("tes.status.failed").increment();
            LOGGER.info("TES AddTesStatus mail {} sender domain {}: lookup failed: {}", mail.getName(),
                known.domainOrNullSender(), known.describe());
            throw known.failure(mail);
        }
        int removed = TesStatusHeader.stamp(mail.getMessage(), known.member());
        countForged(mail, removed);
        String status = known.member() ? TesStatusHeader.MEMBER : TesStatusHeader.NON_MEMBER;
        metrics.generate("tes.status." + status).increment();
        LOGGER.info("TES AddTesStatus mail {} sender domain {}: {} ({}, removed {} existing)", mail.getName(),
            known.domainOrNullSender(), status, known.describe(), removed);
    }

    private void countForged(Mail mail, int removed) {
        if (removed > 0) {
            metrics.generate("tes.status.forged-removed").increment();
            LOGGER.info("TES AddTesStatus mail {}: removed {} {} header(s) it came with", mail.getName(), removed,
                TesStatusHeader.NAME);
        }
    }

    @Override
    public String getMailetInfo() {
        return "TES: sets or strips the X-TES-Status header";
    }
}
