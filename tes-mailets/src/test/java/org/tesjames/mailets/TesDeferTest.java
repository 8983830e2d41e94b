package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.mail.MessagingException;

import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.MailAddressFixture;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tesjames.mailets.defer.DeferralClaims;
import org.tesjames.mailets.defer.DeferredMails;

class TesDeferTest {
    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
    private static final String CHECK = "relay-check";
    private static final String DEFAULT_REPOSITORY = "memory://var/mail/tes-deferred/";

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryMailRepositoryStore store = new InMemoryMailRepositoryStore();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final RecordingQueue queue = new RecordingQueue();
    private final List<RecordingScheduler> schedulers = new ArrayList<>();
    private final DeferredMails deferredMails = new DeferredMails(Path::of, metrics);
    private TesDefer mailet;

    @AfterEach
    void tearDown() {
        if (mailet != null) {
            mailet.destroy();
        }
    }

    private TesDefer start(String... parameters) throws MessagingException {
        mailet = new TesDefer(store, metrics, deferredMails, clock, () -> {
            RecordingScheduler scheduler = new RecordingScheduler();
            schedulers.add(scheduler);
            return scheduler;
        });
        mailet.init(config(parameters));
        return mailet;
    }

    private FakeMailetConfig config(String... parameters) {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("tes-defer")
            .mailetContext(queue.context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        return config.build();
    }

    private static FakeMail mail(String name) throws MessagingException {
        return mail(name, MaybeSender.of(MailAddressFixture.SENDER));
    }

    private static FakeMail mail(String name, MaybeSender sender) throws MessagingException {
        return FakeMail.builder()
            .name(name)
            .sender(sender)
            .recipient(MailAddressFixture.RECIPIENT1)
            .state(CHECK)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .setSubject("hello " + name)
                .setText("body"))
            .build();
    }

    private MailRepository repository() {
        return store.select(MailRepositoryUrl.from(DEFAULT_REPOSITORY));
    }

    private List<Mail> parked() throws MessagingException {
        List<Mail> mails = new ArrayList<>();
        for (Iterator<MailKey> keys = repository().list(); keys.hasNext(); ) {
            mails.add(repository().retrieve(keys.next()));
        }
        return mails;
    }

