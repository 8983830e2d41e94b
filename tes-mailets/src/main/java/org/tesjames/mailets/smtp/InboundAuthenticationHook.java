package org.tesjames.mailets.smtp;

import java.io.ByteArrayOutputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.mailets.MessageIds;
import org.tesjames.core.auth.AuthenticationReport;
import org.tesjames.core.auth.AuthenticationResultsHeader;
import org.tesjames.core.auth.MessageAuthenticator;
import org.tesjames.core.auth.SmtpIdentity;
import org.tesjames.core.auth.SpfCheck;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.dkim.verify.BodyHashes;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.mail.HeaderFields;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.policy.AuthenticationOutcome;
import org.tesjames.core.policy.TesPolicies;
import org.tesjames.core.policy.Verdict;
import org.tesjames.mailets.auth.InboundAuthentication;
import org.tesjames.matchers.SenderMembership;

/**
 * Message authentication and the TES member rules on the inbound listener (port 25), at the end of DATA.
 *
 * <p>Every message is authenticated (DKIM, SPF with the client address, HELO and MAIL FROM of the session, DMARC)
 * within {@code lookup.timeout}, without holding James's event loop: SPF starts at MAIL FROM, the DKIM key and
 * DMARC policy lookups when the header is complete, the DKIM body hashes are computed while the body streams in
 * (only the header is kept), and the line ending DATA waits on the session's {@link SessionGate} until the result
 * is there. Then, for the envelope sender's domain S:
 * <ul>
 *   <li>S is a member and no DKIM signature with {@code d=} S verified:
 *       {@code 550 5.7.1 The message is not DKIM signed by policy of S (<message-id>)};</li>
 *   <li>S is a member and the message fails DMARC with the disposition {@code reject}:
 *       {@code 550 5.7.1 The message violates the DMARC policy of S (<message-id>)};</li>
 *   <li>a temporary DNS error on a DKIM key of S, a DMARC {@code temperror}, or no result within
 *       {@code lookup.timeout}: {@code 451 4.4.3 TES lookup failed...} (the client retries; nothing is accepted);</li>
 *   <li>the authentication is still in progress because the session was not allowed to wait
 *       ({@link PendingSessions}): {@code 451 4.7.0};</li>
 *   <li>any other sender is accepted (evaluated and stamped), unless {@code dmarc.reject-non-members=true}, which
 *       holds it to DMARC like a member.</li>
 * </ul>
 * An accepted message gets one {@code Authentication-Results} header with the authserv-id of
 * {@code auth.authserv-id} at the top, incoming ones claiming that authserv-id removed, and the {@code tes.auth.*}
 * Mail attributes. See {@link InboundAuthentication}.
 *
 * <p>The membership is the one {@code InboundPolicyHook} recorded at RCPT (no second lookup): wire this hook after
 * it. No parameter.
 * <pre>{@code
 * <handler class="org.tesjames.mailets.smtp.InboundPolicyHook"/>
 * <handler class="org.tesjames.mailets.smtp.InboundAuthenticationHook"/>
 * }</pre>
 *
 * <p>A connection keeps its last SPF result for the next transactions with the same identity, and its last DMARC
 * policy for the next messages from the same Author Domain, within the TTL of the answers behind them
 * ({@link KeptLookup}).
 *
 * <p>Metrics: {@code tes.inbound.auth.accepted}, {@code tes.inbound.auth.rejected},
 * {@code tes.inbound.auth.deferred}, {@code tes.inbound.spf.reused}, {@code tes.inbound.dmarc-policy.reused}, and
 * those of {@link InboundAuthentication}.
 */
