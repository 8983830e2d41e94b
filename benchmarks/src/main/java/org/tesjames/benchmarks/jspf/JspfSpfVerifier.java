package org.tesjames.benchmarks.jspf;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.auth.SmtpIdentity;
import org.tesjames.core.auth.SpfCheck;
import org.tesjames.core.dmarc.SpfResult;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.membership.DomainNames;

/**
 * The SPF verification the project used before its own RFC 7208 evaluator ({@code org.tesjames.core.spf}), kept
 * as the baseline of {@code SpfBenchmark}: the same identity handling as {@code SpfVerifier} then, jSPF 1.0.3
 * evaluating the record ({@link SpfEvaluator}) with every DNS lookup through the project's {@link DnsClient}, a
 * deadline of 20 s. It deviates from RFC 7208 where jSPF does (README "SPF evaluation"); only the benchmark uses
 * it.
 */
public final class JspfSpfVerifier {
    private static final Logger LOGGER = LoggerFactory.getLogger(JspfSpfVerifier.class);

    private final Duration deadline = Duration.ofSeconds(20);
    private final SpfEvaluator evaluator;

    public JspfSpfVerifier(DnsClient dns) {
        this.evaluator = new SpfEvaluator(dns, SpfEvaluator.UNKNOWN_RECEIVER, deadline);
    }

    /**
     * Checks the identity; the stage always completes normally. The identity's domain must be a valid multi-label
     * name (the benchmark's are; {@code SpfVerifier} answers {@code none} for the others without evaluating).
     */
    public CompletionStage<SpfCheck> check(SmtpIdentity id) {
        Objects.requireNonNull(id);
        String identity = id.isNullSender() ? SpfCheck.HELO : SpfCheck.MAILFROM;
        DomainNames.Normalised normalised = DomainNames.normalise(id.mailFromDomain());
        if (normalised.domain().isEmpty() || !normalised.domain().get().contains(".")) {
            throw new IllegalArgumentException("not a domain to evaluate: " + id.mailFromDomain());
        }
        String domain = normalised.domain().get();
        String sender;
        if (id.isNullSender()) {
            sender = "postmaster@" + domain;
        } else {
            int at = id.mailFrom().lastIndexOf('@');
            String local = at <= 0 ? "postmaster" : id.mailFrom().substring(0, at);
            sender = local + "@" + domain;
        }
        return evaluator.evaluate(id.clientIp().getHostAddress(), sender, id.helo().strip())
            .toCompletableFuture()
            .orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
            .handle((result, error) -> {
                if (error != null) {
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    String why = cause instanceof java.util.concurrent.TimeoutException
                        ? "the evaluation did not finish within " + deadline : "the evaluation failed: " + cause;
                    return log(id, new SpfCheck(SpfResult.TEMPERROR, identity, domain, why));
                }
                return log(id, toCheck(result, identity, domain));
            });
    }

    private static SpfCheck toCheck(SpfEvaluator.Outcome outcome, String identity, String domain) {
        Optional<SpfResult> mapped = SpfResult.fromKeyword(outcome.result());
        if (mapped.isEmpty()) {
            return new SpfCheck(SpfResult.TEMPERROR, identity, domain, "jSPF gave no known result ("
                + outcome.result() + "): " + outcome.comment());
        }
        SpfResult result = mapped.get();
        String reason = outcome.comment();
        if ((result == SpfResult.PERMERROR || result == SpfResult.TEMPERROR) && outcome.error().isPresent()) {
            reason = outcome.error().get();
        }
        return new SpfCheck(result, identity, domain, reason);
    }

    private static SpfCheck log(SmtpIdentity id, SpfCheck check) {
        LOGGER.debug("SPF {} for {} {} from {}: {}", check.result().keyword(), check.identity(), check.domain(),
            id.clientIp().getHostAddress(), check.reason());
        return check;
    }
}
