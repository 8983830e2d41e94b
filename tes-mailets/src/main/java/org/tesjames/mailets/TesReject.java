package org.tesjames.mailets;

import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

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
import org.tesjames.matchers.TesMailAttributes;

/**
 * Rejects a mail after it was accepted (the processor-chain counterpart of a 5xx at SMTP time): tells the
 * envelope sender, keeps a copy if configured, and ends the mail's processing. It never loses a mail.
 *
 * <table>
 *   <caption>Parameters</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code dsn}</td><td>{@code true}</td><td>{@code true}: send a bounce to the envelope sender with the
 *       reason and the original message, through James's {@code MailetContext.bounce}; {@code false}: none
 *       (then {@code repository} is required)</td></tr>
 *   <tr><td>{@code repository}</td><td>none</td><td>URL of a MailRepository (e.g.
 *       {@code memory://var/mail/tes-rejected/}) where the mail is stored, with the reason as its error
 *       message</td></tr>
 *   <tr><td>{@code reason}</td><td>{@value #DEFAULT_REASON}</td><td>the reason given to the sender; the Mail
 *       attribute {@code tes.reject.reason}, when set, overrides it for that mail. Placeholders filled per mail:
 *       {@code {senderDomain}} (envelope sender domain, {@code <>} for the null sender), {@code {messageId}}
 *       (the Message-ID, {@code <none>} without one), {@code {authorDomain}} (the From domain DMARC evaluated,
 *       from {@code tes.auth.dmarc.domain}, {@code <unknown>} without it)</td></tr>
 *   <tr><td>{@code errorProcessor}</td><td>{@code error}</td><td>where a null-sender mail ({@code <>}: no bounce
 *       possible) goes when no repository is configured</td></tr>
 * </table>
 * Afterwards the mail is ghosted, except a null-sender mail without repository, which is sent to
 * {@code errorProcessor}. {@code dsn=false} without {@code repository}, an unknown parameter, a malformed boolean
 * or a malformed repository URL fail at start, naming the parameter.
 * <pre>{@code
 * <mailet match="All" class="org.tesjames.mailets.TesReject">
 *     <dsn>true</dsn>
 *     <repository>memory://var/mail/tes-rejected/</repository>
 *     <reason>Member is not TES compliant</reason>
 *     <errorProcessor>error</errorProcessor>
 * </mailet>
 * }</pre>
 *
 * <p>Metrics: {@code tes.reject.dsn}, {@code tes.reject.stored}, {@code tes.reject.to-error-processor}.
 */
public class TesReject extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(TesReject.class);
    public static final String DSN = "dsn";
    public static final String REPOSITORY = "repository";
    public static final String REASON = "reason";
    public static final String ERROR_PROCESSOR = "errorProcessor";
    public static final String DEFAULT_REASON = "Rejected by TES policy";
    public static final String DEFAULT_ERROR_PROCESSOR = Mail.ERROR;
    /** A per-mail reason set by an earlier mailet; overrides {@code reason}. */
    public static final AttributeName REASON_ATTRIBUTE = AttributeName.of("tes.reject.reason");

    private final MailRepositoryStore repositories;
    private final MetricFactory metrics;
    private boolean dsn;
    private Optional<MailRepositoryUrl> repositoryUrl;
    private Optional<MailRepository> repository;
    private String reason;
    private String errorProcessor;

    @Inject
    public TesReject(MailRepositoryStore repositories, MetricFactory metrics) {
        this.repositories = repositories;
        this.metrics = metrics;
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters parameters = MailetParameters.of(getClass(), getMailetConfig(), DSN, REPOSITORY, REASON,
            ERROR_PROCESSOR);
        dsn = parameters.bool(DSN, true);
        reason = parameters.string(REASON, DEFAULT_REASON);
        errorProcessor = parameters.string(ERROR_PROCESSOR, DEFAULT_ERROR_PROCESSOR);
        Optional<String> url = parameters.optional(REPOSITORY);
        if (!dsn && url.isEmpty()) {
            throw new MessagingException("TesReject: dsn=false needs a repository parameter, otherwise rejected mail"
                + " would be lost");
        }
        repositoryUrl = Optional.empty();
        if (url.isPresent()) {
            try {
                repositoryUrl = Optional.of(MailRepositoryUrl.from(url.get()));
            } catch (IllegalArgumentException e) {
                throw parameters.fail(REPOSITORY, url.get(), "is not a mail repository URL: " + e.getMessage());
            }
        }
        repository = Optional.empty();
        if (repositoryUrl.isPresent()) {
            try {
                repository = Optional.of(repositories.select(repositoryUrl.get()));
            } catch (MailRepositoryStore.MailRepositoryStoreException e) {
                throw new MessagingException("TesReject: cannot open repository " + url.get() + ": " + e.getMessage(),
                    e);
            }
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        String why = reasonFor(mail);
        mail.setErrorMessage(why);
        if (repository.isPresent()) {
            repository.get().store(mail);
            metrics.generate("tes.reject.stored").increment();
            LOGGER.info("TES TesReject mail {} sender {}: stored in {} ({})", mail.getName(),
                mail.getMaybeSender().asString(), repositoryUrl.get().asString(), why);
        }
        if (dsn && mail.hasSender()) {
            getMailetContext().bounce(mail, why);
            metrics.generate("tes.reject.dsn").increment();
            LOGGER.info("TES TesReject mail {} sender {}: bounce sent ({})", mail.getName(),
                mail.getMaybeSender().asString(), why);
        }
        if (repository.isEmpty() && !mail.hasSender()) {
            // No bounce is possible and nothing was kept: hand the mail to the error processor rather than lose it.
            metrics.generate("tes.reject.to-error-processor").increment();
            LOGGER.info("TES TesReject mail {} sender <>: no bounce possible and no repository, sent to processor {}"
                + " ({})", mail.getName(), errorProcessor, why);
            mail.setState(errorProcessor);
            return;
        }
        mail.setState(Mail.GHOST);
    }

    private String reasonFor(Mail mail) {
        return mail.getAttribute(REASON_ATTRIBUTE)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(String.class::isInstance)
            .map(String.class::cast)
            .filter(value -> !value.isBlank())
            .orElseGet(() -> fill(reason, mail));
    }

    private static String fill(String template, Mail mail) {
        if (!template.contains("{")) {
            return template;
        }
        String messageId = MessageIds.of(mail);
        String authorDomain = mail.getAttribute(TesMailAttributes.AUTH_DMARC_DOMAIN)
            .map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf).orElse("<unknown>");
        return template
            .replace("{senderDomain}", mail.getMaybeSender().asOptional()
                .map(address -> address.getDomain().asString()).orElse("<>"))
            .replace("{messageId}", messageId)
            .replace("{authorDomain}", authorDomain);
    }

    @Override
    public String getMailetInfo() {
        return "TES: rejects a mail after acceptance (bounce and/or repository)";
    }
}
