package org.tesjames.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/**
 * An SMTP identity is a value (a connection keeps an SPF result for the next transaction with an equal identity),
 * and its MAIL FROM domain is the one SPF and DMARC evaluate.
 */
class SmtpIdentityTest {
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    @Test
    void equalInputsMakeEqualIdentities() throws Exception {
        SmtpIdentity identity = new SmtpIdentity(CLIENT, "mx.example.com", "a@example.com");
        SmtpIdentity same = new SmtpIdentity(InetAddress.getByName("127.0.0.1"), "mx.example.com", "a@example.com");

        assertThat(same).isEqualTo(identity).hasSameHashCodeAs(identity);
        assertThat(new SmtpIdentity(InetAddress.getByName("127.0.0.2"), "mx.example.com", "a@example.com"))
            .isNotEqualTo(identity);
        assertThat(new SmtpIdentity(CLIENT, "mx2.example.com", "a@example.com")).isNotEqualTo(identity);
        assertThat(new SmtpIdentity(CLIENT, "mx.example.com", "b@example.com")).isNotEqualTo(identity);
        assertThat(identity).hasToString("SmtpIdentity[clientIp=" + CLIENT + ", helo=mx.example.com,"
            + " mailFrom=a@example.com]");
    }

    @Test
    void theMailFromDomainIsAfterTheLastAtInLowerCaseWithoutTheFinalDot() {
        assertThat(new SmtpIdentity(CLIENT, "helo.example", "\"a@b\"@Mail.Example.COM.").mailFromDomain())
            .isEqualTo("mail.example.com");
        assertThat(new SmtpIdentity(CLIENT, "helo.example", "postmaster").mailFromDomain()).isEqualTo("postmaster");
    }

    @Test
    void theNullSenderTakesTheHeloName() {
        SmtpIdentity identity = new SmtpIdentity(CLIENT, " MX.Example.NET. ", "");

        assertThat(identity.isNullSender()).isTrue();
        assertThat(identity.mailFromDomain()).isEqualTo("mx.example.net");
        assertThat(new SmtpIdentity(CLIENT, "", "").mailFromDomain()).isEmpty();
    }

    @Test
    void everyInputIsRequired() {
        assertThatThrownBy(() -> new SmtpIdentity(null, "h", "m")).isInstanceOf(NullPointerException.class)
            .hasMessage("clientIp");
        assertThatThrownBy(() -> new SmtpIdentity(CLIENT, null, "m")).isInstanceOf(NullPointerException.class)
            .hasMessage("helo");
        assertThatThrownBy(() -> new SmtpIdentity(CLIENT, "h", null)).isInstanceOf(NullPointerException.class)
            .hasMessage("mailFrom");
    }
}
