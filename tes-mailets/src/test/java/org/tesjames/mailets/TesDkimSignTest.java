package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimKeyStore;
import org.tesjames.matchers.TesMailAttributes;

class TesDkimSignTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-15T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    static Path keys;
    private static DkimKeyStore store;

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyPair rsa = DkimKeyFile.generate(DkimKeyType.RSA, 1024);
        DkimKeyFile.write(keys.resolve("example.com").resolve("s1.pem"), rsa.getPrivate());
        DkimKeyFile.write(keys.resolve("alias.example").resolve("a1.pem"), rsa.getPrivate());
        store = DkimKeyStore.load(keys);
        assertThat(store.problems()).isEmpty();
    }

    private TesDkimSign mailet(String... parameters) throws MessagingException {
        return mailet(DkimSigning.enabled(store, CLOCK), parameters);
    }

    private TesDkimSign mailet(DkimSigning signing, String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("dkim-sign")
            .mailetContext(FakeMailContext.defaultContext());
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        TesDkimSign mailet = new TesDkimSign(signing, metrics);
        mailet.init(config.build());
        return mailet;
    }

    private static Mail mail(String from, String user) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("mail-1").state("relay")
            .sender("sender@example.com").recipient("rcpt@remote.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addFrom(from).addToRecipient("rcpt@remote.example").setSubject("hello")
                .addHeader("Message-ID", "<m1@example.com>").setText("body\r\n"));
        if (user != null) {
            builder.attribute(new Attribute(TesMailAttributes.AUTH_USER, AttributeValue.of(user)));
        }
        return builder.build();
    }

    private static List<String> signatures(Mail mail) throws MessagingException {
        String[] fields = mail.getMessage().getHeader("DKIM-Signature");
        return fields == null ? List.of() : Arrays.asList(fields);
    }

    private int count(String metric) {
        return metrics.countFor(metric);
    }

    @Nested
    class Authorisation {
        @Test
        void signsMailOfAUserForItsOwnDomain() throws Exception {
            Mail mail = mail("Writer <writer@Example.COM>", "writer@example.com");

            mailet().service(mail);

            assertThat(signatures(mail)).singleElement().asString().contains("d=example.com; s=s1;");
            assertThat(mail.getState()).isEqualTo("relay");
            assertThat(count(TesDkimSign.SIGNED_METRIC)).isEqualTo(1);
        }

        @Test
        void usesJamesAuthUserAttributeWithoutTheTesOne() throws Exception {
            Mail mail = mail("writer@example.com", null);
            mail.setAttribute(new Attribute(TesDkimSign.JAMES_AUTH_USER, AttributeValue.of("writer@EXAMPLE.com")));

            mailet().service(mail);

            assertThat(signatures(mail)).hasSize(1);
        }

        @Test
        void refusesToSignForAnotherDomain() throws Exception {
            Mail mail = mail("boss@alias.example", "writer@example.com");

            mailet().service(mail);

            assertThat(signatures(mail)).isEmpty();
            assertThat(count(TesDkimSign.NOT_AUTHORISED_METRIC)).isEqualTo(1);
        }

        @Test
        void domainMapLetsTheUsersOfADomainSignForAnAlias() throws Exception {
            Mail mail = mail("boss@alias.example", "writer@example.com");

            mailet("domainMap", "alias.example:example.com").service(mail);

            assertThat(signatures(mail)).singleElement().asString().contains("d=alias.example; s=a1;");
        }

        @Test
        void domainMapIsOneWay() throws Exception {
            Mail mail = mail("writer@example.com", "boss@alias.example");

            mailet("domainMap", "alias.example:example.com").service(mail);

            assertThat(signatures(mail)).isEmpty();
            assertThat(count(TesDkimSign.NOT_AUTHORISED_METRIC)).isEqualTo(1);
        }

        @Test
        void neverSignsUnauthenticatedMail() throws Exception {
            Mail mail = mail("writer@example.com", null);

            mailet().service(mail);

            assertThat(signatures(mail)).isEmpty();
            assertThat(count(TesDkimSign.UNAUTHENTICATED_METRIC)).isEqualTo(1);
        }

        @Test
        void aUserNameWithoutDomainMaySignForNothing() throws Exception {
            Mail mail = mail("writer@example.com", "writer");

            mailet().service(mail);

            assertThat(signatures(mail)).isEmpty();
            assertThat(count(TesDkimSign.NOT_AUTHORISED_METRIC)).isEqualTo(1);
        }

        @Test
        void aFromWithTwoAddressesIsNotSigned() throws Exception {
            Mail mail = mail("writer@example.com", "writer@example.com");
            mail.getMessage().setHeader("From", "writer@example.com, other@example.com");

            mailet().service(mail);

            assertThat(signatures(mail)).isEmpty();
            assertThat(count(TesDkimSign.NOT_AUTHORISED_METRIC)).isEqualTo(1);
        }
    }

    @Nested
    class EightBit {
        private Mail eightBitMail() throws Exception {
            Mail mail = mail("writer@example.com", "writer@example.com");
            mail.getMessage().setText("Grüße aus Köln\r\n", "UTF-8");
            mail.getMessage().setHeader("Content-Transfer-Encoding", "8bit");
            mail.getMessage().saveChanges();
            return mail;
        }

        @Test
        void converts8bitPartsToQuotedPrintableBeforeSigning() throws Exception {
            Mail mail = eightBitMail();

            mailet().service(mail);

            assertThat(mail.getMessage().getEncoding()).isEqualTo("quoted-printable");
            assertThat(mail.getMessage().getContent()).isEqualTo("Grüße aus Köln\r\n");
            assertThat(signatures(mail)).hasSize(1);
            assertThat(count(TesDkimSign.CONVERTED_METRIC)).isEqualTo(1);
            assertThat(TesDkimSign.has8bitPart(mail.getMessage())).isFalse();
        }

        @Test
        void convert8bitFalseSignsThe8bitBodyAsItIs() throws Exception {
            Mail mail = eightBitMail();

            mailet("convert8bit", "false").service(mail);

            assertThat(mail.getMessage().getEncoding()).isEqualTo("8bit");
            assertThat(signatures(mail)).hasSize(1);
            assertThat(count(TesDkimSign.CONVERTED_METRIC)).isZero();
        }

        @Test
        void unsignedMailIsNotConverted() throws Exception {
            Mail mail = eightBitMail();
            mail.removeAllAttributes();

            mailet().service(mail);

            assertThat(mail.getMessage().getEncoding()).isEqualTo("8bit");
            assertThat(signatures(mail)).isEmpty();
        }

        @Test
        void aMalformedConvert8bitValueFailsInit() {
            assertThatThrownBy(() -> mailet("convert8bit", "yes"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("convert8bit='yes'");
        }
    }

    @Nested
    class Keys {
        @Test
        void signingTwiceAddsNoSecondSignature() throws Exception {
            Mail mail = mail("writer@example.com", "writer@example.com");
            TesDkimSign mailet = mailet();

            mailet.service(mail);
            mailet.service(mail);

            assertThat(signatures(mail)).hasSize(1);
            assertThat(count(TesDkimSign.ALREADY_SIGNED_METRIC)).isEqualTo(1);
        }

        @Test
        void noKeySkipsByDefault() throws Exception {
            Mail mail = mail("writer@nokey.example", "writer@nokey.example");

            mailet().service(mail);

            assertThat(signatures(mail)).isEmpty();
            assertThat(mail.getState()).isEqualTo("relay");
            assertThat(count(TesDkimSign.NO_KEY_METRIC)).isEqualTo(1);
        }

        @Test
        void noKeyErrorSendsTheMailToTheErrorProcessor() throws Exception {
            Mail mail = mail("writer@nokey.example", "writer@nokey.example");

            mailet("noKey", "error", "errorProcessor", "dkim-error").service(mail);

            assertThat(mail.getState()).isEqualTo("dkim-error");
            assertThat(mail.getErrorMessage()).contains("nokey.example");
            assertThat(count(TesDkimSign.NO_KEY_METRIC)).isEqualTo(1);
        }

        @Test
        void noKeyErrorUsesTheErrorProcessorByDefault() throws Exception {
            Mail mail = mail("writer@nokey.example", "writer@nokey.example");

            mailet("noKey", "ERROR").service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.ERROR);
        }

        @Test
        void disabledSigningLeavesEveryMailAlone() throws Exception {
            Mail mail = mail("writer@example.com", "writer@example.com");

            mailet(DkimSigning.disabled(), "noKey", "error").service(mail);

            assertThat(signatures(mail)).isEmpty();
            assertThat(mail.getState()).isEqualTo("relay");
        }

        @Test
        void signsOnlyTheConfiguredHeaders() throws Exception {
            Mail mail = mail("writer@example.com", "writer@example.com");

            mailet("headers", "From, Subject").service(mail);

            assertThat(signatures(mail)).singleElement().asString().contains("h=from:from:subject;");
        }
    }

    @Nested
    class Parameters {
        @Test
        void rejectsAnUnknownParameter() {
            assertThatThrownBy(() -> mailet("domainmap", "a.example:b.example"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("domainmap");
        }

        @Test
        void rejectsAnUnknownNoKeyValue() {
            assertThatThrownBy(() -> mailet("noKey", "reject"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("noKey='reject'");
        }

        @Test
        void rejectsAMalformedDomainMap() {
            assertThatThrownBy(() -> mailet("domainMap", "alias.example"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("domainMap='alias.example'");
            assertThatThrownBy(() -> mailet("domainMap", "alias.example:bad domain"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("domainMap");
        }

        @Test
        void rejectsHeadersWithoutFrom() {
            assertThatThrownBy(() -> mailet("headers", "Subject, To"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("headers='Subject, To'")
                .hasMessageContaining("From");
        }

        @Test
        void rejectsABlankErrorProcessor() {
            assertThatThrownBy(() -> mailet("errorProcessor", " "))
                .isInstanceOf(MessagingException.class).hasMessageContaining("errorProcessor");
        }
    }
}
