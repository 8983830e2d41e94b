package org.tesjames.mailets;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

/**
 * One James counter per constant of an enum (a result, a mode), made once when a hook or mailet is built rather
 * than named and looked up for every message that counts one.
 */
public final class EnumCounters {
    private EnumCounters() {
    }

    /** The counters named {@code name.apply(constant)}, by constant; read-only, safe to share between threads. */
    public static <E extends Enum<E>> Map<E, Metric> of(MetricFactory metrics, Class<E> constants,
                                                        Function<E, String> name) {
        Map<E, Metric> counters = new EnumMap<>(constants);
        for (E constant : constants.getEnumConstants()) {
            counters.put(constant, metrics.generate(name.apply(constant)));
        }
        return counters;
    }
}
