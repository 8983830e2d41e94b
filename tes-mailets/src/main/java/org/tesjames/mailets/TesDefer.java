package org.tesjames.mailets;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.mailets.defer.DeferralClaims;
import org.tesjames.mailets.defer.DeferredMails;
import org.tesjames.mailets.defer.ParkedMail;

/**
 * Holds a mail and runs it through the same processor again later, without relying on mail queue delays.
 *
 * <p>Why not {@code sendMail(mail, state, delay, unit)}: the distributed James app's RabbitMQ queue ignores
 * enqueue delays, so a deferral built on them becomes a hot retry loop there. This mailet parks the mail in a
 * {@code MailRepository} with its due time instead, and a scan owned by the mailet re-injects due mails with
 * {@code sendMail(mail, processor)}: no delay is ever asked of the queue.
 *
 * <p>On {@code service(mail)}:
 * <ul>
 * <li>{@code tes.defer.attempts} (int) is incremented (1 on the first deferral); {@code tes.defer.first-seen}
 * (ISO-8601 instant) is set on the first deferral only; {@code tes.defer.processor} records the processor to
 * come back to ({@code processor}, or else the processor the mail is in: its state), {@code tes.defer.due}
 * (ISO-8601 instant) is now plus the backoff of this attempt.</li>
 * <li>The mail is stored in the repository under {@code <name>-tes-defer-<attempt>} and ghosted. The key carries
 * the attempt so that a mail re-parked while its previous copy is being re-injected is never the copy the scan
 * removes. The original name is restored on re-injection.</li>
 * <li>If the mail is older than {@code maxAge} (now minus first-seen), it is not parked again: it goes to
 * {@code expiredProcessor} when set; otherwise it is bounced to its envelope sender with the reason and ghosted;
 * a mail with the null sender ({@code <>}) cannot be bounced and goes to {@code errorProcessor}. No path drops
 * a mail. The reason is also set as the mail's error message.</li>
 * </ul>
 *
 * <p>Every {@code checkInterval}, a single daemon thread started by {@code init()} and stopped by
 * {@code destroy()} scans the repository and re-injects every due mail into its recorded processor, then removes
 * it from the repository. An error on one mail is logged, leaves that mail parked for the next scan, and does
 * not stop the scan. Each re-injection keeps the {@code tes.defer.*} attributes, so attempts accumulate.
 *
 * <p>Parameters (unknown parameters and malformed values fail {@code init()} naming them):
 * <ul>
 * <li>{@code repository}: URL of the parking repository; default {@code memory://var/mail/tes-deferred/}
 * (in memory: parked mails are lost on restart; use a persistent protocol such as {@code file://},
 * {@code cassandra://} or {@code jpa://}, whichever the app provides, to survive one).</li>
 * <li>{@code delays}: comma-separated backoff list; attempt n waits the n-th delay, the last one repeats;
 * default {@code 5m, 15m, 30m, 1h}.</li>
 * <li>{@code maxAge}: age after which a mail is not deferred again; default {@code 5d}.</li>
 * <li>{@code checkInterval}: pause between two scans; default {@code 30s}. A mail is re-injected at most this
 * long after it is due.</li>
 * <li>{@code expiredProcessor}: processor for expired mails; default none (bounce to the sender).</li>
 * <li>{@code errorProcessor}: processor for expired mails with a null sender; default {@code error}.</li>
 * <li>{@code processor}: processor due mails are re-injected into; default none: the processor the mail is in
 * when it is deferred (its state). Needed when the mail reaches this mailet through {@code onMatchException}
 * or {@code ToProcessor}, since James does not record the processor it came from.</li>
 * <li>{@code claims}: where the claims of parked mails live; default {@code auto} (see "Several nodes" below);
 * {@code in-process}; or a directory shared by every node, a {@code file://} URL or an absolute path.</li>
 * <li>{@code claimLease}: how long a file claim lasts without its holder; default {@code 5m}.</li>
 * </ul>
 * Durations are a whole number and a unit {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}, and must be
 * positive.
 *
 * <p>Typical use: a matcher's temporary failure (for example a TES lookup timeout) routes the mail with
 * {@code onMatchException} to a processor holding this mailet, which sends it back to the checking processor
 * later, where the check runs again. {@code processor} names that checking processor (without it the mail would
 * come back to {@code tes-defer} itself and be parked again until it expires):
 * <pre>{@code
 * <processor state="relay-check" enableJmx="true">
 *   <mailet match="org.tesjames.matchers.IsTesMember" class="ToProcessor">
 *     <processor>tes-member</processor>
 *     <onMatchException>tes-defer</onMatchException>
 *   </mailet>
 *   <mailet match="All" class="ToProcessor">
 *     <processor>transport</processor>
 *   </mailet>
 * </processor>
 *
 * <processor state="tes-defer" enableJmx="true">
 *   <mailet match="All" class="org.tesjames.mailets.TesDefer">
 *     <processor>relay-check</processor>
 *     <repository>file://var/mail/tes-deferred/</repository>
 *     <delays>5m, 15m, 1h</delays>
 *     <maxAge>5d</maxAge>
 *     <checkInterval>30s</checkInterval>
 *   </mailet>
 * </processor>
 * }</pre>
 * Placed directly in the checking processor behind a matcher of its own, {@code TesDefer} needs no
 * {@code processor}: the mail comes back to the processor it was deferred in.
 *
 * <p>Trade-offs and limits:
 * <ul>
 * <li><b>Several nodes.</b> Before it stores, re-injects, lists or expires a parked mail, the mailet claims its key
 * ({@code DeferralClaims}): at most one scanner of all the nodes sharing the repository handles a mail at a time,
 * and no scanner reads a mail another node is still writing. {@code MailRepository} has no atomic operation to
 * claim with (its {@code remove} returns nothing and succeeds on a missing key in every James 3.8.1
 * implementation), so parameter {@code claims} says where claims live: {@code auto} (default) uses the process
 * for {@code memory://} (such a repository lives in one process) and exclusively created files in the
 * repository's own directory for {@code file://} (see {@code FileClaims}); any other protocol needs
 * {@code claims} set to a directory every node shares, or to {@code in-process} when a single node uses the
 * repository, else {@code init()} fails. A file claim is a lease ({@code claimLease}): a node that dies holding
 * one blocks that mail for at most one lease, then another node takes it over.</li>
 * <li><b>Duplicate rather than loss.</b> The scan sends a due mail first and removes it from the repository
 * second. A crash (or a failed removal) in between re-injects the mail again once the claim's lease has run out:
 * a possible duplicate delivery, never a lost mail.</li>
 * <li>A mail lives at most {@code maxAge} plus its last delay plus {@code checkInterval}: the age is checked
 * when the mail is deferred, not while it is parked.</li>
 * </ul>
 *
 * <p>Metrics ({@code MetricFactory}): {@code tes.defer.parked}, {@code tes.defer.reinjected},
 * {@code tes.defer.expired}, and {@code tes.defer.deferred}, the number of mails parked now in this node's
 * deferral repositories (set after each scan, park and re-injection). Each decision logs one INFO line with the
 * mail name, sender, attempt, due time and reason.
 */
