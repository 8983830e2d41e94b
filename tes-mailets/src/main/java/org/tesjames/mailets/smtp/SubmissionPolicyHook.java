package org.tesjames.mailets.smtp;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.policy.TesPolicies;
import org.tesjames.core.policy.Verdict;
import org.tesjames.mailets.TesStatusHeader;

/**
 * The TES client policy on the submission listeners (ports 587 and 465), at SMTP time:
 * <ul>
 *   <li>{@code AUTH} before TLS: {@code 538 5.7.11} (James's {@code <requireSSL>} only hides AUTH from EHLO; it
 *       does not refuse it);</li>
 *   <li>{@code RCPT} without AUTH: {@code 530 5.7.0 Authentication required}, local recipients included (James
 *       only demands AUTH for relaying);</li>
 *   <li>authenticated over TLS older than 1.1 (or not over TLS): {@code 550 5.7.1 Client is not TES
 *       compliant};</li>
 *   <li>at the end of DATA, every {@code X-TES-Status} header the client sent is removed.</li>
 * </ul>
 * It takes no parameter. Wire it in each submission listener's handler chain, before James's core handlers:
 * <pre>{@code
 * <handler class="org.tesjames.mailets.smtp.SubmissionPolicyHook"/>
 * <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
 * }</pre>
 *
 * <p>Metrics: {@code tes.submission.auth.refused-without-tls}, {@code tes.submission.rcpt.unauthenticated},
 * {@code tes.submission.rcpt.rejected}, {@code tes.submission.rcpt.accepted},
 * {@code tes.submission.status.removed}.
 */
public class SubmissionPolicyHook implements CommandHandler<SMTPSession>, RcptHook, JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(SubmissionPolicyHook.class);
    private static final Response ENCRYPTION_REQUIRED = new SMTPResponse("538",
        "5.7.11 Encryption required for requested authentication mechanism");

    private final MetricFactory metrics;

    @Inject
    public SubmissionPolicyHook(MetricFactory metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HookParameters.requireOnly(getClass(), config);
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("AUTH");
    }

    /** Refuses AUTH before TLS; otherwise lets James's AUTH handler run. */
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.isTLSStarted()) {
            return null;
        }
        metrics.generate("tes.submission.auth.refused-without-tls").increment();
        LOGGER.info("TES submission session {} from {}: AUTH before TLS refused", session.getSessionID(),
            session.getRemoteAddress().getAddress().getHostAddress());
        return ENCRYPTION_REQUIRED;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (session.getUsername() == null) {
            metrics.generate("tes.submission.rcpt.unauthenticated").increment();
            LOGGER.info("TES submission session {} sender {} rcpt {}: refused, not authenticated",
                session.getSessionID(), sender.asString(), rcpt.asString());
            return SmtpReplies.AUTHENTICATION_REQUIRED;
        }
        Verdict verdict = TesPolicies.client(SessionFacts.of(session, Optional.empty()));
        if (verdict instanceof Verdict.Accept) {
            metrics.generate("tes.submission.rcpt.accepted").increment();
        } else {
            metrics.generate("tes.submission.rcpt.rejected").increment();
            LOGGER.info("TES submission session {} user {} sender {} rcpt {}: {} (TLS {})", session.getSessionID(),
                session.getUsername().asString(), sender.asString(), rcpt.asString(), verdict,
                session.getSSLSession().map(ssl -> ssl.getProtocol()).orElse("none"));
        }
        return SmtpReplies.of(verdict);
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        try {
            int removed = TesStatusHeader.strip(mail.getMessage());
            if (removed > 0) {
                metrics.generate("tes.submission.status.removed").increment();
                LOGGER.info("TES submission mail {}: removed {} {} header(s) sent by the client", mail.getName(),
                    removed, TesStatusHeader.NAME);
            }
            return HookResult.DECLINED;
        } catch (MessagingException e) {
            LOGGER.warn("TES submission mail {}: cannot remove {}", mail.getName(), TesStatusHeader.NAME, e);
            return SmtpReplies.of(Verdict.defer("TES cannot process the message"));
        }
    }
}
