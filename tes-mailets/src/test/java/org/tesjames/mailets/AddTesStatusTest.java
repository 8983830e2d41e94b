package org.tesjames.mailets;

import org.tesjames.matchers.FakeTesDns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.apache.mailet.base.test.FakeMail.Builder;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.matchers.TesMailAttributes;

class AddTesStatusTest {
    private final FakeTesDns dns = new FakeTesDns().member("member.example").failing("broken.example");
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final AddTesStatus mailet = new AddTesStatus(dns.resolver(), FakeTesDns.settings(Duration.ofSeconds(5)),
        metrics);

    private AddTesStatus init(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("AddTesStatus");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail forgedMail(String sender) throws MessagingException {
        Builder builder = FakeMail.builder().name("mail-1").recipient("x@one.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("X-TES-Status", "member")
                .addHeader("X-TES-Status", "member")
                .setSubject("hello")
                .setText("body"));
        return sender == null ? builder.build() : builder.sender(sender).build();
    }

    private static String[] status(FakeMail mail) throws MessagingException {
        return mail.getMessage().getHeader(TesStatusHeader.NAME);
    }

    @Nested
    class Stamp {
        @Test
        void stampsMemberAfterRemovingForgedCopies() throws Exception {
            FakeMail mail = forgedMail("a@member.example");

            init().service(mail);

            assertThat(status(mail)).containsExactly("member");
            assertThat(metrics.countFor("tes.status.member")).isEqualTo(1);
            assertThat(metrics.countFor("tes.status.forged-removed")).isEqualTo(1);
        }

        @Test
        void stampsNonMemberOverAForgedMemberStatusAndRecordsTheLookup() throws Exception {
            FakeMail mail = forgedMail("a@stranger.example");

            init("mode", "stamp").service(mail);

            assertThat(status(mail)).containsExactly("non-member");
            assertThat(mail.getAttribute(TesMailAttributes.SENDER_MEMBERSHIP).map(Attribute::getValue))
                .contains(AttributeValue.of("non-member"));
        }

        @Test
        void usesTheRecordedMembershipWithoutLookup() throws Exception {
            FakeMail mail = forgedMail("a@stranger.example");
            mail.setAttribute(new Attribute(TesMailAttributes.SENDER_MEMBERSHIP, AttributeValue.of("member")));
            mail.setAttribute(new Attribute(TesMailAttributes.SENDER_DOMAIN, AttributeValue.of("stranger.example")));

            init().service(mail);

            assertThat(status(mail)).containsExactly("member");
            assertThat(dns.queries).isEmpty();
        }

        @Test
        void theNullSenderIsStampedNonMemberWithoutLookup() throws Exception {
            FakeMail mail = forgedMail(null);

            init().service(mail);

            assertThat(status(mail)).containsExactly("non-member");
            assertThat(dns.queries).isEmpty();
        }

        @Test
        void aTemporaryFailureThrowsAndLeavesTheMessageUnchanged() throws Exception {
            FakeMail mail = forgedMail("a@broken.example");

            assertThatThrownBy(() -> init().service(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TES lookup failed for sender domain broken.example");
            assertThat(status(mail)).containsExactly("member", "member");
            assertThat(metrics.countFor("tes.status.failed")).isEqualTo(1);
        }
    }

    @Nested
    class Strip {
        @Test
        void removesEveryCopyWithoutAddingOneOrLookingUp() throws Exception {
            FakeMail mail = forgedMail("a@member.example");

            init("mode", "strip").service(mail);

            assertThat(status(mail)).isNull();
            assertThat(dns.queries).isEmpty();
            assertThat(metrics.countFor("tes.status.stripped")).isEqualTo(1);
        }

        @Test
        void leavesAMessageWithoutStatusAlone() throws Exception {
            FakeMail mail = FakeMail.builder().name("mail-2").sender("a@member.example").recipient("x@one.example")
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hi").setText("body")).build();

            init("mode", "STRIP").service(mail);

            assertThat(status(mail)).isNull();
            assertThat(mail.getMessage().getSubject()).isEqualTo("hi");
            assertThat(metrics.countFor("tes.status.forged-removed")).isZero();
        }
    }

    @Nested
    class Parameters {
        @Test
        void refusesAnUnknownModeNamingIt() {
            assertThatThrownBy(() -> init("mode", "stamped"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("AddTesStatus: parameter mode='stamped' must be one of stamp, strip");
        }

        @Test
        void refusesAnUnknownParameterNamingIt() {
            assertThatThrownBy(() -> init("mdoe", "strip"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("AddTesStatus: unknown parameter(s) [mdoe] (known: mode)");
        }

        @Test
        void refusesABlankMode() {
            assertThatThrownBy(() -> init("mode", " "))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("parameter mode=' ' must not be blank");
        }

        @Test
        void acceptsJamesErrorHandlingParameters() throws Exception {
            FakeMail mail = forgedMail("a@member.example");

            init("onMailetException", "tes-deferred").service(mail);

            assertThat(status(mail)).containsExactly("member");
        }
    }
}
