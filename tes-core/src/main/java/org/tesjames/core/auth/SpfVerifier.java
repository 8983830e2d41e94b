package org.tesjames.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.dmarc.SpfResult;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.membership.DomainNames;
import org.tesjames.core.spf.SpfCheckHost;

/**
 * SPF (RFC 7208) for one SMTP transaction: {@code check_host()} of the MAIL FROM identity, or of the HELO
 * identity when MAIL FROM is the null sender (section 2.4: the sender is then {@code postmaster@<HELO>}).
 * The project's own evaluator ({@link SpfCheckHost}) runs every DNS lookup through the project's {@link DnsClient}.
 *
 * <ul>
 *   <li>An identity whose domain is not a valid multi-label domain name (or a null sender with no HELO) is
 *       {@code none} without any lookup (section 4.3). An empty local part is {@code postmaster} (section 4.3); a
 *       quoted one ({@code "a b"@example.com}) is read without its quotes.</li>
 *   <li>A DNS failure (SERVFAIL, REFUSED, timeout, network error) is {@code temperror}; so is an evaluation that
 *       does not finish within the deadline given to the constructor. The stage never completes
 *       exceptionally.</li>
 *   <li>Malformed records, several SPF records, more than 10 DNS-querying terms, more than 2 void lookups and an
 *       {@code mx} of more than 10 MX records (sections 4.6 and 4.6.4) are {@code permerror}.</li>
 *   <li>For {@code fail}, the domain owner's explanation ({@code exp=}) is fetched within what is left of the
 *       deadline; without it in time the result stays {@code fail} (section 6.2).</li>
 *   <li>The reason and the explanation are printable ASCII (anything else becomes {@code ?}) of at most
 *       {@value SpfCheck#REASON_LENGTH} characters: they quote DNS data and the client's own words.</li>
 * </ul>
 */
public final class SpfVerifier {
    /** How long one evaluation may take by default, all of its lookups included. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(20);
    private static final Logger LOGGER = LoggerFactory.getLogger(SpfVerifier.class);

    private final SpfCheckHost checkHost;
    private final Duration deadline;

    /** An SPF verifier with {@link #DEFAULT_DEADLINE} and an unknown receiving host name. */
    public SpfVerifier(DnsClient dns) {
        this(dns, DEFAULT_DEADLINE, SpfCheckHost.UNKNOWN_RECEIVER);
    }

