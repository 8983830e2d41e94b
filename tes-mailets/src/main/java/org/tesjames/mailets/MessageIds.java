package org.tesjames.mailets;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Mail;
import org.tesjames.core.mail.SafeText;

/**
 * The Message-ID quoted in TES logs, SMTP replies and bounces: the field value made safe to quote, {@code <none>}
 * or {@code <unreadable>}.
 *
 * <p>The value is anybody's text, so it is quoted as {@link SafeText#oneLine(String, int)} makes it: unfolded,
 * without control characters (CR, LF, NUL, ...; a tab is a space), non-ASCII characters replaced by {@code ?},
 * at most {@value #MAX_LENGTH} characters (a longer one is cut and ends with {@code ...}). A folded or hostile
 * Message-ID thus cannot make a multi-line SMTP reply, a second DSN header or a forged log line. A value that is
 * empty after that is {@code <none>}.
 */
public final class MessageIds {
    public static final String NONE = "<none>";
    public static final String UNREADABLE = "<unreadable>";
    /** The longest Message-ID quoted. */
    public static final int MAX_LENGTH = 200;

    private MessageIds() {
    }

    public static String of(MimeMessage message) {
        try {
            String id = message.getMessageID();
            return id == null ? NONE : quotable(id);
        } catch (MessagingException e) {
            return UNREADABLE;
        }
    }

    public static String of(Mail mail) {
        try {
            return of(mail.getMessage());
        } catch (MessagingException e) {
            return UNREADABLE;
        }
    }

    /** A Message-ID field value as quoted (see the class comment). */
    public static String quotable(String fieldValue) {
        String safe = SafeText.oneLine(fieldValue, MAX_LENGTH);
        return safe.isEmpty() ? NONE : safe;
    }
}