public class TesDefer extends GenericMailet {
    public static final AttributeName ATTEMPTS = AttributeName.of("tes.defer.attempts");
    public static final AttributeName FIRST_SEEN = AttributeName.of("tes.defer.first-seen");
    public static final AttributeName DUE = AttributeName.of("tes.defer.due");
    public static final AttributeName PROCESSOR = AttributeName.of("tes.defer.processor");

    static final String PARKED_METRIC = "tes.defer.parked";
    static final String REINJECTED_METRIC = "tes.defer.reinjected";
    static final String EXPIRED_METRIC = "tes.defer.expired";

    private static final Logger LOGGER = LoggerFactory.getLogger(TesDefer.class);
    private static final String PARKED_KEY_SUFFIX = "-tes-defer-";
    private static final Pattern PARKED_NAME = Pattern.compile("(.+)" + PARKED_KEY_SUFFIX + "\\d+");
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final MailRepositoryStore repositoryStore;
    private final MetricFactory metrics;
    private final DeferredMails deferredMails;
    private final Clock clock;
    private final Supplier<ScheduledExecutorService> schedulerFactory;
    private final DeferredMails.Repository operations = new Operations();

    private TesDeferConfiguration configuration;
    private MailRepository repository;
    private DeferralClaims claims;
    private ScheduledExecutorService scheduler;

