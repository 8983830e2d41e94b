package org.tesjames.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;
import org.tesjames.core.session.SmtpSessionFacts;
import org.tesjames.core.session.TlsMode;

class TesMailAttributesTest {
    @Test
    void tlsFactsRoundTrip() throws Exception {
        FakeMail mail = FakeMail.builder().name("m1").build();
        SmtpSessionFacts facts = SmtpSessionFacts.tls("submission", TlsMode.STARTTLS, "TLSv1.3",
            "TLS_AES_256_GCM_SHA384", Optional.of("bob@example.com"));

        TesMailAttributes.writeSessionFacts(mail, facts);

        assertThat(TesMailAttributes.readSessionFacts(mail)).contains(facts);
        assertThat(mail.getAttribute(TesMailAttributes.TLS_PROTOCOL).map(Attribute::getValue))
            .contains(AttributeValue.of("TLSv1.3"));
    }

    @Test
    void plaintextFactsRemoveStaleTlsAttributes() throws Exception {
        FakeMail mail = FakeMail.builder().name("m1").build();
        mail.setAttribute(new Attribute(TesMailAttributes.TLS_PROTOCOL, AttributeValue.of("TLSv1.3")));
        mail.setAttribute(new Attribute(TesMailAttributes.AUTH_USER, AttributeValue.of("forged")));

        TesMailAttributes.writeSessionFacts(mail, SmtpSessionFacts.plaintext("inbound", Optional.empty()));

        assertThat(mail.getAttribute(TesMailAttributes.TLS_PROTOCOL)).isEmpty();
        assertThat(mail.getAttribute(TesMailAttributes.AUTH_USER)).isEmpty();
        assertThat(TesMailAttributes.readSessionFacts(mail))
            .contains(SmtpSessionFacts.plaintext("inbound", Optional.empty()));
    }

    @Test
    void mailWithoutFactsReadsEmpty() throws Exception {
        assertThat(TesMailAttributes.readSessionFacts(FakeMail.builder().name("m1").build())).isEmpty();
    }

    @Test
    void inconsistentAttributesAreReportedNotGuessed() throws Exception {
        FakeMail mail = FakeMail.builder().name("m1").build();
        mail.setAttribute(new Attribute(TesMailAttributes.LISTENER, AttributeValue.of("inbound")));
        mail.setAttribute(new Attribute(TesMailAttributes.TLS, AttributeValue.of("starttls")));

        assertThatThrownBy(() -> TesMailAttributes.readSessionFacts(mail))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("Inconsistent tes.smtp.* attributes on mail m1");
    }
}
