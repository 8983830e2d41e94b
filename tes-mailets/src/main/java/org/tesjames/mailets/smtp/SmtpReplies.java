package org.tesjames.mailets.smtp;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.tesjames.core.policy.Verdict;

/**
 * The one place where TES verdicts become SMTP replies: reject is {@code 550 5.7.1 <reason>}, defer is
 * {@code 451 4.4.3 <reason>}, accept lets the other hooks decide ({@code DECLINED}).
 */
public final class SmtpReplies {
    public static final HookResult AUTHENTICATION_REQUIRED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("530")
        .smtpDescription("5.7.0 Authentication required")
        .build();

    /** A session that may not wait for a TES lookup in progress ({@link PendingSessions}). */
    public static final HookResult TOO_MANY_PENDING = HookResult.builder()
        .hookReturnCode(HookReturnCode.denySoft())
        .smtpReturnCode("451")
        .smtpDescription("4.7.0 TES lookups in progress, too many sessions waiting: try again later")
        .build();

    /** The text of the {@code 421} that closes a session for failed {@code AUTH} attempts. */
    public static final String TOO_MANY_AUTH_FAILURES_TEXT = "4.7.0 Too many failed authentication attempts";

    /** Wrong credentials, below the limits of failed {@code AUTH}: {@code 535 5.7.8} (RFC 4954). */
    public static final HookResult AUTH_CREDENTIALS_INVALID = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("535")
        .smtpDescription("5.7.8 Authentication credentials invalid")
        .build();

    /** A failed {@code AUTH} reached a limit, or came from a locked address: {@code 421 4.7.0}, session closed. */
    public static final HookResult TOO_MANY_AUTH_FAILURES = HookResult.builder()
        .hookReturnCode(HookReturnCode.disconnected(HookReturnCode.Action.DENYSOFT))
        .smtpReturnCode("421")
        .smtpDescription(TOO_MANY_AUTH_FAILURES_TEXT)
        .build();

    private SmtpReplies() {
    }

    /** {@code AUTH} from a locked address, refused before any exchange: {@code 421 4.7.0}, session closed. */
    public static Response tooManyAuthFailures() {
        SMTPResponse response = new SMTPResponse("421", TOO_MANY_AUTH_FAILURES_TEXT);
        response.setEndSession(true);
        return response.immutable();
    }

    public static HookResult of(Verdict verdict) {
        return of(verdict, "5.7.1", "4.4.3");
    }

    /**
     * Like {@link #of(Verdict)}, with other enhanced status codes (RFC 3463) for a reject and a defer.
     *
     * @param rejectStatus the enhanced status of {@code 550}, such as {@code 5.7.1}
     * @param deferStatus the enhanced status of {@code 451}, such as {@code 4.7.0}
     */
    public static HookResult of(Verdict verdict, String rejectStatus, String deferStatus) {
        if (verdict instanceof Verdict.Reject reject) {
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.deny())
                .smtpReturnCode("550")
                .smtpDescription(rejectStatus + " " + reject.reason())
                .build();
        }
        if (verdict instanceof Verdict.Defer defer) {
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode("451")
                .smtpDescription(deferStatus + " " + defer.reason())
                .build();
        }
        return HookResult.DECLINED;
    }
}
