package org.tesjames.mailets;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Mail;

/** The Message-ID quoted in TES logs, SMTP replies and bounces: the field value, {@code <none>} or {@code <unreadable>}. */
public final class MessageIds {
    public static final String NONE = "<none>";
    public static final String UNREADABLE = "<unreadable>";

    private MessageIds() {
    }

    public static String of(MimeMessage message) {
        try {
            String id = message.getMessageID();
            return id == null ? NONE : id;
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
}
