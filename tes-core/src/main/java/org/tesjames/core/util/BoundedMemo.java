package org.tesjames.core.util;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Remembers the results of a pure function (same key, same result, no side effect) for keys seen often, such as
 * the domain names of the mail a server receives. Bounded twice: a key longer than {@code maxKeyLength} characters
 * is computed every time and never kept, and once {@code capacity} results are kept the next new key empties the
 * memo (what a sender sees is the same either way; only the cost differs). Safe for concurrent use; two threads
 * may compute the same key at once.
 *
 * @param <V> the result type: immutable, never null
 */
public final class BoundedMemo<V> {
    private final Function<String, V> function;
    private final int capacity;
    private final int maxKeyLength;
    private final ConcurrentHashMap<String, V> results;

    public BoundedMemo(Function<String, V> function, int capacity, int maxKeyLength) {
        if (capacity < 1 || maxKeyLength < 0) {
            throw new IllegalArgumentException("capacity " + capacity + ", max key length " + maxKeyLength);
        }
        this.function = Objects.requireNonNull(function);
        this.capacity = capacity;
        this.maxKeyLength = maxKeyLength;
        this.results = new ConcurrentHashMap<>();
    }

    /** The function's result for {@code key}. */
    public V apply(String key) {
        if (key.length() > maxKeyLength) {
            return function.apply(key);
        }
        V known = results.get(key);
        if (known != null) {
            return known;
        }
        V result = Objects.requireNonNull(function.apply(key));
        if (results.size() >= capacity) {
            results.clear();
        }
        results.put(key, result);
        return result;
    }

    /** How many results are kept now (for tests). */
    public int size() {
        return results.size();
    }
}
