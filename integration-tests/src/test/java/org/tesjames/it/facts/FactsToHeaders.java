package org.tesjames.it.facts;

import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.tesjames.it.harness.JamesConf;

/**
 * Test overlay: James's own {@code MailAttributesToMimeHeaders} mailet copies the {@code tes.smtp.*} attributes
 * into {@code X-Test-*} headers just before local delivery, so a test can read what the hook recorded on the
 * Mail from the delivered message.
 */
public final class FactsToHeaders {
    public static final String LISTENER = "X-Test-Listener";
    public static final String TLS = "X-Test-Tls";
    public static final String PROTOCOL = "X-Test-Tls-Protocol";
    public static final String CIPHER = "X-Test-Tls-Cipher";
    public static final String USER = "X-Test-Auth-User";
    public static final String MEMBERSHIP = "X-Test-Sender-Membership";

    private FactsToHeaders() {
    }

    public static void install(JamesConf conf) {
        conf.replace("mailetcontainer.xml",
            "<mailet match=\"All\" class=\"AddDeliveredToHeader\"/>",
            "<mailet match=\"All\" class=\"MailAttributesToMimeHeaders\">\n"
                + "                <simplemapping>tes.smtp.listener;" + LISTENER + ", tes.smtp.tls;" + TLS
                + ", tes.smtp.tls.protocol;" + PROTOCOL + ", tes.smtp.tls.cipher;" + CIPHER
                + ", tes.smtp.auth.user;" + USER + ", tes.sender.membership;" + MEMBERSHIP
                + "</simplemapping>\n"
                + "            </mailet>\n"
                + "            <mailet match=\"All\" class=\"AddDeliveredToHeader\"/>");
    }

    public static Optional<String> header(MimeMessage message, String name) throws MessagingException {
        String[] values = message.getHeader(name);
        if (values == null) {
            return Optional.empty();
        }
        if (values.length > 1) {
            throw new AssertionError(name + " appears " + values.length + " times");
        }
        return Optional.of(values[0]);
    }
}
