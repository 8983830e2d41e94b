package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryPath;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TesRejectTest {
    private static final String REPOSITORY = "memory://var/mail/tes-rejected/";

    /** Memory repositories by URL, created on first selection as James's store does. */
    static final class MemoryRepositories implements MailRepositoryStore {
        final Map<MailRepositoryUrl, MemoryMailRepository> repositories = new ConcurrentHashMap<>();

        @Override
        public MailRepository select(MailRepositoryUrl url) {
            return repositories.computeIfAbsent(url, ignored -> new MemoryMailRepository());
        }

        @Override
        public Optional<Protocol> defaultProtocol() {
            return Optional.of(new Protocol("memory"));
        }

        @Override
        public Optional<MailRepository> get(MailRepositoryUrl url) {
            return Optional.ofNullable(repositories.get(url));
        }

        @Override
        public Stream<MailRepository> getByPath(MailRepositoryPath path) {
            return repositories.entrySet().stream().filter(e -> e.getKey().getPath().equals(path))
                .map(Map.Entry::getValue);
        }

        @Override
        public Stream<MailRepositoryUrl> getUrls() {
            return repositories.keySet().stream();
        }

        List<Mail> stored(String url) throws MessagingException {
            MemoryMailRepository repository = repositories.get(MailRepositoryUrl.from(url));
            List<Mail> mails = new ArrayList<>();
            if (repository != null) {
                for (var keys = repository.list(); keys.hasNext(); ) {
                    MailKey key = keys.next();
                    mails.add(repository.retrieve(key));
                }
            }
            return mails;
        }
    }

    private final MemoryRepositories repositories = new MemoryRepositories();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private final TesReject mailet = new TesReject(repositories, metrics);

    private TesReject init(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("TesReject").mailetContext(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail mail(String sender) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("mail-1").state("tes-rejected").recipient("x@one.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body"));
        return sender == null ? builder.build() : builder.sender(sender).build();
    }

    @Nested
    class Bounce {
        @Test
        void bouncesToTheSenderWithTheDefaultReasonAndGhosts() throws Exception {
            FakeMail mail = mail("a@member.example");

            init().service(mail);

            assertThat(context.getBouncedMails()).hasSize(1);
            FakeMailContext.BouncedMail bounce = context.getBouncedMails().get(0);
            assertThat(bounce.getMessage()).isEqualTo("Rejected by TES policy");
            assertThat(bounce.getSentMail().getSender()).isEqualTo(new MailAddress("a@member.example"));
            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(metrics.countFor("tes.reject.dsn")).isEqualTo(1);
            assertThat(metrics.countFor("tes.reject.stored")).isZero();
        }

        @Test
        void theConfiguredReasonIsUsed() throws Exception {
            FakeMail mail = mail("a@member.example");

            init("reason", "Member is not TES compliant").service(mail);

            assertThat(context.getBouncedMails()).extracting(FakeMailContext.BouncedMail::getMessage)
                .containsExactly("Member is not TES compliant");
            assertThat(mail.getErrorMessage()).isEqualTo("Member is not TES compliant");
        }

        @Test
        void theReasonAttributeOverridesTheConfiguredReason() throws Exception {
            FakeMail mail = mail("a@member.example");
            mail.setAttribute(new Attribute(TesReject.REASON_ATTRIBUTE,
                AttributeValue.of("The message is not DKIM signed by policy of member.example")));

            init("reason", "configured").service(mail);

            assertThat(context.getBouncedMails()).extracting(FakeMailContext.BouncedMail::getMessage)
                .containsExactly("The message is not DKIM signed by policy of member.example");
        }
        @Test
        void theReasonPlaceholdersAreFilledPerMail() throws Exception {
            FakeMail mail = FakeMail.builder().name("mail-2").state("tes-rejected").recipient("x@one.example")
                .sender("a@member.example").mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                    .addHeader("Message-ID", "<m2@member.example>").setSubject("hello").setText("body")).build();
            mail.setAttribute(new Attribute(org.tesjames.matchers.TesMailAttributes.AUTH_DMARC_DOMAIN,
                AttributeValue.of("from.example")));

            init("reason", "Not signed by {senderDomain} ({messageId}); DMARC of {authorDomain}").service(mail);

            assertThat(context.getBouncedMails()).extracting(FakeMailContext.BouncedMail::getMessage)
                .containsExactly("Not signed by member.example (<m2@member.example>); DMARC of from.example");
        }

        @Test
        void placeholdersWithoutValuesSayWhatIsMissing() throws Exception {
            FakeMail mail = FakeMail.builder().name("mail-3").state("tes-rejected").recipient("x@one.example")
                .mimeMessage(new javax.mail.internet.MimeMessage(javax.mail.Session.getInstance(new java.util.Properties()),
                    new java.io.ByteArrayInputStream("Subject: no id\r\n\r\nbody\r\n".getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII)))).build();

            init("reason", "{senderDomain} {messageId} {authorDomain}", "repository", REPOSITORY).service(mail);

            assertThat(mail.getErrorMessage()).isEqualTo("<> <none> <unknown>");
        }
    }

    @Nested
    class Repository {
        @Test
        void storesWithTheReasonBouncesAndGhosts() throws Exception {
            FakeMail mail = mail("a@member.example");

            init("repository", REPOSITORY).service(mail);

            assertThat(repositories.stored(REPOSITORY)).extracting(Mail::getName, Mail::getErrorMessage)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("mail-1", "Rejected by TES policy"));
            assertThat(context.getBouncedMails()).hasSize(1);
            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(metrics.countFor("tes.reject.stored")).isEqualTo(1);
        }

        @Test
        void withoutDsnOnlyStoresAndGhosts() throws Exception {
            FakeMail mail = mail("a@member.example");

            init("dsn", "false", "repository", REPOSITORY).service(mail);

            assertThat(repositories.stored(REPOSITORY)).hasSize(1);
            assertThat(context.getBouncedMails()).isEmpty();
            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(metrics.countFor("tes.reject.dsn")).isZero();
        }
    }

    @Nested
    class NullSender {
        @Test
        void withoutRepositoryGoesToTheErrorProcessorInsteadOfBeingLost() throws Exception {
            FakeMail mail = mail(null);

            init().service(mail);

            assertThat(context.getBouncedMails()).isEmpty();
            assertThat(mail.getState()).isEqualTo(Mail.ERROR);
            assertThat(mail.getErrorMessage()).isEqualTo("Rejected by TES policy");
            assertThat(metrics.countFor("tes.reject.to-error-processor")).isEqualTo(1);
        }

        @Test
        void goesToTheConfiguredErrorProcessor() throws Exception {
            FakeMail mail = mail(null);

            init("errorProcessor", "tes-rejected-null-sender").service(mail);

            assertThat(mail.getState()).isEqualTo("tes-rejected-null-sender");
        }

        @Test
        void withRepositoryIsStoredAndGhostedWithoutBounce() throws Exception {
            FakeMail mail = mail(null);

            init("repository", REPOSITORY).service(mail);

            assertThat(repositories.stored(REPOSITORY)).hasSize(1);
            assertThat(context.getBouncedMails()).isEmpty();
            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        }
    }

    @Nested
    class Parameters {
        @Test
        void refusesDsnFalseWithoutRepository() {
            assertThatThrownBy(() -> init("dsn", "false"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("dsn=false needs a repository parameter");
        }

        @Test
        void refusesAMalformedBooleanNamingIt() {
            assertThatThrownBy(() -> init("dsn", "yes"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TesReject: parameter dsn='yes' must be true or false");
        }

        @Test
        void refusesAMalformedRepositoryUrlNamingIt() {
            assertThatThrownBy(() -> init("repository", "var/mail/tes-rejected"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TesReject: parameter repository='var/mail/tes-rejected' is not a mail"
                    + " repository URL");
        }

        @Test
        void refusesAnUnknownParameterNamingIt() {
            assertThatThrownBy(() -> init("repositry", REPOSITORY))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TesReject: unknown parameter(s) [repositry]")
                .hasMessageContaining("known: dsn, errorProcessor, reason, repository");
        }

        @Test
        void refusesABlankReason() {
            assertThatThrownBy(() -> init("reason", ""))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("parameter reason='' must not be blank");
        }

        @Test
        void opensTheRepositoryAtStart() throws Exception {
            init("repository", REPOSITORY);

            assertThat(repositories.getUrls()).containsExactly(MailRepositoryUrl.from(REPOSITORY));
        }
    }
}
