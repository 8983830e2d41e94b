package org.tesjames.core.membership;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import org.tesjames.core.util.BoundedMemo;

/**
 * Normalises a mail domain for DNS: lower case, no trailing dot, internationalised labels converted to
 * A-labels (IDNA 2003 with STD3 rules, as {@link IDN} implements). Anything that is not a host name of at least
 * two labels (an address literal, an empty label, a label over 63 octets, a name over 253 octets, characters
 * outside letters, digits and hyphen) is refused with a reason.
 */
public final class DomainNames {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    /**
     * The results kept for the names seen often (a message's domains are normalised several times: membership,
     * SPF, DMARC); IDN conversion and the label checks allocate more than the rest of a cached lookup.
     */
    private static final BoundedMemo<Normalised> KNOWN = new BoundedMemo<>(DomainNames::compute, 4096, 300);

    private DomainNames() {
    }

    /** The result of normalising: the A-label form, or the reason it is not a valid domain. */
    public record Normalised(Optional<String> domain, String problem) {
        static Normalised valid(String domain) {
            return new Normalised(Optional.of(domain), "");
        }

        static Normalised invalid(String problem) {
            return new Normalised(Optional.empty(), problem);
        }
    }

    public static Normalised normalise(String input) {
        if (input == null || input.isBlank()) {
            return Normalised.invalid("empty domain");
        }
        return KNOWN.apply(input);
    }

    private static Normalised compute(String input) {
        String text = input.trim();
        if (text.startsWith("[")) {
            return Normalised.invalid("address literal " + text + " is not a domain");
        }
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(text, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Normalised.invalid("'" + input + "' is not a valid domain name: " + e.getMessage());
        }
        if (ascii.length() > 253) {
            return Normalised.invalid("'" + input + "' is longer than 253 octets");
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            return Normalised.invalid("'" + input + "' is not a fully-qualified domain (one label)");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return Normalised.invalid("'" + input + "' has an invalid label '" + label + "'");
            }
        }
        return Normalised.valid(ascii);
    }
}
