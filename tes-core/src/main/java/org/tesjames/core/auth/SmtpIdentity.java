package org.tesjames.core.auth;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * What the SMTP client told us, the inputs of SPF (RFC 7208 section 4.1).
 *
 * @param clientIp the address of the SMTP client
 * @param helo the HELO/EHLO argument as sent (may be empty when the client sent none)
 * @param mailFrom the MAIL FROM address without angle brackets; {@code ""} is the null sender ({@code <>})
 */
public record SmtpIdentity(InetAddress clientIp, String helo, String mailFrom) {
    public SmtpIdentity {
        Objects.requireNonNull(clientIp, "clientIp");
        Objects.requireNonNull(helo, "helo");
        Objects.requireNonNull(mailFrom, "mailFrom");
    }

    /** Whether MAIL FROM was the null sender ({@code <>}). */
    public boolean isNullSender() {
        return mailFrom.isEmpty();
    }

    /**
     * The domain of MAIL FROM (after the last {@code @}), lower case; the HELO name for the null sender (RFC 7208
     * section 2.4; the RFC 7489 section 3.1.2 reading for DMARC). Empty when there is none.
     */
    public String mailFromDomain() {
        if (isNullSender()) {
            return stripDot(helo.strip()).toLowerCase(Locale.ROOT);
        }
        int at = mailFrom.lastIndexOf('@');
        return stripDot(at < 0 ? mailFrom : mailFrom.substring(at + 1)).toLowerCase(Locale.ROOT);
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
