package org.tesjames.mailets.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.auth.AuthenticationReport;
import org.tesjames.core.auth.AuthenticationResultsHeader;
import org.tesjames.core.auth.MessageAuthenticator;
import org.tesjames.core.auth.SmtpIdentity;
import org.tesjames.core.auth.SpfCheck;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.dkim.verify.BodyHashes;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.SpfResult;
import org.tesjames.core.mail.HeaderFields;
import org.tesjames.core.policy.AuthenticationOutcome;
import org.tesjames.mailets.EnumCounters;
import org.tesjames.matchers.TesMailAttributes;

/**
 * Inbound message authentication in James, shared by the SMTP hook ({@code InboundAuthenticationHook}) and the
 * processor chain ({@code TesAuthenticate}): runs DKIM, SPF and DMARC on a received mail within
 * {@code lookup.timeout}, then stamps it: one {@code Authentication-Results} header with our authserv-id at the top
 * of the header (every incoming one that claims our authserv-id is removed as forged; others are kept) and the
 * {@code tes.auth.*} attributes ({@link TesMailAttributes}).
 *
 * <p>The stamped message is a copy made in one pass over the message's octets ({@link StampedCopy}: linear in the
 * header, however many fields, and no javax.mail parse of it), so every other field keeps its octets and position,
 * and the body is copied as it is: DKIM signatures that do not cover our header stay valid. The copy replaces the
 * message of a James mail without James copying it once more.
 *
 * <p>Metrics: timer {@code tes.auth.time}; counters {@code tes.auth.timeout}, {@code tes.auth.forged-removed},
 * {@code tes.auth.orphan-continuation-removed} (a header that started with a continuation line, which would have
 * continued our field: that line is removed),
 * {@code tes.auth.dkim.<result>} (one per signature, {@code none} for an unsigned message),
 * {@code tes.auth.spf.<result>}, {@code tes.auth.dmarc.<result>}.
 */
public final class InboundAuthentication {
    private static final Logger LOGGER = LoggerFactory.getLogger(InboundAuthentication.class);

    private final MessageAuthenticator authenticator;
    private final String authservId;
    private final Duration deadline;
    private final boolean dmarcForEveryone;
    private final MetricFactory metrics;
    private final Metric dkimNone;
    private final Map<DkimResult, Metric> dkimCounts;
    private final Map<SpfResult, Metric> spfCounts;
    private final Map<DmarcResult.Result, Metric> dmarcCounts;

    public InboundAuthentication(MessageAuthenticator authenticator, String authservId, Duration deadline,
                                 boolean dmarcForEveryone, MetricFactory metrics) {
        this.authenticator = authenticator;
        this.authservId = authservId;
        this.deadline = deadline;
        this.dmarcForEveryone = dmarcForEveryone;
        this.metrics = metrics;
        this.dkimNone = metrics.generate("tes.auth.dkim.none");
        this.dkimCounts = EnumCounters.of(metrics, DkimResult.class, result -> "tes.auth.dkim." + result.keyword());
        this.spfCounts = EnumCounters.of(metrics, SpfResult.class, result -> "tes.auth.spf." + result.keyword());
        this.dmarcCounts = EnumCounters.of(metrics, DmarcResult.Result.class,
            result -> "tes.auth.dmarc." + result.token());
    }

    public String authservId() {
        return authservId;
    }

    /** Whether DMARC {@code reject} is enforced for non-members too ({@code dmarc.reject-non-members}). */
    public boolean dmarcForEveryone() {
        return dmarcForEveryone;
    }

    /** The identity of the chain: the client address James recorded, the HELO attribute, the envelope sender. */
    public static SmtpIdentity identity(Mail mail) throws MessagingException {
        InetAddress client;
        try {
            client = InetAddress.getByName(mail.getRemoteAddr());
        } catch (IOException e) {
            throw new MessagingException("TES: mail " + mail.getName() + " has no usable client address '"
                + mail.getRemoteAddr() + "'", e);
        }
        String helo = mail.getAttribute(Mail.SMTP_HELO).map(attribute -> String.valueOf(attribute.getValue().value()))
            .orElse("");
        return new SmtpIdentity(client, helo, mail.getMaybeSender().asString(""));
    }

    /**
     * Authenticates the message of the mail, waiting for the result (the processor chain).
     *
     * @return the report, or empty when it took longer than {@code lookup.timeout} (the caller defers)
     */
    public Optional<AuthenticationReport> authenticate(Mail mail, SmtpIdentity identity) throws MessagingException {
        try {
            HeaderFields message = HeaderFields.parse(bytes(mail.getMessage()));
            // the whole message is here: nothing to start early, so no prefetch
            return timed(() -> authenticator.authenticate(message, BodyHashes.of(message), identity,
                authenticator.checkSpf(identity)), identity, mail.getName()).join();
        } catch (CompletionException e) {
            throw new MessagingException("TES authentication of mail " + mail.getName() + " failed: "
                + e.getCause(), e);
        }
    }

    /**
     * Starts the SPF check of an SMTP identity, as soon as MAIL FROM is known; the result comes with how long it
     * holds for the same identity ({@link SpfVerifier.Held}).
     */
    public CompletableFuture<SpfVerifier.Held> startSpf(SmtpIdentity identity) {
        return authenticator.checkSpfHeld(identity).toCompletableFuture();
    }

