package org.tesjames.core.dane.tls;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The connection policies {@link DaneSocketFactory} looks up by host name, since JavaMail creates that factory
 * by class name and passes it nothing but the host. Static and thread-safe; populated by the delivery code
 * before it connects, and cleaned up by closing the returned {@link Registration}.
 *
 * <p>Lookup order for a host (case-insensitive, trailing dot ignored):
 * <ol>
 * <li>a policy bound to the current thread ({@link #bindToCurrentThread}): JavaMail calls the factory on the
 * thread that called {@code Transport.connect}, so this is exact even when two deliveries to the same MX host
 * need different policies (e.g. a member's next-hop domain requires TLS 1.2, another's does not);</li>
 * <li>a process-wide policy ({@link #register});</li>
 * <li>none: the factory fails closed with an {@link java.io.IOException}.</li>
 * </ol>
 */
public final class DaneConnectionPolicies {
    private static final ConcurrentMap<String, DaneConnectionPolicy> GLOBAL = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<String, DaneConnectionPolicy>> THREAD = ThreadLocal.withInitial(HashMap::new);

    private DaneConnectionPolicies() {
    }

    /** Removes a registration; idempotent, never throws. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Registers a policy for a host for every thread, replacing any previous one.
     *
     * @param host the host name JavaMail connects to (the MX host name)
     * @param policy the policy
     * @return closing it removes the policy, unless another one replaced it meanwhile
     */
    public static Registration register(String host, DaneConnectionPolicy policy) {
        String key = normalise(host);
        Objects.requireNonNull(policy, "policy");
        GLOBAL.put(key, policy);
        return () -> GLOBAL.remove(key, policy);
    }

    /**
     * Binds a policy for a host to the current thread, taking precedence over {@link #register}.
     *
     * @param host the host name JavaMail connects to (the MX host name)
     * @param policy the policy
     * @return closing it (on the same thread) removes the binding, unless another one replaced it meanwhile
     */
    public static Registration bindToCurrentThread(String host, DaneConnectionPolicy policy) {
        String key = normalise(host);
        Objects.requireNonNull(policy, "policy");
        Map<String, DaneConnectionPolicy> bound = THREAD.get();
        bound.put(key, policy);
        return () -> {
            bound.remove(key, policy);
            if (bound.isEmpty()) {
                THREAD.remove();
            }
        };
    }

    /**
     * The policy for a host.
     *
     * @param host the host name
     * @return the thread-bound policy, else the registered one, else empty
     */
    public static Optional<DaneConnectionPolicy> lookup(String host) {
        if (host == null || host.isEmpty()) {
            return Optional.empty();
        }
        String key = normalise(host);
        DaneConnectionPolicy bound = THREAD.get().get(key);
        if (bound == null && THREAD.get().isEmpty()) {
            THREAD.remove();
        }
        return Optional.ofNullable(bound != null ? bound : GLOBAL.get(key));
    }

    private static String normalise(String host) {
        Objects.requireNonNull(host, "host");
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
