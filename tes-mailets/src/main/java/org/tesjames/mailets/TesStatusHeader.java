package org.tesjames.mailets;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

/**
 * The {@code X-TES-Status} header: {@code member} or {@code non-member}. Anyone can forge it, so every copy a
 * message arrives with is removed before TES adds its own.
 */
public final class TesStatusHeader {
    public static final String NAME = "X-TES-Status";
    public static final String MEMBER = "member";
    public static final String NON_MEMBER = "non-member";

    private TesStatusHeader() {
    }

    /** Removes every existing copy; returns how many there were. */
    public static int strip(MimeMessage message) throws MessagingException {
        String[] existing = message.getHeader(NAME);
        if (existing == null) {
            return 0;
        }
        message.removeHeader(NAME);
        message.saveChanges();
        return existing.length;
    }

    /** Removes every existing copy and adds the one TES vouches for; returns how many copies were removed. */
    public static int stamp(MimeMessage message, boolean member) throws MessagingException {
        String[] existing = message.getHeader(NAME);
        message.removeHeader(NAME);
        message.addHeader(NAME, member ? MEMBER : NON_MEMBER);
        message.saveChanges();
        return existing == null ? 0 : existing.length;
    }
}
