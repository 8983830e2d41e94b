package org.tesjames.mailets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.tesjames.core.config.Durations;

/**
 * The parsed, immutable init parameters of {@link TesDefer}. {@link #parse} is strict: a malformed value is an
 * error naming the parameter and the value, never a silent fallback to the default.
 *
 * @param repository       where parked mails wait
 * @param delays           backoff per attempt: attempt {@code n} waits {@code delays[n-1]}, the last one repeats
 * @param maxAge           a mail older than this (since it was first deferred) is not parked again
 * @param checkInterval    pause between two scans of the repository
 * @param expiredProcessor where an expired mail goes; empty: bounce it to its sender
 * @param errorProcessor   where an expired mail without a sender (nobody to bounce to) goes
 * @param processor        where a due mail is re-injected; empty: the processor it was deferred in
 * @param claims           where the claims of parked mails live: {@code auto}, {@code in-process}, or a directory
 *                         ({@code file://} URL or absolute path)
 * @param claimLease       how long a file claim lasts without its holder
 */
record TesDeferConfiguration(MailRepositoryUrl repository, List<Duration> delays, Duration maxAge,
                             Duration checkInterval, Optional<String> expiredProcessor, String errorProcessor,
                             Optional<String> processor, String claims, Duration claimLease) {

    static final String REPOSITORY = "repository";
    static final String DELAYS = "delays";
    static final String MAX_AGE = "maxAge";
    static final String CHECK_INTERVAL = "checkInterval";
    static final String EXPIRED_PROCESSOR = "expiredProcessor";
    static final String ERROR_PROCESSOR = "errorProcessor";
    static final String PROCESSOR = "processor";
    static final String CLAIMS = "claims";
    static final String CLAIM_LEASE = "claimLease";
    static final List<String> PARAMETERS = List.of(REPOSITORY, DELAYS, MAX_AGE, CHECK_INTERVAL, EXPIRED_PROCESSOR,
        ERROR_PROCESSOR, PROCESSOR, CLAIMS, CLAIM_LEASE);

    static final String DEFAULT_REPOSITORY = "memory://var/mail/tes-deferred/";
    static final String DEFAULT_DELAYS = "5m, 15m, 30m, 1h";
    static final String DEFAULT_MAX_AGE = "5d";
    static final String DEFAULT_CHECK_INTERVAL = "30s";
    static final String DEFAULT_ERROR_PROCESSOR = "error";
    static final String DEFAULT_CLAIMS = "auto";
    static final String DEFAULT_CLAIM_LEASE = "5m";

    TesDeferConfiguration {
        Objects.requireNonNull(repository);
        delays = List.copyOf(delays);
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("at least one delay is needed");
        }
        Objects.requireNonNull(maxAge);
        Objects.requireNonNull(checkInterval);
        Objects.requireNonNull(expiredProcessor);
        Objects.requireNonNull(errorProcessor);
        Objects.requireNonNull(processor);
        Objects.requireNonNull(claims);
        Objects.requireNonNull(claimLease);
    }

    /**
     * Parses the parameters returned by {@code parameter} (null when absent).
     *
     * @throws IllegalArgumentException naming the parameter and its value when a value is malformed
     */
    static TesDeferConfiguration parse(Function<String, String> parameter) {
        return new TesDeferConfiguration(
            repository(valueOrDefault(parameter, REPOSITORY, DEFAULT_REPOSITORY)),
            delays(valueOrDefault(parameter, DELAYS, DEFAULT_DELAYS)),
            positiveDuration(MAX_AGE, valueOrDefault(parameter, MAX_AGE, DEFAULT_MAX_AGE)),
            positiveDuration(CHECK_INTERVAL, valueOrDefault(parameter, CHECK_INTERVAL, DEFAULT_CHECK_INTERVAL)),
            Optional.ofNullable(parameter.apply(EXPIRED_PROCESSOR)).map(value -> processor(EXPIRED_PROCESSOR, value)),
            processor(ERROR_PROCESSOR, valueOrDefault(parameter, ERROR_PROCESSOR, DEFAULT_ERROR_PROCESSOR)),
            Optional.ofNullable(parameter.apply(PROCESSOR)).map(value -> processor(PROCESSOR, value)),
            claims(valueOrDefault(parameter, CLAIMS, DEFAULT_CLAIMS)),
            positiveDuration(CLAIM_LEASE, valueOrDefault(parameter, CLAIM_LEASE, DEFAULT_CLAIM_LEASE)));
    }

    /** The wait before attempt {@code attempt} (1-based) is due; attempts past the list reuse its last delay. */
    Duration delayFor(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts start at 1, not " + attempt);
        }
        return delays.get(Math.min(attempt, delays.size()) - 1);
    }

    private static String valueOrDefault(Function<String, String> parameter, String name, String defaultValue) {
        String value = parameter.apply(name);
        return value == null ? defaultValue : value;
    }

    private static MailRepositoryUrl repository(String value) {
        if (value.isBlank() || !value.contains("://")) {
            throw bad(REPOSITORY, value, "expected a repository URL such as " + DEFAULT_REPOSITORY);
        }
        try {
            return MailRepositoryUrl.from(value.trim());
        } catch (IllegalArgumentException e) {
            throw bad(REPOSITORY, value, e.getMessage());
        }
    }

    private static String claims(String value) {
        if (value.equals("auto") || value.equals("in-process") || value.startsWith("file://")
            || value.startsWith("/")) {
            return value;
        }
        throw bad(CLAIMS, value, "expected auto, in-process, a file:// URL or an absolute path of a directory");
    }

    private static List<Duration> delays(String value) {
        List<Duration> delays = new ArrayList<>();
        for (String item : value.split(",", -1)) {
            if (item.isBlank()) {
                throw bad(DELAYS, value, "empty entry (expected a comma-separated list such as " + DEFAULT_DELAYS + ")");
            }
            delays.add(positiveDuration(DELAYS, item, value));
        }
        return delays;
    }

    private static Duration positiveDuration(String name, String value) {
        return positiveDuration(name, value, value);
    }

    private static Duration positiveDuration(String name, String item, String wholeValue) {
        Duration duration;
        try {
            duration = Durations.parse(item);
        } catch (IllegalArgumentException e) {
            throw bad(name, wholeValue, e.getMessage());
        }
        if (duration.isZero()) {
            throw bad(name, wholeValue, "a duration must be positive");
        }
        return duration;
    }

    private static String processor(String name, String value) {
        if (value.isBlank() || !value.equals(value.trim())) {
            throw bad(name, value, "expected a processor name");
        }
        return value;
    }

    private static IllegalArgumentException bad(String name, String value, String reason) {
        return new IllegalArgumentException("parameter '" + name + "' has a bad value '" + value + "': " + reason);
    }
}
