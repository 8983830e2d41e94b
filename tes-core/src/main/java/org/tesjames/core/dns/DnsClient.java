package org.tesjames.core.dns;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.xbill.DNS.Name;

/**
 * Asynchronous DNS queries with typed outcomes. The returned stage always completes normally with a
 * {@link DnsResult}: failures are outcomes, not exceptions.
 */
@FunctionalInterface
public interface DnsClient {
    CompletionStage<DnsResult> query(Name name, int type);

    /**
     * The answer this client has at hand for a question, without asking anything upstream: a cache's fresh entry.
     * A client without a cache has none.
     *
     * @param name the name
     * @param type the record type
     * @return the answer {@link #query} would give at once without sending a query, or empty
     */
    default Optional<DnsResult> cached(Name name, int type) {
        return Optional.empty();
    }

    /**
     * Asks one question and blocks for the answer, at most {@code timeout}: for the callers that may block (delivery,
     * WebAdmin, health checks, reporting, the command line; never an SMTP event loop). No answer in that time is a
     * {@link DnsResult.Failure.Kind#TIMEOUT} failure, a stage completed exceptionally a
     * {@link DnsResult.Failure.Kind#NETWORK_ERROR} one; an interrupt ends the wait as a timeout and keeps the
     * thread's interrupt flag.
     *
     * @param name the name
     * @param type the record type
     * @param timeout the longest wait
     * @return the outcome, never null
     */
    default DnsResult await(Name name, int type, Duration timeout) {
        long millis = Math.max(0, timeout.toMillis());
        try {
            return query(name, type).toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new DnsResult.Failure(name, type, DnsResult.Failure.Kind.TIMEOUT,
                "no answer within " + millis + " ms");
        } catch (ExecutionException e) {
            return new DnsResult.Failure(name, type, DnsResult.Failure.Kind.NETWORK_ERROR, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DnsResult.Failure(name, type, DnsResult.Failure.Kind.TIMEOUT, "interrupted");
        }
    }
}
