package org.tesjames.mailets.smtp;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Username;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.UsersRepositoryAuthHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.submission.AuthFailureLimiter;
import org.tesjames.core.submission.AuthFailureLimits;
import org.tesjames.core.submission.AuthLimitDecision;

/**
 * Limits failed {@code AUTH} attempts on the submission listeners, per session and per client address
 * ({@link AuthFailureLimiter}; limits {@code submission.auth.*} in {@code conf/tes.properties}, defaults 3 per
 * session, 10 per address within 10 minutes):
 * <ul>
 *   <li>wrong credentials below the limits: {@code 535 5.7.8 Authentication credentials invalid};</li>
 *   <li>the failure that reaches the session's or the address's limit:
 *       {@code 421 4.7.0 Too many failed authentication attempts}, and the session is closed;</li>
 *   <li>{@code AUTH} from a locked address: the same {@code 421} at the {@code AUTH} command, before the client
 *       sends credentials (and again before any password check, for an exchange that started before the lock), so
 *       not even the right password gets through until the window has passed.</li>
 * </ul>
 *
 * <p>To see the outcome of each attempt, it checks the credentials itself, with James's own
 * {@link UsersRepositoryAuthHook} (the check James's core handlers would make next), and answers success and
 * failure itself: James 3.8.1 has no post-authentication hook, its {@code AuthCmdHandler} wires no
 * {@code HookResultHook}, and James always appends its core handlers (and so {@code UsersRepositoryAuthHook})
 * after the configured ones, so no hook of ours can run after the users repository declined. The mechanisms
 * {@code PLAIN} (with or without an initial response) and {@code LOGIN} are counted; OAuth tokens
 * ({@code OAUTHBEARER}, {@code XOAUTH2}, not enabled in the shipped listeners) are left to James and not
 * counted. A success resets no counter (see {@link AuthFailureLimiter}). An already authenticated session is left
 * to James ({@code 503}).
 *
 * <p>No parameter. Wire it on each submission listener, before James's core handlers:
 * <pre>{@code
 * <handler class="org.tesjames.mailets.smtp.SubmissionPolicyHook"/>
 * <handler class="org.tesjames.mailets.smtp.SubmissionAuthLimitHook"/>
 * <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
 * }</pre>
 *
 * <p>Metrics: {@code tes.submission.auth.failed} (every failed attempt), {@code tes.submission.auth.session-limit}
 * (sessions closed at their limit), {@code tes.submission.auth.address-limit} (failures that locked their
 * address), {@code tes.submission.auth.locked} (attempts refused from a locked address). One INFO line per
 * decision with the session id, the client address, the user name (sanitised) and the reason.
 */
public class SubmissionAuthLimitHook implements CommandHandler<SMTPSession>, AuthHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(SubmissionAuthLimitHook.class);
    private static final AttachmentKey<Integer> FAILURES = AttachmentKey.of("tes.submission.auth.failures",
        Integer.class);
    private static final int MAX_LOGGED_USER_LENGTH = 64;

    private final AuthFailureLimiter limiter;
    private final UsersRepositoryAuthHook users;
    private final MetricFactory metrics;

    @Inject
    public SubmissionAuthLimitHook(AuthFailureLimiter limiter, UsersRepositoryAuthHook users, MetricFactory metrics) {
        this.limiter = limiter;
        this.users = users;
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

    /** Refuses {@code AUTH} from a locked address before any exchange; otherwise lets James's AUTH handler run. */
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getUsername() == null && refusedAsLocked(session, "-")) {
            return SmtpReplies.tooManyAuthFailures();
        }
        return null;
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        String user = sanitise(username.asString());
        if (refusedAsLocked(session, user)) {
            return SmtpReplies.TOO_MANY_AUTH_FAILURES;
        }
        HookResult result = users.doAuth(session, username, password);
        if (result.getResult().getAction() == HookReturnCode.Action.OK) {
            return result;
        }
        return failed(session, user);
    }

    /** OAuth tokens are not guessable: left to James's hooks, not counted. */
    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return HookResult.DECLINED;
    }

    private boolean refusedAsLocked(SMTPSession session, String user) {
        InetAddress client = session.getRemoteAddress().getAddress();
        if (limiter.beforeAuth(client) instanceof AuthLimitDecision.AddressLocked locked) {
            metrics.generate("tes.submission.auth.locked").increment();
            LOGGER.info("TES submission session {} from {}: AUTH refused, user '{}': address {} locked until {} after"
                + " {} failures (421)", session.getSessionID(), client.getHostAddress(), user,
                AuthFailureLimiter.key(client), locked.until(), locked.addressFailures());
            return true;
        }
        return false;
    }

    private HookResult failed(SMTPSession session, String user) {
        int sessionFailures = session.getAttachment(FAILURES, State.Connection).orElse(0) + 1;
        session.setAttachment(FAILURES, sessionFailures, State.Connection);
        InetAddress client = session.getRemoteAddress().getAddress();
        AuthLimitDecision decision = limiter.failed(client, sessionFailures);
        AuthFailureLimits limits = limiter.limits();
        metrics.generate("tes.submission.auth.failed").increment();
        String prefix = "TES submission session " + session.getSessionID() + " from " + client.getHostAddress()
            + ": AUTH failed, user '" + user + "': ";
        if (decision instanceof AuthLimitDecision.AddressLocked locked) {
            metrics.generate("tes.submission.auth.address-limit").increment();
            LOGGER.info("{}address {} locked until {} after {} failures within {}, session closed (421)", prefix,
                AuthFailureLimiter.key(client), locked.until(), locked.addressFailures(), limits.addressWindow());
            return SmtpReplies.TOO_MANY_AUTH_FAILURES;
        }
        if (decision instanceof AuthLimitDecision.SessionLimit limit) {
            metrics.generate("tes.submission.auth.session-limit").increment();
            LOGGER.info("{}{} failures in this session, session closed (421)", prefix, limit.sessionFailures());
            return SmtpReplies.TOO_MANY_AUTH_FAILURES;
        }
        LOGGER.info("{}{} of {} in this session, {} of {} from address {} within {} (535)", prefix, sessionFailures,
            limits.perSession(), decision.addressFailures(), limits.perAddress(), AuthFailureLimiter.key(client),
            limits.addressWindow());
        return SmtpReplies.AUTH_CREDENTIALS_INVALID;
    }

    /**
     * A user name as the client sent it, safe for a log line: printable ASCII only (anything else, spaces, line
     * breaks, quotes and backslashes included, becomes {@code ?}), at most 64 characters.
     */
    static String sanitise(String user) {
        StringBuilder text = new StringBuilder();
        user.codePoints().limit(MAX_LOGGED_USER_LENGTH)
            .forEach(c -> text.append(c > 0x20 && c < 0x7f && c != '\'' && c != '\\' ? (char) c : '?'));
        return user.codePointCount(0, user.length()) > MAX_LOGGED_USER_LENGTH ? text + "..." : text.toString();
    }
}
