package org.tesjames.core.tlsrpt;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the socket factories of the outbound delivery record the outcome of each TLS session: the delivery code
 * binds the recorder and the policy of each MX host of the destination to the delivering thread (JavaMail creates
 * the factories by class name and gives them nothing but the host name); the factories report successes and
 * failures by host name. A host without a bound policy is not recorded.
 */
public final class SessionOutcomes {
    private static final ThreadLocal<Bound> CURRENT = new ThreadLocal<>();

    private SessionOutcomes() {
    }

    private record Bound(TlsResultRecorder recorder, Map<String, TlsPolicy> policies, Map<String, Refusal> refusals) {
    }

    /**
     * How the refusal of a host (no session attempted) is reported.
     *
     * @param policy the policy the host was refused under
     * @param type the result type
     */
    public record Refusal(TlsPolicy policy, ResultType type) {
        public Refusal {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * Binds the recorder and the host policies of one destination to the current thread, replacing the previous
     * binding.
     *
     * @param recorder the recorder
     * @param policies MX host name (lower case, no trailing dot) to the policy its sessions are reported under
     */
    public static void bind(TlsResultRecorder recorder, Map<String, TlsPolicy> policies) {
        bind(recorder, policies, Map.of());
    }

    /**
     * Binds the recorder, the host policies and the reported refusals of one destination to the current thread.
     *
     * @param recorder the recorder
     * @param policies MX host name to the policy its sessions are reported under
     * @param refusals refused MX host name to how each refusal is reported (hosts not named are not reported)
     */
    public static void bind(TlsResultRecorder recorder, Map<String, TlsPolicy> policies,
                            Map<String, Refusal> refusals) {
        CURRENT.set(new Bound(Objects.requireNonNull(recorder, "recorder"), Map.copyOf(policies),
            Map.copyOf(refusals)));
    }

    /**
     * The delivery refused {@code host} without a session (its plan says so): a failure if the bound refusals
     * name it.
     *
     * @param host the MX host name
     * @param ip its address, if known
     * @param reason one line
     */
    public static void refused(String host, Optional<String> ip, String reason) {
        Bound bound = CURRENT.get();
        Refusal refusal = bound == null ? null : bound.refusals().get(key(host));
        if (refusal != null) {
            bound.recorder().failure(refusal.policy(), FailureDetail.of(refusal.type(), key(host), ip,
                Optional.of(reason)));
        }
    }

    /** Removes the binding of the current thread. */
    public static void clear() {
        CURRENT.remove();
    }

    /**
     * A TLS session with {@code host} was established as its policy asks.
     *
     * @param host the MX host name
     */
    public static void success(String host) {
        lookup(host).ifPresent(bound -> bound.recorder().success(bound.policies().get(key(host))));
    }

    /**
     * A TLS session with {@code host} failed.
     *
     * @param host the MX host name
     * @param ip its address, if known
     * @param type the result type
     * @param reason one line; null or blank (an exception without message) records no {@code failure-reason-code}
     */
    public static void failure(String host, Optional<String> ip, ResultType type, String reason) {
        lookup(host).ifPresent(bound -> bound.recorder().failure(bound.policies().get(key(host)),
            FailureDetail.of(type, key(host), ip, Optional.ofNullable(reason).filter(text -> !text.isBlank()))));
    }

    private static Optional<Bound> lookup(String host) {
        Bound bound = CURRENT.get();
        return bound != null && bound.policies().containsKey(key(host)) ? Optional.of(bound) : Optional.empty();
    }

    private static String key(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
