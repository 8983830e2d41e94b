package org.tesjames.mailets.smtp;

import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Username;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.mailets.MessageIds;
import org.tesjames.core.dkim.sign.SigningAuthorisation;
import org.tesjames.core.dkim.sign.SigningDecision;
import org.tesjames.core.policy.Verdict;
import org.tesjames.mailets.DkimSigning;

/**
 * The DKIM signing policy of the submission listeners at SMTP time: at the end of DATA it takes the same
 * {@link SigningDecision} as the {@code TesDkimSign} mailet (authenticated user, single From domain the user may
 * send for, active key of that domain) and refuses in the SMTP dialogue what the configured policy refuses, so
 * the client learns it at once and nothing bounces later. Signing itself stays in the processor chain
 * ({@code TesDkimSign}, after every header change).
 *
 * <table>
 *   <caption>Parameters (unknown parameters and bad values stop James at start, naming them)</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code noKey}</td><td>{@code skip}</td><td>the From domain has no active key: {@code skip} (accept;
 *       the mail leaves unsigned), {@code reject} ({@code 550 5.7.1 No DKIM key for <domain>; the message was
 *       not accepted (<message-id>)}) or {@code defer} ({@code 451 4.7.0 No DKIM key for <domain> yet; try
 *       again later (<message-id>)}: a key added to the key directory is used after the next reload)</td></tr>
 *   <tr><td>{@code notAuthorised}</td><td>{@code skip}</td><td>the user may not send for the From domain, or
 *       the message has no single From address: {@code skip} (accept; the mail leaves unsigned) or
 *       {@code reject} ({@code 550 5.7.1 <user> may not send as <domain>; the message was not accepted
 *       (<message-id>)}, or {@code 550 5.7.1 No single From address to sign for: <problem>; the message was not
 *       accepted (<message-id>)})</td></tr>
 *   <tr><td>{@code domainMap}</td><td>(none)</td><td>the extra signing domains, as {@code TesDkimSign}'s
 *       parameter of the same name; give both the same value</td></tr>
 * </table>
 * With {@code dkim.keys=none}, or without AUTH (which {@link SubmissionPolicyHook} refuses earlier), the hook
 * has no opinion. Wire it on the submission listeners only, after {@link SubmissionPolicyHook}:
 * <pre>{@code
 * <handler class="org.tesjames.mailets.smtp.SubmissionSigningHook">
 *     <noKey>reject</noKey>
 *     <notAuthorised>reject</notAuthorised>
 * </handler>
 * }</pre>
 *
 * <p>Each refusal logs one INFO line (session, mail, Message-ID, domain, reason). Metrics:
 * {@code tes.submission.dkim.accepted} (will be signed), {@code tes.submission.dkim.skipped} (accepted
 * unsigned by policy), {@code tes.submission.dkim.rejected-no-key}, {@code tes.submission.dkim.deferred-no-key},
 * {@code tes.submission.dkim.rejected-not-authorised}.
 */
public class SubmissionSigningHook implements JamesMessageHook {
    static final String NO_KEY = "noKey";
    static final String NOT_AUTHORISED = "notAuthorised";
    static final String DOMAIN_MAP = "domainMap";

    private static final Logger LOGGER = LoggerFactory.getLogger(SubmissionSigningHook.class);

    /** What to do with a message the policy does not let through signed. */
    enum Policy { SKIP, REJECT, DEFER }

    private final DkimSigning signing;
    private final MetricFactory metrics;

    private Policy noKey = Policy.SKIP;
    private Policy notAuthorised = Policy.SKIP;
    private SigningAuthorisation authorisation = SigningAuthorisation.ownDomainOnly();

