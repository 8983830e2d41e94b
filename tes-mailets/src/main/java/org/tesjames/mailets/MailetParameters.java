package org.tesjames.mailets;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;

/**
 * Strict reading of a mailet's init parameters: unknown names, malformed booleans and values outside a closed set
 * fail with a message naming the mailet, the parameter and the value; there is no silent default.
 */
final class MailetParameters {
    /** Parameters James itself interprets on every mailet. */
    private static final Set<String> JAMES_PARAMETERS = Set.of("onMailetException", "onMatchException");

    private final String mailet;
    private final MailetConfig config;

    private MailetParameters(String mailet, MailetConfig config) {
        this.mailet = mailet;
        this.config = config;
    }

    /** Fails when a parameter other than {@code known} (and James's own) is present. */
    static MailetParameters of(Class<?> mailet, MailetConfig config, String... known) throws MessagingException {
        Set<String> allowed = new TreeSet<>(List.of(known));
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> names = config.getInitParameterNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name) && !JAMES_PARAMETERS.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new MessagingException(mailet.getSimpleName() + ": unknown parameter(s) " + unknown
                + (allowed.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", allowed) + ")"));
        }
        return new MailetParameters(mailet.getSimpleName(), config);
    }

    Optional<String> optional(String name) throws MessagingException {
        String value = config.getInitParameter(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value.isBlank()) {
            throw fail(name, value, "must not be blank");
        }
        return Optional.of(value.trim());
    }

    String string(String name, String defaultValue) throws MessagingException {
        return optional(name).orElse(defaultValue);
    }

    boolean bool(String name, boolean defaultValue) throws MessagingException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw fail(name, value.get(), "must be true or false");
        };
    }

    /** One of {@code choices} (case-insensitive), returned in lower case. */
    String choice(String name, String defaultValue, String... choices) throws MessagingException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String lower = value.get().toLowerCase(Locale.ROOT);
        if (!List.of(choices).contains(lower)) {
            throw fail(name, value.get(), "must be one of " + String.join(", ", choices));
        }
        return lower;
    }

    MessagingException fail(String name, String value, String problem) {
        return new MessagingException(mailet + ": parameter " + name + "='" + value + "' " + problem);
    }
}
