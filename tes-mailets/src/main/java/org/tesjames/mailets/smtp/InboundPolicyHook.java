package org.tesjames.mailets.smtp;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.mailets.JavaMailHeaders;
import org.tesjames.mailets.MessageIds;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.membership.Step;
import org.tesjames.core.policy.TesPolicies;
import org.tesjames.core.policy.Verdict;
import org.tesjames.mailets.TesStatusHeader;
import org.tesjames.matchers.TesMailAttributes;

/**
 * The TES server policy on the inbound listener (port 25), at SMTP time.
 *
 * <p>The membership lookup of the envelope sender's domain S starts at MAIL FROM; the session's next line waits for
 * it on the session's {@link SessionGate}, never on James's event loop. At RCPT:
 * <ul>
 *   <li>S is a member and the session has no TLS, or TLS older than 1.2: {@code 550 5.7.1 Member is not TES
 *       compliant};</li>
 *   <li>the membership lookup failed temporarily (or took longer than {@code lookup.timeout}):
 *       {@code 451 4.4.3 TES lookup failed} (nothing is accepted, the client retries);</li>
 *   <li>at MAIL FROM already: the lookup needs a DNS query and the client has no place of {@link PendingSessions}
 *       ({@link AdmittedDns}, nothing is sent): {@code 451 4.7.0};</li>
 *   <li>the null sender {@code <>} is not a member, without a lookup.</li>
 * </ul>
 * While the message streams in (a DATA line filter, so the message is never rewritten) it drops every field that
 * javax.mail would read as {@code X-TES-Status}, folded lines included ({@link #isStatusField}), and adds
 * {@code X-TES-Status: member} or {@code non-member} at the top of the header. It also enforces the limits of a
 * message: the listener's {@code maxmessagesize}, {@code smtp.max-header-bytes} and {@code smtp.max-header-fields}
 * ({@code 552 5.3.4}), and refuses a header javax.mail would read otherwise than it is written ({@code 554 5.6.0}):
 * once a message is refused its remaining lines are dropped, and the reply comes at the end of DATA. At the end of
 * DATA it records the verdict in the {@code tes.sender.*} Mail attributes ({@link TesMailAttributes}) so the
 * processor chain does not look it up again.
 *
 * <p>It takes no parameter. Wire it in the inbound listener's handler chain, before James's core handlers:
 * <pre>{@code
 * <handler class="org.tesjames.mailets.smtp.InboundPolicyHook"/>
 * <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
 * }</pre>
 *
 * <p>Metrics: {@code tes.inbound.rcpt.accepted}, {@code tes.inbound.rcpt.rejected},
 * {@code tes.inbound.rcpt.deferred}, {@code tes.inbound.rcpt.too-many-pending}, {@code tes.inbound.mail.too-many-pending},
 * {@code tes.inbound.status.member}, {@code tes.inbound.status.non-member},
 * {@code tes.inbound.status.forged-removed}, {@code tes.inbound.refused.limit}, {@code tes.inbound.refused.malformed},
 * {@code tes.inbound.membership.reused} (a connection's last verdict taken again, see {@link KeptLookup});
 * timer {@code tes.inbound.membership}.
 */
