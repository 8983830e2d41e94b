package org.tesjames.mailets.smtp;

import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/** Strict checking of an SMTP handler's parameters (the children of its {@code <handler>} element). */
final class HookParameters {
    private HookParameters() {
    }

    static void requireOnly(Class<?> handler, Configuration config, String... known) throws ConfigurationException {
        Set<String> allowed = new TreeSet<>(Set.of(known));
        for (Iterator<String> keys = config.getKeys(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("[@class]") && !allowed.contains(key)) {
                throw new ConfigurationException(handler.getName() + ": unknown parameter '" + key + "'"
                    + (allowed.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", allowed) + ")"));
            }
        }
    }
}
