package org.tesjames.mailets.smtp;

import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.session.SmtpSessionFacts;
import org.tesjames.core.session.TlsMode;
import org.tesjames.mailets.EnumCounters;
import org.tesjames.matchers.TesMailAttributes;

/**
 * Records the facts of the SMTP session on every message it accepts, as the {@code tes.smtp.*} Mail attributes
 * documented in {@link TesMailAttributes}: the listener, whether TLS was started and how (STARTTLS or implicit
 * TLS), the negotiated protocol and cipher suite, and the SASL-authenticated user. Mailets see no TLS state
 * otherwise. Values a client may have set earlier are overwritten.
 *
 * <p>It also puts the session's {@link SessionGate} in place at MAIL FROM. James drops a line of a
 * message that is longer than its limit of 8192 octets and would answer {@code 500} in the middle of DATA, then
 * accept the rest: with the gate, DATA gets one reply, {@code 554 5.6.0 Message refused: a line is longer than 8192
 * octets}, and nothing is stored. That is the only message it refuses.
 *
 * <p>Parameters (children of the {@code handler} element):
 * <ul>
 *   <li>{@code listener}: the name recorded in {@code tes.smtp.listener}; default {@code smtp-<local port>}.</li>
 * </ul>
 * An unknown parameter fails the server start, naming it.
 *
 * <pre>{@code
 * <handlerchain>
 *     <handler class="org.tesjames.mailets.smtp.SessionFactsHook">
 *         <listener>inbound</listener>
 *     </handler>
 *     <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
 * </handlerchain>
 * }</pre>
 *
 * <p>Metrics: {@code tes.smtp.tls.none}, {@code tes.smtp.tls.starttls}, {@code tes.smtp.tls.implicit}
 * count the messages accepted in each mode.
 */
public class SessionFactsHook implements MailHook, JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(SessionFactsHook.class);
    private static final String LISTENER = "listener";

    /** The reply to DATA when James dropped a line of the message for its length. */
    static final HookResult LINE_TOO_LONG = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("554")
        .smtpDescription("5.6.0 Message refused: a line is longer than 8192 octets")
        .build();

    private final MetricFactory metricFactory;
    /** {@code tes.smtp.tls.<mode>}: every message counts one. */
    private final Map<TlsMode, Metric> tlsModes;
    private final PendingSessions pending;
    private Optional<String> listener = Optional.empty();

    @Inject
    public SessionFactsHook(MetricFactory metricFactory, PendingSessions pending) {
        this.metricFactory = metricFactory;
        this.tlsModes = EnumCounters.of(metricFactory, TlsMode.class, mode -> "tes.smtp.tls." + mode.token());
        this.pending = pending;
    }

    /** Puts the session's {@link SessionGate} in place, so that DATA gets one reply whatever its lines. */
    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        SessionGate.of(session, pending);
        return HookResult.DECLINED;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HookParameters.requireOnly(getClass(), config, LISTENER);
        String configured = config.getString(LISTENER, null);
        if (configured != null && configured.isBlank()) {
            throw new ConfigurationException(getClass().getName() + ": parameter 'listener' must not be blank");
        }
        listener = Optional.ofNullable(configured).map(String::trim);
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        if (SessionGate.hadLineTooLong(session)) {
            metricFactory.generate("tes.smtp.line-too-long").increment();
            LOGGER.info("mail {} session {}: refused, a line was longer than James's limit and was dropped",
                mail.getName(), session.getSessionID());
            return LINE_TOO_LONG;
        }
        SmtpSessionFacts facts = SessionFacts.of(session, listener);
        TesMailAttributes.writeSessionFacts(mail, facts);
        tlsModes.get(facts.tlsMode()).increment();
        LOGGER.debug("mail {} session {} listener {} tls {} protocol {} cipher {} user {}", mail.getName(),
            session.getSessionID(), facts.listener(), facts.tlsMode().token(),
            facts.tlsProtocol().orElse("-"), facts.cipherSuite().orElse("-"),
            facts.authenticatedUser().orElse("-"));
        return HookResult.DECLINED;
    }
}