    /** The DKIM body hashes that authenticating a message with this header needs (see {@link #start}). */
    public Set<BodyHashes.Key> bodyHashesNeeded(HeaderFields header, SmtpIdentity identity) {
        return authenticator.bodyHashesNeeded(header, identity);
    }

    /**
     * Starts the DKIM key lookups of a complete header and takes the DMARC policy of its Author Domain from
     * {@code policies} (see {@link MessageAuthenticator#prefetch(HeaderFields, SmtpIdentity, Function)}).
     */
    public MessageAuthenticator.Prefetched prefetch(
            HeaderFields header, SmtpIdentity identity,
            Function<String, ? extends CompletionStage<DmarcPolicyDiscovery.Outcome>> policies) {
        return authenticator.prefetch(header, identity, policies);
    }

    /** Starts the discovery of the DMARC policy of an Author Domain, with how long its outcome holds. */
    public CompletableFuture<DmarcPolicyDiscovery.Held> discoverPolicy(String authorDomain) {
        return authenticator.discoverPolicy(authorDomain).toCompletableFuture();
    }

    /**
     * Starts authenticating a message, given as the lookups {@link #prefetch} started for its header and its body
     * hashes (computed while it streamed in, for the keys of {@link #bodyHashesNeeded}), without waiting for the
     * result.
     *
     * @param spf the SPF check of the identity, started earlier by {@link #startSpf}
     * @param what the mail or session in log lines
     * @return the report, or empty when there was none within {@code lookup.timeout} (the caller defers); the
     *     future completes by then, on a TES thread
     */
    public CompletableFuture<Optional<AuthenticationReport>> start(MessageAuthenticator.Prefetched prefetched,
                                                                   BodyHashes bodies, SmtpIdentity identity,
                                                                   CompletableFuture<SpfCheck> spf, String what) {
        return timed(() -> authenticator.authenticate(prefetched, bodies, identity, spf), identity, what);
    }

    /** The authentication {@code started} starts, timed, counted and cut off at {@code lookup.timeout}. */
    private CompletableFuture<Optional<AuthenticationReport>> timed(
            Supplier<CompletionStage<AuthenticationReport>> started, SmtpIdentity identity, String what) {
        TimeMetric timer = metrics.timer("tes.auth.time");
        return started.get().toCompletableFuture()
            .thenApply(report -> {
                count(report);
                return Optional.of(report);
            })
            .completeOnTimeout(Optional.empty(), deadline.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((report, error) -> {
                timer.stopAndPublish();
                if (report != null && report.isEmpty()) {
                    metrics.generate("tes.auth.timeout").increment();
                    LOGGER.info("TES authentication of {} from {}: no result within {}", what, identity.mailFrom(),
                        deadline);
                }
            });
    }

    private void count(AuthenticationReport report) {
        if (report.dkim().signatures().isEmpty()) {
            dkimNone.increment();
        }
        report.dkim().signatures().forEach(signature -> dkimCounts.get(signature.result()).increment());
        spfCounts.get(report.spf().result()).increment();
        dmarcCounts.get(report.dmarc().result()).increment();
    }

    /**
     * Stamps the report on the mail: the {@code Authentication-Results} header at the top (forged ones removed)
     * and the {@code tes.auth.*} attributes.
     *
     * @return how many forged {@code Authentication-Results} headers were removed
     */
    public int stamp(Mail mail, AuthenticationReport report) throws MessagingException {
        return stamp(mail, report, AuthenticationResultsHeader.render(authservId, report));
    }

    /**
     * {@link #stamp(Mail, AuthenticationReport)} with the report already rendered
     * ({@code AuthenticationResultsHeader.render} with our authserv-id), for a caller that logs it too.
     */
    public int stamp(Mail mail, AuthenticationReport report, String rendered) throws MessagingException {
        StampedCopy.Copy stamped = StampedCopy.of(mail.getMessage(),
            AuthenticationResultsHeader.NAME + ": " + AuthenticationResultsHeader.fold(rendered) + "\r\n",
            AuthenticationResultsHeader.NAME, value -> AuthenticationResultsHeader.claims(value, authservId));
        if (mail instanceof MailImpl james) {
            // the copy is James's own kind of message already: no second copy
            james.setMessageNoCopy(stamped.message());
        } else {
            mail.setMessage(stamped.message());
        }
        int forged = stamped.removed();
        TesMailAttributes.writeAuthentication(mail, AuthenticationOutcome.of(report.dkim(), report.dmarc()));
        if (forged > 0) {
            metrics.generate("tes.auth.forged-removed").increment();
        }
        if (stamped.orphans() > 0) {
            metrics.generate("tes.auth.orphan-continuation-removed").increment();
            LOGGER.info("TES mail {}: removed the continuation line(s) the header started with, which would have"
                + " continued our {} field", mail.getName(), AuthenticationResultsHeader.NAME);
        }
        return forged;
    }

    private static byte[] bytes(MimeMessage message) throws MessagingException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(message.getSize(), 0) + 1024);
            message.writeTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new MessagingException("TES: cannot read the message: " + e.getMessage(), e);
        }
    }
}