    private static Optional<Object> attribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(attribute -> attribute.getValue().getValue());
    }

    private Mail lastSent() {
        return queue.sent.get(queue.sent.size() - 1);
    }

    /** One full cycle: defer the mail, move the clock to its due time, scan; returns the re-injected mail. */
    private Mail cycle(Mail mail) throws MessagingException {
        mailet.service(mail);
        Instant due = Instant.parse((String) attribute(parked().get(0), TesDefer.DUE).orElseThrow());
        clock.advance(Duration.between(clock.instant(), due));
        assertThat(mailet.reinjectDue()).isEqualTo(1);
        return lastSent();
    }

    @Nested
    class Parking {
        @Test
        void parksTheMailGhostedWithItsDeferAttributes() throws Exception {
            start();
            FakeMail mail = mail("m1");

            mailet.service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(parked()).singleElement().satisfies(stored -> {
                assertThat(attribute(stored, TesDefer.ATTEMPTS)).contains(1);
                assertThat(attribute(stored, TesDefer.FIRST_SEEN)).contains(T0.toString());
                assertThat(attribute(stored, TesDefer.DUE)).contains(T0.plus(Duration.ofMinutes(5)).toString());
                assertThat(attribute(stored, TesDefer.PROCESSOR)).contains(CHECK);
                assertThat(stored.getMaybeSender()).isEqualTo(MaybeSender.of(MailAddressFixture.SENDER));
                assertThat(stored.getRecipients()).containsExactly(MailAddressFixture.RECIPIENT1);
                assertThat(stored.getMessage().getSubject()).isEqualTo("hello m1");
            });
            assertThat(metrics.countFor("tes.defer.parked")).isEqualTo(1);
            assertThat(queue.fake.getSentMails()).isEmpty();
        }

        @Test
        void keysTheParkedCopyByNameAndAttemptButKeepsTheMailName() throws Exception {
            start();
            FakeMail mail = mail("m1");

            mailet.service(mail);

            assertThat(mail.getName()).isEqualTo("m1");
            assertThat(repository().list()).toIterable().containsExactly(new MailKey("m1-tes-defer-1"));
        }

        @Test
        void usesTheConfiguredRepository() throws Exception {
            start("repository", "memory://var/mail/elsewhere/");

            mailet.service(mail("m1"));

            assertThat(store.select(MailRepositoryUrl.from("memory://var/mail/elsewhere/")).size()).isEqualTo(1);
            assertThat(repository().size()).isZero();
        }

        @Test
        void recordsTheConfiguredProcessorInsteadOfTheCurrentOneWhenSet() throws Exception {
            start("processor", "relay-check");
            FakeMail mail = mail("m1");
            mail.setState("tes-defer");

            mailet.service(mail);
            clock.advance(Duration.ofMinutes(5));
            mailet.reinjectDue();

            assertThat(queue.fake.getSentMails()).singleElement()
                .satisfies(sent -> assertThat(sent.getState()).isEqualTo("relay-check"));
        }

        @Test
        void refusesToDeferAMailThatIsInNoProcessor() throws Exception {
            start();
            FakeMail mail = mail("m1");
            mail.setState(Mail.GHOST);

            assertThatThrownBy(() -> mailet.service(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("processor");
            assertThat(repository().size()).isZero();
        }

        @Test
        void refusesAMalformedAttemptsAttributeRatherThanRestartingTheCount() throws Exception {
            start();
            FakeMail mail = mail("m1");
            mail.setAttribute(new Attribute(TesDefer.ATTEMPTS, AttributeValue.of("three")));

            assertThatThrownBy(() -> mailet.service(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("tes.defer.attempts");
            assertThat(repository().size()).isZero();
        }
    }

    @Nested
    class Reinjection {
        @Test
        void doesNotReinjectAMailBeforeItIsDue() throws Exception {
            start();
            mailet.service(mail("m1"));
            clock.advance(Duration.ofMinutes(5).minusMillis(1));

            assertThat(mailet.reinjectDue()).isZero();

            assertThat(queue.fake.getSentMails()).isEmpty();
            assertThat(repository().size()).isEqualTo(1);
        }

        @Test
        void reinjectsADueMailIntoItsOriginalProcessorExactlyOnceAndRemovesIt() throws Exception {
            start();
            mailet.service(mail("m1"));
            clock.advance(Duration.ofMinutes(5));

            assertThat(mailet.reinjectDue()).isEqualTo(1);
            assertThat(mailet.reinjectDue()).isZero();

            assertThat(queue.fake.getSentMails()).singleElement().satisfies(sent -> {
                assertThat(sent.getState()).isEqualTo(CHECK);
                assertThat(sent.getRecipients()).containsExactly(MailAddressFixture.RECIPIENT1);
                assertThat(sent.getMsg().getSubject()).isEqualTo("hello m1");
            });
            assertThat(lastSent().getName()).isEqualTo("m1");
            assertThat(repository().size()).isZero();
            assertThat(metrics.countFor("tes.defer.reinjected")).isEqualTo(1);
        }

        @Test
        void reinjectedMailKeepsItsDeferAttributes() throws Exception {
            start();

            Mail back = cycle(mail("m1"));

            assertThat(attribute(back, TesDefer.ATTEMPTS)).contains(1);
            assertThat(attribute(back, TesDefer.FIRST_SEEN)).contains(T0.toString());
            assertThat(attribute(back, TesDefer.PROCESSOR)).contains(CHECK);
        }

        @Test
        void countsAttemptsAcrossCyclesAndKeepsTheFirstSeenTime() throws Exception {
            start();

            Mail back = cycle(cycle(mail("m1")));
            mailet.service(back);

            assertThat(parked()).singleElement().satisfies(stored -> {
                assertThat(attribute(stored, TesDefer.ATTEMPTS)).contains(3);
                assertThat(attribute(stored, TesDefer.FIRST_SEEN)).contains(T0.toString());
            });
        }

        @Test
        void backoffUsesEachDelayInTurnThenRepeatsTheLast() throws Exception {
            start("delays", "1m, 2m,3m");
            List<Duration> waits = new ArrayList<>();

            Mail mail = mail("m1");
            for (int i = 0; i < 5; i++) {
                Instant before = clock.instant();
                mail = cycle(mail);
                waits.add(Duration.between(before, clock.instant()));
            }

            assertThat(waits).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(3),
                Duration.ofMinutes(3), Duration.ofMinutes(3));
        }

        @Test
        void defaultBackoffIsFiveFifteenThirtyMinutesThenHourly() throws Exception {
            start();
            List<Duration> waits = new ArrayList<>();

            Mail mail = mail("m1");
            for (int i = 0; i < 5; i++) {
                Instant before = clock.instant();
                mail = cycle(mail);
                waits.add(Duration.between(before, clock.instant()));
            }

            assertThat(waits).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
                Duration.ofHours(1), Duration.ofHours(1));
        }

        @Test
        void reinjectsOnlyTheMailsThatAreDue() throws Exception {
            start();
            mailet.service(mail("early"));
            clock.advance(Duration.ofMinutes(3));
            mailet.service(mail("late"));
            clock.advance(Duration.ofMinutes(2));

            assertThat(mailet.reinjectDue()).isEqualTo(1);

            assertThat(queue.sent).extracting(Mail::getName).containsExactly("early");
            assertThat(parked()).extracting(Mail::getName).containsExactly("late-tes-defer-1");
        }

        @Test
        void aMailParkedAgainBeforeTheScanRemovesItsPreviousCopyStaysParked() throws Exception {
            // The spooler may process the re-injected mail, and defer it again, before the scan removes the copy
            // it sent: keying parked copies by attempt means the removal never hits the new copy.
            start();
            mailet.service(mail("m1"));
            clock.advance(Duration.ofMinutes(5));
            queue.onSend = sent -> {
                try {
                    mailet.service(sent);
                } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                }
            };

            mailet.reinjectDue();

            assertThat(parked()).singleElement()
                .satisfies(stored -> assertThat(attribute(stored, TesDefer.ATTEMPTS)).contains(2));
        }

        @Test
        void aFailingReinjectionDoesNotStopTheOthersAndTheFailingMailStaysParked() throws Exception {
            start();
            mailet.service(mail("a"));
            mailet.service(mail("b"));
            mailet.service(mail("c"));
            clock.advance(Duration.ofMinutes(5));
            queue.failFor.add("b");

            assertThat(mailet.reinjectDue()).isEqualTo(2);

            assertThat(queue.sent).extracting(Mail::getName).containsExactlyInAnyOrder("a", "c");
            assertThat(parked()).extracting(Mail::getName).containsExactly("b-tes-defer-1");

            queue.failFor.clear();
            assertThat(mailet.reinjectDue()).isEqualTo(1);
            assertThat(queue.sent).extracting(Mail::getName).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(repository().size()).isZero();
        }

        @Test
        void aParkedMailWithoutARecordedProcessorGoesToTheErrorProcessor() throws Exception {
            start();
            repository().store(mail("stray"));

            assertThat(mailet.reinjectDue()).isEqualTo(1);

            assertThat(queue.fake.getSentMails()).singleElement()
                .satisfies(sent -> assertThat(sent.getState()).isEqualTo("error"));
            assertThat(repository().size()).isZero();
        }

        @Test
        void neverAsksTheQueueForADelaySoItWorksWhereTheQueueIgnoresDelays() throws Exception {
            // Platform fact 11: the distributed app's RabbitMQ queue ignores enqueue delays. The wait must come
            // from the parked mail's due time, not from the queue: no mail is ever sent with a delay, and however
            // often the scan runs, nothing comes back before it is due.
            start();
            Mail mail = mail("m1");
            for (int i = 0; i < 3; i++) {
                mailet.service(mail);
                for (int scan = 0; scan < 100; scan++) {
                    mailet.reinjectDue();
                }
                assertThat(queue.sent).hasSize(i);
                clock.advance(Duration.ofHours(1));
                mailet.reinjectDue();
                mail = lastSent();
            }

            assertThat(queue.fake.getSentMails()).hasSize(3)
                .allSatisfy(sent -> assertThat(sent.getDelay()).isEmpty());
        }
    }

    @Nested
    class Expiry {
        private FakeMail agedMail(String name, Duration age) throws MessagingException {
            return agedMail(name, age, MaybeSender.of(MailAddressFixture.SENDER));
        }

        private FakeMail agedMail(String name, Duration age, MaybeSender sender) throws MessagingException {
            FakeMail mail = mail(name, sender);
            mail.setAttribute(new Attribute(TesDefer.FIRST_SEEN, AttributeValue.of(T0.minus(age).toString())));
            mail.setAttribute(new Attribute(TesDefer.ATTEMPTS, AttributeValue.of(7)));
            mail.setErrorMessage("Exception calling IsTesMember: TES lookup failed\n\tat somewhere");
            return mail;
        }

        @Test
        void aMailExactlyMaxAgeOldIsStillParked() throws Exception {
            start();
            FakeMail mail = agedMail("m1", Duration.ofDays(5));

            mailet.service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(repository().size()).isEqualTo(1);
            assertThat(metrics.countFor("tes.defer.expired")).isZero();
        }

        @Test
        void anExpiredMailGoesToTheExpiredProcessorWhenSet() throws Exception {
            start("expiredProcessor", "tes-expired");
            FakeMail mail = agedMail("m1", Duration.ofDays(5).plusSeconds(1));

            mailet.service(mail);

            assertThat(mail.getState()).isEqualTo("tes-expired");
            assertThat(mail.getErrorMessage()).contains("TES deferral expired").contains("TES lookup failed");
            assertThat(attribute(mail, TesDefer.ATTEMPTS)).contains(8);
            assertThat(repository().size()).isZero();
            assertThat(queue.fake.getBouncedMails()).isEmpty();
            assertThat(metrics.countFor("tes.defer.expired")).isEqualTo(1);
        }

        @Test
        void anExpiredMailIsBouncedToItsSenderAndGhostedWithoutExpiredProcessor() throws Exception {
            start();
            FakeMail mail = agedMail("m1", Duration.ofDays(6));

            mailet.service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(queue.fake.getBouncedMails()).singleElement().satisfies(bounce -> {
                assertThat(bounce.getSentMail().getSender()).isEqualTo(MailAddressFixture.SENDER);
                assertThat(bounce.getMessage()).contains("TES deferral expired", "7 times", "5 d 0 h",
                    "TES lookup failed").doesNotContain("somewhere");
            });
            assertThat(repository().size()).isZero();
        }

        @Test
        void anExpiredNullSenderMailGoesToTheErrorProcessorAndIsNeverBounced() throws Exception {
            start();
            FakeMail mail = agedMail("m1", Duration.ofDays(6), MaybeSender.nullSender());

            mailet.service(mail);

            assertThat(mail.getState()).isEqualTo("error");
            assertThat(mail.getErrorMessage()).contains("TES deferral expired");
            assertThat(queue.fake.getBouncedMails()).isEmpty();
            assertThat(repository().size()).isZero();
        }

        @Test
        void anExpiredNullSenderMailGoesToTheConfiguredErrorProcessor() throws Exception {
            start("errorProcessor", "tes-error");
            FakeMail mail = agedMail("m1", Duration.ofDays(6), MaybeSender.nullSender());

            mailet.service(mail);

            assertThat(mail.getState()).isEqualTo("tes-error");
        }

        @Test
        void aMailDeferredAgainAndAgainExpiresOnceOlderThanMaxAge() throws Exception {
            start("delays", "4m", "maxAge", "10m", "expiredProcessor", "tes-expired");

            Mail mail = cycle(cycle(mail("m1")));
            mail = cycle(mail);
            mailet.service(mail);

            assertThat(mail.getState()).isEqualTo("tes-expired");
            assertThat(attribute(mail, TesDefer.ATTEMPTS)).contains(4);
            assertThat(repository().size()).isZero();
        }
    }

    @Nested
    class Claims {
        @TempDir
        Path claimDirectory;

        @Test
        void aParkedMailWhoseClaimAnotherScannerHoldsIsLeftToIt() throws Exception {
            start();
            mailet.service(mail("m1"));
            clock.advance(Duration.ofMinutes(5));
            DeferralClaims shared = deferredMails.claims(MailRepositoryUrl.from(DEFAULT_REPOSITORY), "auto",
                Duration.ofMinutes(5), clock);

            try (DeferralClaims.Claim other = shared.tryClaim(new MailKey("m1-tes-defer-1")).orElseThrow()) {
                assertThat(mailet.reinjectDue()).isZero();
                assertThat(queue.sent).isEmpty();
                assertThat(repository().size()).isEqualTo(1);
            }

            assertThat(mailet.reinjectDue()).isEqualTo(1);
            assertThat(queue.sent).extracting(Mail::getName).containsExactly("m1");
        }

        @Test
        void autoClaimsRefuseARepositoryProtocolWithoutAnAtomicClaim() {
            assertThatThrownBy(() -> start("repository", "cassandra://var/mail/tes-deferred/"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'claims'")
                .hasMessageContaining("protocol 'cassandra' offers TES no atomic claim");
        }

        @Test
        void aSharedClaimDirectoryMakesAnyProtocolUsable() throws Exception {
            start("repository", "cassandra://var/mail/tes-deferred/", "claims", claimDirectory.toString());
            mailet.service(mail("m1"));

            assertThat(store.select(MailRepositoryUrl.from("cassandra://var/mail/tes-deferred/")).size()).isEqualTo(1);
            assertThat(claimDirectory).isEmptyDirectory();
        }

        @Test
        void twoNodesScanningOneRepositoryConcurrentlyReinjectEachMailOnce() throws Exception {
            // Two nodes: two mailets, each with its own registry (its own node id and claims), one repository,
            // claim files in one directory. Both scan at the same time, over and over.
            List<TesDefer> nodes = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                TesDefer node = new TesDefer(store, metrics, new DeferredMails(Path::of, metrics), clock,
                    () -> new RecordingScheduler());
                node.init(config("claims", claimDirectory.toString(), "delays", "1s"));
                nodes.add(node);
            }
            try {
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < 10; i++) {
                        nodes.get(i % 2).service(mail("r" + round + "-" + i));
                    }
                    clock.advance(Duration.ofSeconds(1));
                    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                    List<Thread> scanners = new ArrayList<>();
                    for (TesDefer node : nodes) {
                        Thread scanner = new Thread(() -> {
                            try {
                                start.await();
                                node.reinjectDue();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        scanner.start();
                        scanners.add(scanner);
                    }
                    for (Thread scanner : scanners) {
                        scanner.join(10_000);
                    }
                    while (repository().size() > 0) {
                        nodes.get(round % 2).reinjectDue();
                    }
                }
            } finally {
                nodes.forEach(TesDefer::destroy);
            }

            assertThat(queue.sent).hasSize(200);
            assertThat(queue.sent).extracting(Mail::getName).doesNotHaveDuplicates();
            assertThat(claimDirectory).isEmptyDirectory();
        }
    }

    @Nested
    class Operator {
        private DeferredMails.Repository operations() {
            return deferredMails.repositories().get(0);
        }

        @Test
        void listsEachParkedMailWithItsDeferralFacts() throws Exception {
            start();
            FakeMail mail = mail("m1");
            mail.setErrorMessage("TES lookup failed: tes-master.example.com SERVFAIL\n\tat somewhere");
            mailet.service(mail);

            assertThat(operations().url()).isEqualTo(MailRepositoryUrl.from(DEFAULT_REPOSITORY));
            assertThat(operations().list(100)).singleElement().satisfies(parked -> {
                assertThat(parked.key()).isEqualTo("m1-tes-defer-1");
                assertThat(parked.name()).contains("m1");
                assertThat(parked.sender()).contains(MailAddressFixture.SENDER.asString());
                assertThat(parked.recipients()).containsExactly(MailAddressFixture.RECIPIENT1.asString());
                assertThat(parked.attempts()).contains(1);
                assertThat(parked.firstSeen()).contains(T0.toString());
                assertThat(parked.due()).contains(T0.plus(Duration.ofMinutes(5)).toString());
                assertThat(parked.processor()).contains(CHECK);
                assertThat(parked.lastReason()).contains("TES lookup failed: tes-master.example.com SERVFAIL");
                assertThat(parked.busy()).isFalse();
            });
        }

        @Test
        void reinjectsAMailBeforeItIsDueOnDemand() throws Exception {
            start();
            mailet.service(mail("m1"));

            assertThat(operations().reinject("m1-tes-defer-1")).isEqualTo(DeferredMails.Outcome.DONE);

            assertThat(queue.sent).singleElement().satisfies(sent -> {
                assertThat(sent.getName()).isEqualTo("m1");
                assertThat(sent.getState()).isEqualTo(CHECK);
            });
            assertThat(repository().size()).isZero();
            assertThat(operations().reinject("m1-tes-defer-1")).isEqualTo(DeferredMails.Outcome.NOT_FOUND);
        }

        @Test
        void expiresAMailOnDemandWithADsnToItsSender() throws Exception {
            start();
            FakeMail mail = mail("m1");
            mail.setErrorMessage("TES lookup failed");
            mailet.service(mail);

            assertThat(operations().expire("m1-tes-defer-1", "requested over WebAdmin"))
                .isEqualTo(DeferredMails.Outcome.DONE);

            assertThat(queue.fake.getBouncedMails()).singleElement().satisfies(bounce ->
                assertThat(bounce.getMessage()).contains("TES deferral ended by the operator", "requested over WebAdmin",
                    "last reason: TES lookup failed"));
            assertThat(queue.sent).isEmpty();
            assertThat(repository().size()).isZero();
            assertThat(metrics.countForPrefixName(TesDefer.EXPIRED_METRIC)).containsValue(1);
        }

        @Test
        void expiresOnDemandIntoTheExpiredProcessorWhenSet() throws Exception {
            start("expiredProcessor", "relay-reschedule-expired");
            mailet.service(mail("m1"));

            assertThat(operations().expire("m1-tes-defer-1", "requested")).isEqualTo(DeferredMails.Outcome.DONE);

            assertThat(queue.sent).singleElement().satisfies(sent -> {
                assertThat(sent.getState()).isEqualTo("relay-reschedule-expired");
                assertThat(sent.getErrorMessage()).startsWith("TES deferral ended by the operator");
            });
        }

        @Test
        void aMailAnotherScannerHoldsIsReportedBusyAndLeftAlone() throws Exception {
            start();
            mailet.service(mail("m1"));
            DeferralClaims shared = deferredMails.claims(MailRepositoryUrl.from(DEFAULT_REPOSITORY), "auto",
                Duration.ofMinutes(5), clock);

            try (DeferralClaims.Claim other = shared.tryClaim(new MailKey("m1-tes-defer-1")).orElseThrow()) {
                assertThat(operations().reinject("m1-tes-defer-1")).isEqualTo(DeferredMails.Outcome.BUSY);
                assertThat(operations().expire("m1-tes-defer-1", "x")).isEqualTo(DeferredMails.Outcome.BUSY);
                assertThat(operations().list(10)).singleElement()
                    .satisfies(parked -> assertThat(parked.busy()).isTrue());
            }
            assertThat(repository().size()).isEqualTo(1);
        }

        @Test
        void theDeferredCountFollowsTheRepository() throws Exception {
            start();
            mailet.service(mail("m1"));
            mailet.service(mail("m2"));
            assertThat(metrics.countFor(DeferredMails.DEFERRED_METRIC)).isEqualTo(2);

            clock.advance(Duration.ofMinutes(5));
            mailet.reinjectDue();

            assertThat(metrics.countFor(DeferredMails.DEFERRED_METRIC)).isZero();
        }

        @Test
        void destroyUnregistersTheRepository() throws Exception {
            start();
            assertThat(deferredMails.repositories()).hasSize(1);

            mailet.destroy();
            mailet = null;

            assertThat(deferredMails.repositories()).isEmpty();
        }
    }

    @Nested
    class Configuration {
        @Test
        void defaultsAreTheDocumentedOnes() {
            TesDeferConfiguration configuration = TesDeferConfiguration.parse(name -> null);

            assertThat(configuration.repository()).isEqualTo(MailRepositoryUrl.from(DEFAULT_REPOSITORY));
            assertThat(configuration.delays()).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofMinutes(30), Duration.ofHours(1));
            assertThat(configuration.maxAge()).isEqualTo(Duration.ofDays(5));
            assertThat(configuration.checkInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(configuration.expiredProcessor()).isEmpty();
            assertThat(configuration.errorProcessor()).isEqualTo("error");
            assertThat(configuration.processor()).isEmpty();
            assertThat(configuration.claims()).isEqualTo("auto");
            assertThat(configuration.claimLease()).isEqualTo(Duration.ofMinutes(5));
        }

        @Test
        void javadocStatesTheDefaultsTheParserUses() throws IOException {
            String source = Files.readString(Path.of("src/main/java/org/tesjames/mailets/TesDefer.java"),
                StandardCharsets.UTF_8).replaceAll("\\s*\\n\\s*\\*\\s*", " ");

            assertThat(source).contains(
                "{@code repository}: URL of the parking repository; default {@code "
                    + TesDeferConfiguration.DEFAULT_REPOSITORY + "}",
                "{@code delays}: comma-separated backoff list; attempt n waits the n-th delay, the last one repeats;"
                    + " default {@code " + TesDeferConfiguration.DEFAULT_DELAYS + "}",
                "{@code maxAge}: age after which a mail is not deferred again; default {@code "
                    + TesDeferConfiguration.DEFAULT_MAX_AGE + "}",
                "{@code checkInterval}: pause between two scans; default {@code "
                    + TesDeferConfiguration.DEFAULT_CHECK_INTERVAL + "}",
                "{@code expiredProcessor}: processor for expired mails; default none",
                "{@code errorProcessor}: processor for expired mails with a null sender; default {@code "
                    + TesDeferConfiguration.DEFAULT_ERROR_PROCESSOR + "}",
                "{@code processor}: processor due mails are re-injected into; default none",
                "{@code claims}: where the claims of parked mails live; default {@code "
                    + TesDeferConfiguration.DEFAULT_CLAIMS + "}",
                "{@code claimLease}: how long a file claim lasts without its holder; default {@code "
                    + TesDeferConfiguration.DEFAULT_CLAIM_LEASE + "}");
            assertThat(TesDeferConfiguration.PARAMETERS).containsExactlyInAnyOrder("repository", "delays", "maxAge",
                "checkInterval", "expiredProcessor", "errorProcessor", "processor", "claims", "claimLease");
        }

        @Test
        void acceptsEveryParameter() throws Exception {
            start("repository", "memory://var/mail/x/", "delays", "500ms,2s, 1h ,1d", "maxAge", "2d",
                "checkInterval", "10s", "expiredProcessor", "expired", "errorProcessor", "oops",
                "processor", "relay-check", "onMailetException", "ignore");

            assertThat(schedulers).singleElement()
                .satisfies(scheduler -> assertThat(scheduler.delayMillis).isEqualTo(10_000));
        }

        @Test
        void anUnknownParameterFailsInitNamingIt() {
            assertThatThrownBy(() -> start("maxAttempts", "3"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("maxAttempts");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "delays | 5m,,1h",
            "delays | 5 minutes",
            "delays | 0s",
            "delays | ''",
            "maxAge | 5",
            "maxAge | 1.5d",
            "maxAge | 0d",
            "checkInterval | -1s",
            "checkInterval | 30S",
            "repository | var/mail/tes-deferred",
            "expiredProcessor | ''",
            "errorProcessor | ' '",
            "processor | ' relay-check'",
            "claims | shared-dir",
            "claimLease | 0s",
        })
        void aMalformedValueFailsInitNamingTheParameterAndTheValue(String name, String value) {
            assertThatThrownBy(() -> start(name, value))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'" + name + "'")
                .hasMessageContaining("'" + value + "'");
            assertThat(schedulers).isEmpty();
        }
    }

    @Nested
    class Scheduler {
        @Test
        void initSchedulesTheScanEveryCheckInterval() throws Exception {
            start("checkInterval", "45s");

            assertThat(schedulers).singleElement().satisfies(scheduler -> {
                assertThat(scheduler.initialDelayMillis).isEqualTo(45_000);
                assertThat(scheduler.delayMillis).isEqualTo(45_000);
            });
        }

        @Test
        void theScheduledTaskReinjectsDueMails() throws Exception {
            start();
            mailet.service(mail("m1"));
            clock.advance(Duration.ofMinutes(5));

            schedulers.get(0).task.run();

            assertThat(queue.sent).extracting(Mail::getName).containsExactly("m1");
            assertThat(repository().size()).isZero();
        }

        @Test
        void destroyStopsTheScheduler() throws Exception {
            start();

            mailet.destroy();

            assertThat(schedulers.get(0).isShutdown()).isTrue();
            assertThat(schedulers.get(0).isTerminated()).isTrue();
        }

        @Test
        void theGuiceConstructorRunsTheScanOnADaemonThreadStoppedByDestroy() throws Exception {
            mailet = new TesDefer(store, metrics, deferredMails);
            mailet.init(config());

            Thread scanner = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("tes-defer-tes-defer"))
                .findFirst().orElseThrow();
            assertThat(scanner.isDaemon()).isTrue();

            mailet.destroy();
            mailet = null;
            scanner.join(5_000);
            assertThat(scanner.isAlive()).isFalse();
        }
    }

    /** Records the scan task and its period; schedules it a year away so that it never runs by itself. */
    static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        volatile Runnable task;
        volatile long initialDelayMillis;
        volatile long delayMillis;

        RecordingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                         TimeUnit unit) {
            task = command;
            initialDelayMillis = unit.toMillis(initialDelay);
            delayMillis = unit.toMillis(delay);
            return super.scheduleWithFixedDelay(command, 365, 365, TimeUnit.DAYS);
        }
    }
}