public class InboundAuthenticationHook implements MailHook, DataLineFilter, JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(InboundAuthenticationHook.class);
    private static final AttachmentKey<Transaction> TRANSACTION = AttachmentKey.of("tes.inbound.auth",
        Transaction.class);
    private static final AttachmentKey<KeptLookup<SmtpIdentity, SpfVerifier.Held>> KEPT_SPF =
        KeptLookup.kind("tes.inbound.auth.spf");
    private static final AttachmentKey<KeptLookup<String, DmarcPolicyDiscovery.Held>> KEPT_POLICY =
        KeptLookup.kind("tes.inbound.auth.dmarc-policy");

    /**
     * What one transaction's authentication has gathered: its identity, SPF started at MAIL FROM, the header of the
     * message and, once the header is complete, the DKIM body hashes its signatures need, fed as the body streams
     * in (the body itself is never kept).
     */
    static final class Transaction {
        final SmtpIdentity identity;
        final CompletableFuture<SpfCheck> spf;
        final ByteArrayOutputStream header = new ByteArrayOutputStream(1024);
        /** The parsed header and the lookups started for it, once the header is complete. */
        MessageAuthenticator.Prefetched prefetched;
        BodyHashes.Streaming body;
        CompletableFuture<Optional<AuthenticationReport>> report;

        Transaction(SmtpIdentity identity, CompletableFuture<SpfCheck> spf) {
            this.identity = identity;
            this.spf = spf;
        }
    }

    private final InboundAuthentication authentication;
    private final SenderMembership membership;
    private final MetricFactory metrics;
    private final VerdictCounters verdicts;
    private final Metric spfReused;
    private final Metric policyReused;
    private final PendingSessions pending;
    private final SessionGate.EndOfDataWork endOfData = this::startAuthentication;
    private final DataPhaseState<Transaction> transactions = new DataPhaseState<>(
        session -> session.getAttachment(TRANSACTION, ProtocolSession.State.Transaction).orElse(null));

    @Inject
    public InboundAuthenticationHook(InboundAuthentication authentication, MembershipResolver resolver,
                                     TesSettings settings, MetricFactory metrics, PendingSessions pending) {
        this.authentication = authentication;
        this.membership = new SenderMembership(resolver, settings.lookupTimeout());
        this.metrics = metrics;
        this.verdicts = new VerdictCounters(metrics, "tes.inbound.auth");
        this.spfReused = metrics.generate("tes.inbound.spf.reused");
        this.policyReused = metrics.generate("tes.inbound.dmarc-policy.reused");
        this.pending = pending;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HookParameters.requireOnly(getClass(), config);
    }

    /** Starts the SPF check as soon as the identity is known; authentication waits at the end of DATA. */
    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        SmtpIdentity identity = new SmtpIdentity(session.getRemoteAddress().getAddress(),
            session.getAttachment(SMTPSession.CURRENT_HELO_NAME, ProtocolSession.State.Connection).orElse(""),
            sender.asString(""));
        session.setAttachment(TRANSACTION, new Transaction(identity, spf(session, identity)),
            ProtocolSession.State.Transaction);
        SessionGate.of(session, pending).ifPresent(gate -> gate.onEndOfData(endOfData));
        return HookResult.DECLINED;
    }

    /** The SPF check of the identity: the connection's last one while it holds ({@link KeptLookup}), else a new one. */
    private CompletableFuture<SpfCheck> spf(SMTPSession session, SmtpIdentity identity) {
        return KeptLookup.of(session, KEPT_SPF, identity, authentication::startSpf, SpfVerifier.Held::ttl,
            spfReused).thenApply(SpfVerifier.Held::check);
    }

    /** The DMARC policy of an Author Domain: the connection's last one when it still holds, else a new discovery. */
    private CompletableFuture<DmarcPolicyDiscovery.Outcome> policy(SMTPSession session, String domain) {
        return KeptLookup.of(session, KEPT_POLICY, domain, authentication::discoverPolicy,
            DmarcPolicyDiscovery.Held::ttl, policyReused).thenApply(DmarcPolicyDiscovery.Held::outcome);
    }

    /**
     * Keeps the header of the message as James stores it (dot-stuffing undone), and hashes the body as it streams
     * in, for the authentication at the end of DATA.
     */
    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        if (DataPhaseState.endsData(line)) {
            transactions.end();
            return next.onLine(session, line);
        }
        Transaction transaction = transactions.get(session);
        if (transaction != null) {
            int from = line.length >= 2 && line[0] == '.' && line[1] == '.' ? 1 : 0;
            if (transaction.body != null) {
                transaction.body.update(line, from, line.length - from);
            } else {
                transaction.header.write(line, from, line.length - from);
                if (line.length == 2 && line[0] == '\r' && line[1] == '\n') {
                    headerComplete(session, transaction);
                }
            }
        }
        return next.onLine(session, line);
    }

    /** The header is complete: DKIM key and DMARC lookups start now, the body hashes as the body comes. */
    private void headerComplete(SMTPSession session, Transaction transaction) {
        HeaderFields header = HeaderFields.parse(transaction.header.toByteArray());
        transaction.body = BodyHashes.streaming(authentication.bodyHashesNeeded(header, transaction.identity));
        transaction.prefetched = authentication.prefetch(header, transaction.identity,
            domain -> policy(session, domain));
    }

    /** The work the line ending DATA waits for: the authentication of the message, started now. */
    CompletableFuture<?> startAuthentication(SMTPSession session) {
        Optional<Transaction> transaction = session.getAttachment(TRANSACTION, ProtocolSession.State.Transaction);
        if (transaction.isEmpty() || InboundPolicyHook.refusal(session).isPresent()) {
            return CompletableFuture.completedFuture(null);
        }
        Transaction t = transaction.get();
        if (t.body == null) {
            headerComplete(session, t);
        }
        t.report = authentication.start(t.prefetched, t.body.finish(), t.identity, t.spf,
            "session " + session.getSessionID());
        return t.report;
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        String messageId = InboundPolicyHook.messageId(session).orElseGet(() -> MessageIds.of(mail));
        SenderMembership.Known sender = membership.of(mail);
        Verdict verdict;
        Optional<AuthenticationReport> report = Optional.empty();
        Optional<String> rendered = Optional.empty();
        try {
            if (sender.failed()) {
                verdict = Verdict.defer(TesPolicies.LOOKUP_FAILED);
            } else {
                Optional<CompletableFuture<Optional<AuthenticationReport>>> started = report(session, mail);
                if (started.isEmpty()) {
                    metrics.generate("tes.inbound.auth.deferred").increment();
                    LOGGER.info("TES inbound mail {} message-id {}: deferred, authentication still in progress and"
                        + " the session may not wait", mail.getName(), messageId);
                    return SmtpReplies.TOO_MANY_PENDING;
                }
                report = started.get().join();
                verdict = report.map(r -> TesPolicies.messageAuthentication(sender.verdict(),
                        sender.domain().orElse(""), AuthenticationOutcome.of(r.dkim(), r.dmarc()), messageId,
                        authentication.dmarcForEveryone()))
                    .orElseGet(() -> Verdict.defer(TesPolicies.LOOKUP_FAILED + " (" + messageId + ")"));
            }
            rendered = report.map(r -> AuthenticationResultsHeader.render(authentication.authservId(), r));
            if (verdict instanceof Verdict.Accept) {
                int forged = authentication.stamp(mail, report.orElseThrow(), rendered.orElseThrow());
                if (forged > 0) {
                    LOGGER.info("TES inbound mail {} message-id {}: removed {} forged Authentication-Results header(s)",
                        mail.getName(), messageId, forged);
                }
            }
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("TES inbound mail {} message-id {}: authentication failed, deferred", mail.getName(),
                messageId, e);
            verdict = Verdict.defer("TES authentication failed (" + messageId + ")");
        }
        String outcome = verdicts.count(verdict);
        if (LOGGER.isInfoEnabled()) {
            LOGGER.info("TES inbound mail {} message-id {} sender {} ({}): {} {}{}", mail.getName(), messageId,
                mail.getMaybeSender().asString(), sender.member() ? "member" : sender.failed() ? "lookup failed"
                    : "non-member", outcome, verdict instanceof Verdict.Accept ? "" : verdict + " ",
                rendered.map(r -> "[" + r + "]").orElse(""));
        }
        return SmtpReplies.of(verdict);
    }

    /**
     * The authentication started when DATA ended; started here (and waited for) on a session without a gate. Empty
     * when it is still in progress on a session with a gate: the session was not allowed to wait.
     */
    private Optional<CompletableFuture<Optional<AuthenticationReport>>> report(SMTPSession session, Mail mail)
            throws MessagingException {
        Optional<Transaction> transaction = session.getAttachment(TRANSACTION, ProtocolSession.State.Transaction);
        if (transaction.isPresent() && transaction.get().report != null) {
            CompletableFuture<Optional<AuthenticationReport>> started = transaction.get().report;
            if (!started.isDone() && SessionGate.of(session, pending).isPresent()) {
                return Optional.empty();
            }
            return Optional.of(started);
        }
        SmtpIdentity identity = transaction.map(t -> t.identity).orElseGet(() -> new SmtpIdentity(
            session.getRemoteAddress().getAddress(),
            session.getAttachment(SMTPSession.CURRENT_HELO_NAME, ProtocolSession.State.Connection).orElse(""),
            mail.getMaybeSender().asString("")));
        return Optional.of(CompletableFuture.completedFuture(authentication.authenticate(mail, identity)));
    }
}
