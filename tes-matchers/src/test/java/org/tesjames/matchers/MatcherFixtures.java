package org.tesjames.matchers;

import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Matcher;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.tesjames.core.session.SmtpSessionFacts;
import org.tesjames.core.session.TlsMode;

final class MatcherFixtures {
    private MatcherFixtures() {
    }

    static <M extends Matcher> M initialised(M matcher, String name) throws MessagingException {
        matcher.init(FakeMatcherConfig.builder().matcherName(name).build());
        return matcher;
    }

    static FakeMail.Builder mailFrom(String sender, String... recipients) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("mail-1").recipients(recipients);
        return sender == null ? builder : builder.sender(sender);
    }

    static Attribute recorded(String membership) {
        return new Attribute(TesMailAttributes.SENDER_MEMBERSHIP, AttributeValue.of(membership));
    }

    static Attribute recordedDomain(String domain) {
        return new Attribute(TesMailAttributes.SENDER_DOMAIN, AttributeValue.of(domain));
    }

    static void overSmtp(FakeMail mail, String protocol, String user) {
        SmtpSessionFacts facts = protocol == null
            ? SmtpSessionFacts.plaintext("smtp", Optional.ofNullable(user))
            : SmtpSessionFacts.tls("smtp", TlsMode.STARTTLS, protocol, "TLS_AES_128_GCM_SHA256",
                Optional.ofNullable(user));
        TesMailAttributes.writeSessionFacts(mail, facts);
    }

    static Optional<String> attribute(FakeMail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).map(String.class::cast);
    }
}