    @Inject
    public TesDefer(MailRepositoryStore repositoryStore, MetricFactory metrics, DeferredMails deferredMails) {
        this(repositoryStore, metrics, deferredMails, Clock.systemUTC(), null);
    }

    /**
     * For tests: a controllable clock and the scheduler the mailet will own (null: a single daemon thread).
     */
    TesDefer(MailRepositoryStore repositoryStore, MetricFactory metrics, DeferredMails deferredMails, Clock clock,
             Supplier<ScheduledExecutorService> schedulerFactory) {
        this.repositoryStore = repositoryStore;
        this.metrics = metrics;
        this.deferredMails = deferredMails;
        this.clock = clock;
        this.schedulerFactory = schedulerFactory != null ? schedulerFactory : this::newDaemonScheduler;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(new HashSet<>(TesDeferConfiguration.PARAMETERS));
        try {
            configuration = TesDeferConfiguration.parse(this::getInitParameter);
        } catch (IllegalArgumentException e) {
            throw new MessagingException(getClass().getSimpleName() + " '" + getMailetName() + "': " + e.getMessage());
        }
        try {
            repository = repositoryStore.select(configuration.repository());
        } catch (MailRepositoryStore.MailRepositoryStoreException e) {
            throw new MessagingException("parameter 'repository': cannot open '"
                + configuration.repository().asString() + "'", e);
        }
        try {
            claims = deferredMails.claims(configuration.repository(), configuration.claims(),
                configuration.claimLease(), clock);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new MessagingException(getClass().getSimpleName() + " '" + getMailetName() + "': parameter '"
                + TesDeferConfiguration.CLAIMS + "': " + e.getMessage(), e);
        }
        LOGGER.info("TesDefer '{}' parks mail in {} with {}", getMailetName(), configuration.repository().asString(),
            claims);
        deferredMails.register(operations);
        scheduler = schedulerFactory.get();
        long interval = configuration.checkInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::scan, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        deferredMails.unregister(operations);
        ScheduledExecutorService owned = scheduler;
        if (owned == null) {
            return;
        }
        owned.shutdown();
        try {
            if (!owned.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                owned.shutdownNow();
            }
        } catch (InterruptedException e) {
            owned.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String getMailetInfo() {
        return "TES deferral: parks a mail and re-injects it into its processor later, without queue delays";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Instant now = clock.instant();
        int attempt = attempts(mail) + 1;
        Instant firstSeen = instant(mail, FIRST_SEEN).orElse(now);
        String processor = configuration.processor().orElse(mail.getState());
        if (processor == null || processor.isEmpty() || Mail.GHOST.equals(processor)) {
            throw new MessagingException("cannot defer mail " + mail.getName() + ": it is in no processor (state "
                + processor + ") and parameter 'processor' is not set");
        }
        mail.setAttribute(new Attribute(ATTEMPTS, AttributeValue.of(attempt)));
        mail.setAttribute(new Attribute(FIRST_SEEN, AttributeValue.of(firstSeen.toString())));

        Duration age = Duration.between(firstSeen, now);
        if (age.compareTo(configuration.maxAge()) > 0) {
            expire(mail, attempt, firstSeen, age);
            return;
        }

        Instant due = now.plus(configuration.delayFor(attempt));
        mail.setAttribute(new Attribute(PROCESSOR, AttributeValue.of(processor)));
        mail.setAttribute(new Attribute(DUE, AttributeValue.of(due.toString())));
        String name = mail.getName();
        MailKey key = new MailKey(name + PARKED_KEY_SUFFIX + attempt);
        // Held while the mail is written: no scanner of any node reads a half-written mail.
        try (DeferralClaims.Claim claim = claims.tryClaim(key).orElseThrow(() -> new MessagingException(
                "cannot defer mail " + name + ": its parked key " + key.asString() + " is claimed by another node"))) {
            mail.setName(key.asString());
            repository.store(mail);
        } finally {
            mail.setName(name);
        }
        mail.setState(Mail.GHOST);
        metrics.generate(PARKED_METRIC).increment();
        deferredMails.refreshCount();
        LOGGER.info("TesDefer parked mail {} from {}: attempt {}, due {}, back to processor {}; reason: {}",
            name, mail.getMaybeSender().asString(), attempt, due, processor, reason(mail));
    }

    /**
     * Re-injects every parked mail that is due into its processor, then removes it from the repository; each under
     * its claim, so that no other scanner (of this node or another) handles it at the same time. Called by the
     * scheduler; package-private so that tests drive scans deterministically.
     *
     * @return how many mails were re-injected
     */
    synchronized int reinjectDue() {
        List<MailKey> keys;
        try {
            keys = keys();
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("TesDefer could not list {}; parked mails stay until the next scan",
                configuration.repository().asString(), e);
            return 0;
        }
        Instant now = clock.instant();
        int reinjected = 0;
        for (MailKey key : keys) {
            try {
                if (reinject(key, due -> due.isEmpty() || !due.get().isAfter(now)) == DeferredMails.Outcome.DONE) {
                    reinjected++;
                }
            } catch (MessagingException | RuntimeException e) {
                LOGGER.error("TesDefer could not re-inject parked mail {}; it stays parked for the next scan",
                    key.asString(), e);
            }
        }
        claims.forgetStale(new HashSet<>(keys));
        deferredMails.refreshCount();
        return reinjected;
    }

    private List<MailKey> keys() throws MessagingException {
        List<MailKey> keys = new ArrayList<>();
        for (Iterator<MailKey> it = repository.list(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    /** What is done with a parked mail while its claim is held. */
    @FunctionalInterface
    private interface ClaimedWork {
        DeferredMails.Outcome apply(Mail mail, DeferralClaims.Claim claim) throws MessagingException;
    }

    /** Claims {@code key}, reads its mail and hands both to {@code work}; BUSY when another holds the claim. */
    private DeferredMails.Outcome underClaim(MailKey key, ClaimedWork work) throws MessagingException {
        Optional<DeferralClaims.Claim> held = claims.tryClaim(key);
        if (held.isEmpty()) {
            return DeferredMails.Outcome.BUSY;
        }
        try (DeferralClaims.Claim claim = held.get()) {
            Mail mail = repository.retrieve(key);
            if (mail == null) {
                return DeferredMails.Outcome.NOT_FOUND;
            }
            try {
                return work.apply(mail, claim);
            } finally {
                LifecycleUtil.dispose(mail);
            }
        }
    }

    /**
     * Re-injects the parked mail of {@code key} when {@code when} accepts its due time: claims it, reads it, sends
     * it to its processor while the claim still holds, removes it.
     */
    private DeferredMails.Outcome reinject(MailKey key, Predicate<Optional<Instant>> when) throws MessagingException {
        return underClaim(key, (mail, claim) -> {
            Optional<Instant> due = instant(mail, DUE);
            if (!when.test(due) || !claim.stillHeld()) {
                return DeferredMails.Outcome.BUSY;
            }
            String processor = stringAttribute(mail, PROCESSOR).orElse(configuration.errorProcessor());
            String name = originalName(mail.getName());
            mail.setName(name);
            // Send first, remove second: a crash in between duplicates the mail, it never loses it.
            getMailetContext().sendMail(mail, processor);
            repository.remove(key);
            metrics.generate(REINJECTED_METRIC).increment();
            LOGGER.info("TesDefer re-injected mail {} from {}: attempt {}, due {}, into processor {}; reason: {}",
                name, mail.getMaybeSender().asString(), attempts(mail),
                due.map(Instant::toString).orElse("(none recorded)"), processor,
                due.isEmpty() ? "no due time recorded" : due.get().isAfter(clock.instant()) ? "on demand" : "due");
            return DeferredMails.Outcome.DONE;
        });
    }

    /** Ends the deferral of a parked mail now, under its claim, as if it had expired. */
    private DeferredMails.Outcome expireNow(MailKey key, String reason) throws MessagingException {
        return underClaim(key, (mail, claim) -> {
            if (!claim.stillHeld()) {
                return DeferredMails.Outcome.BUSY;
            }
            mail.setName(originalName(mail.getName()));
            Instant firstSeen = instant(mail, FIRST_SEEN).orElse(clock.instant());
            String text = "TES deferral ended by the operator: delivery was deferred " + attempts(mail)
                + " times since " + firstSeen + "; " + reason + "; last reason: " + reason(mail);
            Optional<String> target = expire(mail, text, attempts(mail));
            if (target.isPresent()) {
                getMailetContext().sendMail(mail, target.get());
            }
            repository.remove(key);
            return DeferredMails.Outcome.DONE;
        });
    }

    private List<ParkedMail> list(int limit) throws MessagingException {
        List<ParkedMail> parked = new ArrayList<>();
        String url = configuration.repository().asString();
        for (MailKey key : keys()) {
            if (parked.size() >= limit) {
                break;
            }
            DeferredMails.Outcome outcome = underClaim(key, (mail, claim) -> {
                parked.add(new ParkedMail(url, key.asString(), Optional.of(originalName(mail.getName())),
                    Optional.of(mail.getMaybeSender().asString()),
                    mail.getRecipients().stream().map(Object::toString).toList(),
                    Optional.of(attempts(mail)), stringAttribute(mail, FIRST_SEEN), stringAttribute(mail, DUE),
                    stringAttribute(mail, PROCESSOR), Optional.of(reason(mail)), false));
                return DeferredMails.Outcome.DONE;
            });
            if (outcome == DeferredMails.Outcome.BUSY) {
                parked.add(ParkedMail.busy(url, key.asString()));
            }
        }
        return parked;
    }

    private void expire(Mail mail, int attempt, Instant firstSeen, Duration age) throws MessagingException {
        String reason = "TES deferral expired: delivery was deferred " + (attempt - 1) + " times since " + firstSeen
            + " (" + humane(age) + " ago), longer than the maximum of " + humane(configuration.maxAge())
            + "; last reason: " + reason(mail);
        mail.setState(expire(mail, reason, attempt).orElse(Mail.GHOST));
    }

    /**
     * Expires a mail: bounces it to its sender with {@code reason}, or names the processor it must go to
     * ({@code expiredProcessor}, or {@code errorProcessor} for the null sender).
     *
     * @return the processor to send the mail to; empty when it was bounced (and is done with)
     */
    private Optional<String> expire(Mail mail, String reason, int attempt) throws MessagingException {
        mail.removeAttribute(DUE);
        metrics.generate(EXPIRED_METRIC).increment();
        Optional<String> target;
        String outcome;
        if (configuration.expiredProcessor().isPresent()) {
            target = configuration.expiredProcessor();
            outcome = "sent to processor " + target.get();
            mail.setErrorMessage(reason);
        } else if (mail.getMaybeSender().isNullSender()) {
            target = Optional.of(configuration.errorProcessor());
            outcome = "null sender, nobody to bounce to: sent to processor " + target.get();
            mail.setErrorMessage(reason);
        } else {
            target = Optional.empty();
            outcome = "bounced to the sender";
            getMailetContext().bounce(mail, reason);
        }
        LOGGER.info("TesDefer expired mail {} from {}: attempt {}, due (none), {}; reason: {}",
            mail.getName(), mail.getMaybeSender().asString(), attempt, outcome, reason);
        return target;
    }

    private static int attempts(Mail mail) throws MessagingException {
        Optional<Object> value = mail.getAttribute(ATTEMPTS).map(attribute -> attribute.getValue().getValue());
        if (value.isEmpty()) {
            return 0;
        }
        if (value.get() instanceof Integer attempts && attempts >= 0) {
            return attempts;
        }
        throw new MessagingException("mail " + mail.getName() + ": attribute " + ATTEMPTS.asString()
            + " is not a non-negative int: " + value.get());
    }

    private static Optional<Instant> instant(Mail mail, AttributeName name) throws MessagingException {
        Optional<String> value = stringAttribute(mail, name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value.get()));
        } catch (DateTimeParseException e) {
            throw new MessagingException("mail " + mail.getName() + ": attribute " + name.asString()
                + " is not an ISO-8601 instant: " + value.get(), e);
        }
    }

    private static Optional<String> stringAttribute(Mail mail, AttributeName name) throws MessagingException {
        Optional<Object> value = mail.getAttribute(name).map(attribute -> attribute.getValue().getValue());
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.get() instanceof String string) {
            return Optional.of(string);
        }
        throw new MessagingException("mail " + mail.getName() + ": attribute " + name.asString()
            + " is not a string: " + value.get());
    }

    /** First line of the error message James's container sets on {@code onMatchException}/{@code onMailetException}. */
    private static String reason(Mail mail) {
        String error = mail.getErrorMessage();
        if (error == null || error.isBlank()) {
            return "deferred";
        }
        return error.strip().lines().findFirst().orElse("deferred");
    }

    private static String humane(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds >= 86_400) {
            return seconds / 86_400 + " d " + seconds % 86_400 / 3600 + " h";
        }
        if (seconds >= 3600) {
            return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
        }
        return seconds / 60 + " min " + seconds % 60 + " s";
    }

    private static String originalName(String parkedName) {
        Matcher matcher = PARKED_NAME.matcher(parkedName);
        return matcher.matches() ? matcher.group(1) : parkedName;
    }

    private void scan() {
        try {
            reinjectDue();
        } catch (RuntimeException e) {
            // A task that throws is never run again by a ScheduledExecutorService: keep scanning.
            LOGGER.error("TesDefer scan failed; retrying at the next interval", e);
        }
    }

    /** This mailet's repository as WebAdmin and the health check see it. */
    private final class Operations implements DeferredMails.Repository {
        @Override
        public MailRepositoryUrl url() {
            return configuration.repository();
        }

        @Override
        public long size() throws MessagingException {
            return repository.size();
        }

        @Override
        public List<ParkedMail> list(int limit) throws MessagingException {
            return TesDefer.this.list(limit);
        }

        @Override
        public DeferredMails.Outcome reinject(String key) throws MessagingException {
            DeferredMails.Outcome outcome = TesDefer.this.reinject(new MailKey(key), due -> true);
            deferredMails.refreshCount();
            return outcome;
        }

        @Override
        public DeferredMails.Outcome expire(String key, String reason) throws MessagingException {
            DeferredMails.Outcome outcome = expireNow(new MailKey(key), reason);
            deferredMails.refreshCount();
            return outcome;
        }
    }

    private ScheduledExecutorService newDaemonScheduler() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "tes-defer-" + getMailetName());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