    @Inject
    public SubmissionSigningHook(DkimSigning signing, MetricFactory metrics) {
        this.signing = signing;
        this.metrics = metrics;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HookParameters.requireOnly(getClass(), config, NO_KEY, NOT_AUTHORISED, DOMAIN_MAP);
        noKey = policy(config, NO_KEY, Policy.SKIP, Policy.REJECT, Policy.DEFER);
        notAuthorised = policy(config, NOT_AUTHORISED, Policy.SKIP, Policy.REJECT);
        String map = config.getString(DOMAIN_MAP, "");
        try {
            authorisation = SigningAuthorisation.parse(map);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(getClass().getName() + ": " + DOMAIN_MAP + "='" + map + "': "
                + e.getMessage());
        }
        if (!signing.isEnabled() && (noKey != Policy.SKIP || notAuthorised != Policy.SKIP)) {
            LOGGER.info("SubmissionSigningHook: DKIM signing is disabled (dkim.keys=none); noKey and notAuthorised"
                + " do not apply");
        }
    }

    private Policy policy(Configuration config, String name, Policy... allowed) throws ConfigurationException {
        String value = config.getString(name, "skip");
        for (Policy policy : allowed) {
            if (policy.name().toLowerCase(Locale.ROOT).equals(value.strip().toLowerCase(Locale.ROOT))) {
                return policy;
            }
        }
        StringBuilder names = new StringBuilder();
        for (Policy policy : allowed) {
            names.append(names.length() == 0 ? "" : ", ").append(policy.name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigurationException(getClass().getName() + ": " + name + "='" + value + "' (expected one of "
            + names + ")");
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        MimeMessage message;
        String messageId;
        Optional<SigningDecision> decision;
        try {
            message = mail.getMessage();
            messageId = MessageIds.of(message);
            decision = signing.decide(Optional.ofNullable(session.getUsername()).map(Username::asString), message,
                authorisation);
        } catch (MessagingException e) {
            LOGGER.warn("TES submission session {} mail {}: cannot read the message to decide on DKIM signing",
                session.getSessionID(), mail.getName(), e);
            return SmtpReplies.of(Verdict.defer("TES cannot process the message"));
        }
        if (decision.isEmpty() || decision.get() instanceof SigningDecision.Unauthenticated) {
            return HookResult.DECLINED;
        }
        Verdict verdict = verdict(decision.get(), messageId);
        String outcome;
        if (verdict instanceof Verdict.Accept) {
            outcome = decision.get() instanceof SigningDecision.Sign ? "accepted" : "skipped";
        } else if (decision.get() instanceof SigningDecision.NoKey) {
            outcome = verdict instanceof Verdict.Reject ? "rejected-no-key" : "deferred-no-key";
        } else {
            outcome = "rejected-not-authorised";
        }
        metrics.generate("tes.submission.dkim." + outcome).increment();
        if (!(verdict instanceof Verdict.Accept) || !(decision.get() instanceof SigningDecision.Sign)) {
            LOGGER.info("TES submission session {} mail {} message-id {}: DKIM {} ({}) -> {}", session.getSessionID(),
                mail.getName(), messageId, outcome, decision.get(), verdict);
        }
        return SmtpReplies.of(verdict, "5.7.1", "4.7.0");
    }

    /** The verdict of the configured policy on a decision; the reply texts are documented above. */
    Verdict verdict(SigningDecision decision, String messageId) {
        if (decision instanceof SigningDecision.NoKey none) {
            return switch (noKey) {
                case SKIP -> Verdict.accept();
                case REJECT -> Verdict.reject("No DKIM key for " + none.domain()
                    + "; the message was not accepted (" + messageId + ")");
                case DEFER -> Verdict.defer("No DKIM key for " + none.domain() + " yet; try again later ("
                    + messageId + ")");
            };
        }
        if (notAuthorised == Policy.REJECT) {
            if (decision instanceof SigningDecision.NotAuthorised denied) {
                return Verdict.reject(denied.user() + " may not send as " + denied.domain()
                    + "; the message was not accepted (" + messageId + ")");
            }
            if (decision instanceof SigningDecision.NoFromDomain noFrom) {
                return Verdict.reject("No single From address to sign for: " + noFrom.problem()
                    + "; the message was not accepted (" + messageId + ")");
            }
        }
        return Verdict.accept();
    }
}