    /**
     * @param dns the DNS client all lookups go through
     * @param deadline how long one evaluation may take, all lookups included; beyond it the result is
     *     {@code temperror}
     * @param receivingDomain this host's name, for the {@code %{r}} macro ({@code unknown} if not known)
     */
    public SpfVerifier(DnsClient dns, Duration deadline, String receivingDomain) {
        this.deadline = Objects.requireNonNull(deadline);
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive: " + deadline);
        }
        this.checkHost = new SpfCheckHost(dns, receivingDomain, Clock.systemUTC());
    }

    /**
     * A check and how long it holds for the same identity: the shortest TTL of the DNS answers its evaluation read;
     * zero for {@code temperror}, for a {@code fail} that carries the domain owner's explanation, and for a
     * result reached without a lookup.
     */
    public record Held(SpfCheck check, Duration ttl) {
        public Held {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(ttl, "ttl");
        }
    }

    /** Checks the identity; the stage always completes normally. */
    public CompletionStage<SpfCheck> check(SmtpIdentity id) {
        return checkHeld(id).thenApply(Held::check);
    }

    /** {@link #check}, with how long the result holds; the stage always completes normally. */
    public CompletionStage<Held> checkHeld(SmtpIdentity id) {
        Objects.requireNonNull(id);
        String identity = id.isNullSender() ? SpfCheck.HELO : SpfCheck.MAILFROM;
        String rawDomain = id.mailFromDomain();
        DomainNames.Normalised normalised = DomainNames.normalise(rawDomain);
        if (normalised.domain().isEmpty() || !normalised.domain().get().contains(".")) {
            String why = rawDomain.isEmpty() ? "no " + (id.isNullSender() ? "HELO name" : "MAIL FROM domain")
                : "'" + rawDomain + "' is not a valid multi-label domain name"
                    + (normalised.domain().isEmpty() ? " (" + normalised.problem() + ")" : "");
            return CompletableFuture.completedFuture(new Held(log(id, new SpfCheck(SpfResult.NONE, identity,
                rawDomain, safe(why + " (RFC 7208 section 4.3)"))), Duration.ZERO));
        }
        String domain = normalised.domain().get();
        String sender;
        if (id.isNullSender()) {
            sender = "postmaster@" + domain;
        } else {
            int at = id.mailFrom().lastIndexOf('@');
            String local = at <= 0 ? "" : unquoted(id.mailFrom().substring(0, at));
            sender = (local.isEmpty() ? "postmaster" : local) + "@" + domain;
        }
        long start = System.nanoTime();
        return checkHost.checkHost(id.clientIp(), domain, sender, id.helo().strip())
            .toCompletableFuture()
            .orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
            .thenCompose(outcome -> explained(outcome, identity, domain, start))
            .exceptionally(error -> {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
                String why = cause instanceof TimeoutException
                    ? "the evaluation did not finish within " + deadline : "the evaluation failed: " + cause;
                return new Held(new SpfCheck(SpfResult.TEMPERROR, identity, domain, safe(why)), Duration.ZERO);
            })
            .thenApply(held -> {
                log(id, held.check());
                return held;
            });
    }

    /**
     * A local part without its quotes: {@code "a b"} and {@code a b} are the same mailbox (RFC 5321 section
     * 4.1.2), and the {@code l} macro is the mailbox's local part.
     */
    private static String unquoted(String local) {
        if (local.length() < 2 || local.charAt(0) != '"' || local.charAt(local.length() - 1) != '"') {
            return local;
        }
        StringBuilder out = new StringBuilder(local.length());
        for (int i = 1; i < local.length() - 1; i++) {
            char c = local.charAt(i);
            if (c == '\\' && i + 1 < local.length() - 1) {
                c = local.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The check, with the explanation of a {@code fail} if it comes within the rest of the deadline. */
    private CompletionStage<Held> explained(SpfCheckHost.Outcome outcome, String identity, String domain,
                                            long start) {
        // a temperror comes from a failed lookup, whose TTL of zero the outcome already carries
        SpfCheck check = new SpfCheck(outcome.result(), identity, domain, safe(outcome.reason()));
        if (outcome.result() != SpfResult.FAIL) {
            return CompletableFuture.completedFuture(new Held(check, outcome.ttl()));
        }
        long left = Math.max(1, deadline.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return outcome.explanation().toCompletableFuture()
            .completeOnTimeout(Optional.empty(), left, TimeUnit.MILLISECONDS)
            .thenApply(explanation -> new Held(new SpfCheck(check.result(), identity, domain, check.reason(),
                explanation.map(SpfVerifier::safe)), explanation.isPresent() ? Duration.ZERO : outcome.ttl()));
    }

    /** Printable ASCII (anything else becomes {@code ?}), cut to {@value SpfCheck#REASON_LENGTH} characters. */
    static String safe(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), SpfCheck.REASON_LENGTH));
        for (int i = 0; i < text.length() && out.length() < SpfCheck.REASON_LENGTH; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e ? c : '?');
        }
        if (text.length() > SpfCheck.REASON_LENGTH) {
            out.setLength(SpfCheck.REASON_LENGTH - 3);
            out.append("...");
        }
        return out.toString();
    }

    private static SpfCheck log(SmtpIdentity id, SpfCheck check) {
        if (LOGGER.isDebugEnabled()) {
            // the keyword and the address are built for the log only: not for every message with DEBUG off
            LOGGER.debug("SPF {} for {} {} from {}: {}", check.result().keyword(), check.identity(), check.domain(),
                id.clientIp().getHostAddress(), check.reason());
        }
        return check;
    }
}
