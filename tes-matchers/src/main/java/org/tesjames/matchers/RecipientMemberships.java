package org.tesjames.matchers;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.james.core.MailAddress;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.membership.Step;

/** The membership of each distinct recipient domain of a mail, resolved concurrently within a deadline. */
final class RecipientMemberships {
    private RecipientMemberships() {
    }

    /**
     * @param resolver the membership resolver
     * @param deadline the time all lookups get together; unfinished ones become temporary failures
     * @param recipients the recipients
     * @return the verdict per lower-case recipient domain, in recipient order
     */
    static Map<String, MembershipVerdict> resolve(MembershipResolver resolver, Duration deadline,
                                                  Collection<MailAddress> recipients) {
        Map<String, CompletableFuture<MembershipVerdict>> pending = new LinkedHashMap<>();
        for (MailAddress recipient : recipients) {
            pending.computeIfAbsent(key(recipient), domain -> resolver.resolve(domain).toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
                .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Each domain is examined below: the unfinished ones become temporary failures.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, MembershipVerdict> verdicts = new LinkedHashMap<>();
        pending.forEach((domain, future) -> verdicts.put(domain, outcome(domain, future, deadline)));
        return verdicts;
    }

    private static MembershipVerdict outcome(String domain, CompletableFuture<MembershipVerdict> future,
                                             Duration deadline) {
        if (!future.isDone()) {
            future.cancel(false);
            return new MembershipVerdict.TemporaryFailure(domain, Step.DEADLINE,
                "no verdict within " + deadline.toMillis() + " ms");
        }
        try {
            return future.join();
        } catch (RuntimeException e) {
            throw new IllegalStateException("membership resolution of " + domain + " failed", e);
        }
    }

    static String key(MailAddress recipient) {
        return recipient.getDomain().asString().toLowerCase(Locale.ROOT);
    }

}