public class InboundPolicyHook implements MailHook, RcptHook, DataLineFilter, JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(InboundPolicyHook.class);
    private static final AttachmentKey<SenderMembership> SENDER = AttachmentKey.of("tes.inbound.sender",
        SenderMembership.class);
    private static final AttachmentKey<SenderLookup> LOOKUP = AttachmentKey.of("tes.inbound.lookup",
        SenderLookup.class);
    private static final AttachmentKey<HeaderState> HEADER = AttachmentKey.of("tes.inbound.header",
        HeaderState.class);
    private static final AttachmentKey<KeptLookup<String, MembershipVerdict>> KNOWN =
        KeptLookup.kind("tes.inbound.known-domain");
    private static final String MESSAGE_ID = "Message-ID";

    /** The reply to a message whose header javax.mail would read otherwise than it is written. */
    private static HookResult malformedHeader(String why) {
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("554")
            .smtpDescription("5.6.0 Message refused: malformed header (" + why + ")").build();
    }

    /** Per-transaction state of the header rewriting while DATA streams in. */
    static final class HeaderState {
        boolean statusAdded;
        boolean droppingStatus;
        boolean headerEnded;
        int lines;
        int fields;
        long size;
        int removed;
        HookResult refusal;
        /** The value of the first {@code Message-ID} field passed on, as javax.mail reads it; null while none. */
        String messageId;
        /** The field being passed on, while it may be that field (its first line names it); else null. */
        StringBuilder candidate;

        /** The Message-ID as {@link MessageIds} quotes it, of the lines {@link #passed} so far. */
        String quotedMessageId() {
            settle();
            return messageId == null ? MessageIds.NONE : MessageIds.quotable(messageId);
        }

        /** Follows the header lines passed on to James, for the first {@code Message-ID} field. */
        void passed(byte[] line, boolean continuation) {
            if (messageId != null) {
                return;
            }
            if (continuation) {
                if (candidate != null) {
                    candidate.append("\r\n").append(text(line, 0));
                }
                return;
            }
            settle();
            // the first line names the field (continuation lines may change the name of one without a colon)
            if (messageId == null && JavaMailHeaders.isNamed(line, 0, JavaMailHeaders.colon(line, line.length), MESSAGE_ID)) {
                candidate = new StringBuilder(text(line, 0));
            }
        }

        /** Reads the candidate field whole, as javax.mail reads a field. */
        private void settle() {
            if (candidate != null) {
                messageId = JavaMailHeaders.value(candidate.toString(), MESSAGE_ID).orElse(null);
                candidate = null;
            }
        }
    }

    /** The membership of one transaction's sender. */
    record SenderMembership(MaybeSender sender, MembershipVerdict verdict) {
    }

    private final MembershipResolver resolver;
    private final Duration deadline;
    private final MetricFactory metrics;
    private final VerdictCounters rcptVerdicts;
    private final Metric statusMember;
    private final Metric statusNonMember;
    private final Metric reused;
    private final PendingSessions pending;
    private final int maxHeaderBytes;
    private final int maxHeaderFields;
    private final DataPhaseState<HeaderState> header = new DataPhaseState<>(InboundPolicyHook::headerState);

    @Inject
    public InboundPolicyHook(MembershipResolver resolver, TesSettings settings, MetricFactory metrics,
                             PendingSessions pending) {
        this.resolver = resolver;
        this.deadline = settings.lookupTimeout();
        this.metrics = metrics;
        this.rcptVerdicts = new VerdictCounters(metrics, "tes.inbound.rcpt");
        this.statusMember = metrics.generate("tes.inbound.status.member");
        this.statusNonMember = metrics.generate("tes.inbound.status.non-member");
        this.reused = metrics.generate("tes.inbound.membership.reused");
        this.pending = pending;
        this.maxHeaderBytes = settings.smtpMaxHeaderBytes();
        this.maxHeaderFields = settings.smtpMaxHeaderFields();
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HookParameters.requireOnly(getClass(), config);
    }

    /**
     * Starts the membership lookup of the sender's domain; the next command of the session waits for it on the
     * session's gate, not on the event loop. A lookup that needs a query takes a place of {@link PendingSessions}
     * for the client first ({@link AdmittedDns}): without one nothing is sent and MAIL FROM gets {@code 451 4.7.0}.
     */
    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        Optional<SessionGate> gate = SessionGate.of(session, pending);
        if (gate.isEmpty()) {
            start(session, sender);
            return HookResult.DECLINED;
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        AdmittedDns admitted = new AdmittedDns(resolver.dns(), pending, client);
        MembershipResolver bounded = resolver.withDns(admitted);
        SenderLookup lookup = start(session, sender, domain -> lookup(bounded, domain, admitted::refused));
        if (admitted.refused()) {
            metrics.generate("tes.inbound.mail.too-many-pending").increment();
            LOGGER.info("TES inbound session {} sender {}: deferred, too many TES lookups of client {} in progress",
                session.getSessionID(), sender.asString(), client.getHostAddress());
            return SmtpReplies.TOO_MANY_PENDING;
        }
        gate.get().holdNextLineUntil(admitted.releaseWhenDone(lookup.verdict()));
        return HookResult.DECLINED;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        Optional<SenderMembership> known = membership(session, sender);
        if (known.isEmpty()) {
            metrics.generate("tes.inbound.rcpt.too-many-pending").increment();
            LOGGER.info("TES inbound session {} sender {} rcpt {}: deferred, the membership lookup is still in"
                + " progress and the session may not wait", session.getSessionID(), sender.asString(), rcpt.asString());
            return SmtpReplies.TOO_MANY_PENDING;
        }
        SenderMembership membership = known.get();
        Verdict verdict = TesPolicies.server(SessionFacts.of(session, Optional.empty()), membership.verdict());
        String outcome = rcptVerdicts.count(verdict);
        if (verdict instanceof Verdict.Accept) {
            if (LOGGER.isDebugEnabled()) {
                LOGGER.debug("TES inbound session {} sender {} rcpt {}: {} accepted", session.getSessionID(),
                    sender.asString(), rcpt.asString(), membership.verdict().describe());
            }
        } else {
            LOGGER.info("TES inbound session {} sender {} rcpt {}: {} {} ({})", session.getSessionID(),
                sender.asString(), rcpt.asString(), outcome, membership.verdict().describe(), verdict);
        }
        return SmtpReplies.of(verdict);
    }

    /** The header state of the transaction, attached at its first line of DATA. */
    private static HeaderState headerState(SMTPSession session) {
        HeaderState state = session.getAttachment(HEADER, ProtocolSession.State.Transaction).orElse(null);
        if (state == null) {
            state = new HeaderState();
            session.setAttachment(HEADER, state, ProtocolSession.State.Transaction);
        }
        return state;
    }

    /**
     * Rewrites the header section as it streams in: {@code X-TES-Status} first, every incoming copy dropped.
     */
    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        HeaderState state = header.get(session);
        if (!state.statusAdded) {
            state.statusAdded = true;
            MaybeSender sender = session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction)
                .orElse(MaybeSender.nullSender());
            boolean member = membership(session, sender).map(SenderMembership::verdict)
                .filter(MembershipVerdict.Member.class::isInstance).isPresent();
            String header = TesStatusHeader.NAME + ": " + (member ? TesStatusHeader.MEMBER : TesStatusHeader.NON_MEMBER);
            Response response = next.onLine(session,
                (header + session.getLineDelimiter()).getBytes(StandardCharsets.US_ASCII));
            if (response != null) {
                return response;
            }
        }
        if (DataPhaseState.endsData(line)) {
            header.end();
            return next.onLine(session, line);
        }
        if (state.refusal != null) {
            return null;
        }
        state.size += line.length;
        long maxSize = session.getConfiguration().getMaxMessageSize();
        if (maxSize > 0 && state.size > maxSize) {
            return refuse(state, limit("Message refused: larger than the limit of " + maxSize + " octets"));
        }
        if (state.headerEnded || session.headerComplete()) {
            return next.onLine(session, line);
        }
        boolean first = state.lines++ == 0;
        boolean continuation = line.length > 0 && (line[0] == ' ' || line[0] == '\t');
        if (isEmptyLine(line)) {
            state.headerEnded = true;
            return next.onLine(session, line);
        }
        if (state.size > maxHeaderBytes) {
            return refuse(state, limit("Message refused: header section larger than " + maxHeaderBytes
                + " octets"));
        }
        if (!continuation && ++state.fields > maxHeaderFields) {
            return refuse(state, limit("Message refused: more than " + maxHeaderFields + " header fields"));
        }
        String malformed = first && continuation ? "the header starts with a continuation line" : malformation(line);
        if (malformed != null) {
            return refuse(state, malformedHeader(malformed));
        }
        if (state.droppingStatus && continuation) {
            return null;
        }
        state.droppingStatus = !continuation && isStatusField(line);
        if (state.droppingStatus) {
            state.removed++;
            return null;
        }
        state.passed(line, continuation);
        return next.onLine(session, line);
    }

    /**
     * Refuses the message being received: the rest of it is dropped (never stored nor kept), and the end of DATA
     * gets the reply.
     */
    private static Response refuse(HeaderState state, HookResult refusal) {
        state.refusal = refusal;
        return null;
    }

    /** The refusal of the message being received, when the inbound policy refuses it whatever its authentication. */
    static Optional<HookResult> refusal(SMTPSession session) {
        return session.getAttachment(HEADER, ProtocolSession.State.Transaction).map(state -> state.refusal);
    }

    private static HookResult limit(String text) {
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("552")
            .smtpDescription("5.3.4 " + text).build();
    }

    private static boolean isEmptyLine(byte[] line) {
        return (line.length == 2 && line[0] == '\r' && line[1] == '\n') || (line.length == 1 && line[0] == '\n');
    }

    /**
     * Why a header line is one that javax.mail, which James uses to store the message, would read otherwise than
     * the line itself says: a NUL, or a CR that does not end the line (javax.mail ends a line there, so the rest
     * becomes a field of its own). Null for a well-formed line.
     */
    static String malformation(byte[] line) {
        int end = line.length;
        if (end >= 2 && line[end - 2] == '\r' && line[end - 1] == '\n') {
            end -= 2;
        } else if (end >= 1 && line[end - 1] == '\n') {
            end -= 1;
        }
        for (int i = 0; i < end; i++) {
            if (line[i] == '\r') {
                return "a CR inside a header line";
            }
            if (line[i] == 0) {
                return "a NUL in the header";
            }
        }
        return null;
    }

    /**
     * The Message-ID of the message received in this transaction, as {@link MessageIds#of(Mail)} quotes it, read
     * from the header lines as they streamed in (so javax.mail need not parse the header for it); empty when the
     * hook saw no header in this transaction.
     */
    static Optional<String> messageId(SMTPSession session) {
        return session.getAttachment(HEADER, ProtocolSession.State.Transaction).filter(state -> state.statusAdded)
            .map(HeaderState::quotedMessageId);
    }

    /** The line as javax.mail decodes header lines, from {@code from}, without its line end. */
    private static String text(byte[] line, int from) {
        int end = line.length;
        while (end > from && (line[end - 1] == '\n' || line[end - 1] == '\r')) {
            end--;
        }
        return new String(line, from, end - from, JavaMailHeaders.CHARSET);
    }

    /**
     * Whether javax.mail would read the line as an {@code X-TES-Status} field: its name is the text before the
     * first colon (or the whole line) with every character up to U+0020 trimmed from both ends (so
     * {@code X-TES-Status : x} counts), compared ignoring case, whether the octets are read as ISO-8859-1 or as
     * UTF-8 (where non-ASCII letters can fold onto ASCII ones).
     */
    static boolean isStatusField(byte[] line) {
        int start = 0;
        int end = JavaMailHeaders.colon(line, line.length);
        while (start < end && (line[start] & 0xff) <= ' ') {
            start++;
        }
        while (end > start && (line[end - 1] & 0xff) <= ' ') {
            end--;
        }
        if (end - start < TesStatusHeader.NAME.length() - 2 || end - start > 4 * TesStatusHeader.NAME.length()) {
            return false;
        }
        return new String(line, start, end - start, StandardCharsets.ISO_8859_1).equalsIgnoreCase(TesStatusHeader.NAME)
            || new String(line, start, end - start, StandardCharsets.UTF_8).equalsIgnoreCase(TesStatusHeader.NAME);
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        String messageId = messageId(session).orElseGet(() -> MessageIds.of(mail));
        Optional<SenderMembership> known = membership(session, mail.getMaybeSender());
        if (known.isEmpty()) {
            rcptVerdicts.deferred();
            return SmtpReplies.TOO_MANY_PENDING;
        }
        SenderMembership membership = known.get();
        if (membership.verdict() instanceof MembershipVerdict.TemporaryFailure) {
            // Only possible when the verdict could not be kept from RCPT time: defer rather than guess.
            rcptVerdicts.deferred();
            return SmtpReplies.of(Verdict.defer(TesPolicies.LOOKUP_FAILED));
        }
        boolean member = membership.verdict() instanceof MembershipVerdict.Member;
        Optional<HeaderState> header = session.getAttachment(HEADER, ProtocolSession.State.Transaction);
        if (header.isPresent() && header.get().refusal != null) {
            HookResult refusal = header.get().refusal;
            metrics.generate("tes.inbound.refused." + (refusal.getSmtpRetCode().equals("552") ? "limit" : "malformed"))
                .increment();
            LOGGER.info("TES inbound mail {} message-id {} sender {}: {} {}", mail.getName(), messageId,
                mail.getMaybeSender().asString(), refusal.getSmtpRetCode(), refusal.getSmtpDescription());
            return refusal;
        }
        int removed = header.map(state -> state.removed).orElse(0);
        if (removed > 0) {
            metrics.generate("tes.inbound.status.forged-removed").increment();
            LOGGER.info("TES inbound mail {} message-id {}: removed {} forged {} header(s)", mail.getName(),
                messageId, removed, TesStatusHeader.NAME);
        }
        TesMailAttributes.writeSenderMembership(mail, mail.getMaybeSender().asOptional()
            .map(MailAddress::getDomain).map(Domain::asString), membership.verdict());
        (member ? statusMember : statusNonMember).increment();
        if (LOGGER.isInfoEnabled()) {
            LOGGER.info("TES inbound mail {} message-id {} sender {}: {}", mail.getName(), messageId,
                mail.getMaybeSender().asString(), membership.verdict().describe());
        }
        return HookResult.DECLINED;
    }

    /** The lookup of one transaction's sender, started at MAIL FROM (or the connection's kept verdict). */
    record SenderLookup(MaybeSender sender, CompletableFuture<MembershipVerdict> verdict) {
    }

    /** {@link #start(SMTPSession, MaybeSender, Function)} with the shared resolver, unbounded. */
    private SenderLookup start(SMTPSession session, MaybeSender sender) {
        return start(session, sender, domain -> lookup(resolver, domain, () -> false));
    }

    private SenderLookup start(SMTPSession session, MaybeSender sender,
                               Function<String, CompletableFuture<MembershipVerdict>> lookupOf) {
        CompletableFuture<MembershipVerdict> verdict = sender.asOptional()
            .map(address -> KeptLookup.of(session, KNOWN, address.getDomain().asString(), lookupOf,
                MembershipVerdict::ttl, reused))
            .orElseGet(() -> CompletableFuture.completedFuture(new MembershipVerdict.NotMember("<>",
                Step.DOMAIN_SYNTAX, "null sender: not a member, no lookup", Duration.ZERO)));
        SenderLookup lookup = new SenderLookup(sender, verdict);
        session.setAttachment(LOOKUP, lookup, ProtocolSession.State.Transaction);
        return lookup;
    }

    /**
     * The membership lookup of a domain through {@code over}, bounded by the deadline; a lookup that is not
     * complete on return and never will be ({@code refused}: {@link AdmittedDns} sent nothing) is returned as it
     * is, without a timer.
     */
    private CompletableFuture<MembershipVerdict> lookup(MembershipResolver over, String domain,
                                                        BooleanSupplier refused) {
        TimeMetric timer = metrics.timer("tes.inbound.membership");
        CompletableFuture<MembershipVerdict> started = over.resolve(domain).toCompletableFuture();
        if (!started.isDone() && refused.getAsBoolean()) {
            return started;
        }
        return started.completeOnTimeout(new MembershipVerdict.TemporaryFailure(domain, Step.DEADLINE,
                "no verdict within " + deadline.toMillis() + " ms"), deadline.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((verdict, error) -> timer.stopAndPublish());
    }

    /**
     * The membership of the transaction's sender, from the lookup started at MAIL FROM (started here when there
     * was none). Empty when the lookup is still in progress on a session that has a gate (a safeguard: the gate
     * holds the line after MAIL FROM until the lookup is done). A session without a gate waits here, up to the
     * deadline.
     */
    private Optional<SenderMembership> membership(SMTPSession session, MaybeSender sender) {
        Optional<SenderMembership> known = session.getAttachment(SENDER, ProtocolSession.State.Transaction)
            .filter(membership -> membership.sender().equals(sender));
        if (known.isPresent()) {
            return known;
        }
        SenderLookup lookup = session.getAttachment(LOOKUP, ProtocolSession.State.Transaction)
            .filter(started -> started.sender().equals(sender))
            .orElseGet(() -> start(session, sender));
        MembershipVerdict verdict;
        if (lookup.verdict().isDone()) {
            verdict = lookup.verdict().join();
        } else if (SessionGate.of(session, pending).isPresent()) {
            return Optional.empty();
        } else {
            verdict = lookup.verdict().join();
        }
        SenderMembership membership = new SenderMembership(sender, verdict);
        if (!(verdict instanceof MembershipVerdict.TemporaryFailure)) {
            session.setAttachment(SENDER, membership, ProtocolSession.State.Transaction);
        }
        return Optional.of(membership);
    }
}
