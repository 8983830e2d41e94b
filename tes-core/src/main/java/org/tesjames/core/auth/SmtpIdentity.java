package org.tesjames.core.auth;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * What the SMTP client told us, the inputs of SPF (RFC 7208 section 4.1). A value: equal when the three inputs
 * are equal. The domain of {@link #mailFromDomain()} is worked out once, when the identity is made: SPF, DKIM and
 * DMARC ask for it several times per message.
 */
public final class SmtpIdentity {
    private final InetAddress clientIp;
    private final String helo;
    private final String mailFrom;
    private final String mailFromDomain;

    /**
     * @param clientIp the address of the SMTP client
     * @param helo the HELO/EHLO argument as sent (may be empty when the client sent none)
     * @param mailFrom the MAIL FROM address without angle brackets; {@code ""} is the null sender ({@code <>})
     */
    public SmtpIdentity(InetAddress clientIp, String helo, String mailFrom) {
        this.clientIp = Objects.requireNonNull(clientIp, "clientIp");
        this.helo = Objects.requireNonNull(helo, "helo");
        this.mailFrom = Objects.requireNonNull(mailFrom, "mailFrom");
        this.mailFromDomain = domainOf(helo, mailFrom);
    }

    /** The address of the SMTP client. */
    public InetAddress clientIp() {
        return clientIp;
    }

    /** The HELO/EHLO argument as sent (may be empty when the client sent none). */
    public String helo() {
        return helo;
    }

    /** The MAIL FROM address without angle brackets; {@code ""} is the null sender ({@code <>}). */
    public String mailFrom() {
        return mailFrom;
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
        return mailFromDomain;
    }

    private static String domainOf(String helo, String mailFrom) {
        if (mailFrom.isEmpty()) {
            return stripDot(helo.strip()).toLowerCase(Locale.ROOT);
        }
        int at = mailFrom.lastIndexOf('@');
        return stripDot(at < 0 ? mailFrom : mailFrom.substring(at + 1)).toLowerCase(Locale.ROOT);
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SmtpIdentity that && clientIp.equals(that.clientIp) && helo.equals(that.helo)
            && mailFrom.equals(that.mailFrom);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clientIp, helo, mailFrom);
    }

    @Override
    public String toString() {
        return "SmtpIdentity[clientIp=" + clientIp + ", helo=" + helo + ", mailFrom=" + mailFrom + "]";
    }
}
