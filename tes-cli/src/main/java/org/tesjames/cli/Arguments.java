package org.tesjames.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The arguments of a command that takes one positional argument (a domain) and options: a valued option takes its
 * value as the next argument or after {@code =} ({@code --timeout=2s}); a flag takes none. Options are kept in the
 * order given, for the command to read (and to refuse repeats where it must).
 *
 * @param positional the positional argument, or null when none was given
 * @param options the options in order
 */
record Arguments(String positional, List<Option> options) {

    /**
     * One option.
     *
     * @param name the option, e.g. {@code --timeout}
     * @param value its value; null when none was given (a flag, or a valued option last on the line)
     */
    record Option(String name, String value) {
    }

    /**
     * @param command the command name, for messages
     * @param args the arguments after the command name
     * @param valued the options that take a value
     * @param flags the options that take none
     * @param expected the known options as a message names them ({@code --a, --b or --c})
     * @return the arguments
     * @throws IllegalArgumentException for two positional arguments or an unknown option, at the first one
     */
    static Arguments parse(String command, List<String> args, Set<String> valued, Set<String> flags,
                           String expected) {
        String positional = null;
        List<Option> options = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-")) {
                if (positional != null) {
                    throw new IllegalArgumentException(command + " takes one domain, got '" + positional + "' and '"
                        + arg + "'");
                }
                positional = arg;
                continue;
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            if (!valued.contains(name) && !flags.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "' for " + command + " (expected "
                    + expected + ")");
            }
            String value = equals >= 0 ? arg.substring(equals + 1)
                : valued.contains(name) && i + 1 < args.size() ? args.get(++i) : null;
            options.add(new Option(name, value));
        }
        return new Arguments(positional, options);
    }
}
