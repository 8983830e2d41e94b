package org.tesjames.core.spf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.tesjames.core.dmarc.SpfResult;
import org.xbill.DNS.Address;

/**
 * An SPF record (RFC 7208 sections 4.5 to 6) parsed in full before it is evaluated: a syntax error anywhere
 * (unknown mechanism, bad CIDR length or address, a domain-spec without a valid top label, a bad macro, a
 * character outside printable ASCII, {@code redirect=} or {@code exp=} twice) makes the whole record invalid
 * (section 4.6), whatever comes first.
 *
 * @param mechanisms the mechanisms in order
 * @param redirect the {@code redirect=} domain-spec, if any
 * @param explanation the {@code exp=} domain-spec, if any
 */
record SpfRecord(List<Mechanism> mechanisms, Optional<MacroString> redirect, Optional<MacroString> explanation) {
    private static final String VERSION = "v=spf1";
    private static final Pattern MODIFIER_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final Pattern MECHANISM_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    private static final Pattern IP4 = Pattern.compile(
        "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final String CIDR = "(0|[1-9][0-9]{0,2})";
    /** A domain-spec (lazy) and an optional dual CIDR length at its end. */
    private static final Pattern DOMAIN_AND_CIDR = Pattern.compile("(.*?)(?:/" + CIDR + ")?(?://" + CIDR + ")?");
    private static final Pattern DUAL_CIDR = Pattern.compile("(?:/" + CIDR + ")?(?://" + CIDR + ")?");
    private static final Pattern SINGLE_CIDR = Pattern.compile("/" + CIDR);
    private static final Pattern TOP_LABEL = Pattern.compile(
        "[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]");

    /** A mechanism's qualifier and the result it gives when the mechanism matches (section 4.6.2). */
    enum Qualifier {
        PASS(SpfResult.PASS), FAIL(SpfResult.FAIL), SOFTFAIL(SpfResult.SOFTFAIL), NEUTRAL(SpfResult.NEUTRAL);

        private final SpfResult result;

        Qualifier(SpfResult result) {
            this.result = result;
        }

        SpfResult result() {
            return result;
        }

        static Optional<Qualifier> of(char c) {
            return switch (c) {
                case '+' -> Optional.of(PASS);
                case '-' -> Optional.of(FAIL);
                case '~' -> Optional.of(SOFTFAIL);
                case '?' -> Optional.of(NEUTRAL);
                default -> Optional.empty();
            };
        }
    }

    /** A mechanism (section 5); {@link #text()} is the term as written, for reasons and logs. */
    sealed interface Mechanism {
        Qualifier qualifier();

        String text();

        /** Whether evaluating it queries the DNS, and so counts against the limit of 10 (section 4.6.4). */
        default boolean queriesDns() {
            return !(this instanceof All) && !(this instanceof Ip);
        }
    }

    record All(Qualifier qualifier, String text) implements Mechanism {
    }

    record Include(Qualifier qualifier, String text, MacroString domain) implements Mechanism {
    }

    /** {@code a} and {@code mx}: the target's addresses, or those of its mail exchangers. */
    record Addresses(Qualifier qualifier, String text, boolean mx, Optional<MacroString> domain, int cidr4,
                     int cidr6) implements Mechanism {
    }

    record Ptr(Qualifier qualifier, String text, Optional<MacroString> domain) implements Mechanism {
    }

    /** {@code ip4} (a 4-octet network) and {@code ip6} (16 octets). */
    record Ip(Qualifier qualifier, String text, byte[] network, int prefix) implements Mechanism {
    }

    record Exists(Qualifier qualifier, String text, MacroString domain) implements Mechanism {
    }

    /** Section 4.5: a TXT record is an SPF record when it starts with {@code v=spf1} and a space or its end. */
    static boolean isSpfRecord(String text) {
        return text.regionMatches(true, 0, VERSION, 0, VERSION.length())
            && (text.length() == VERSION.length() || text.charAt(VERSION.length()) == ' ');
    }

    /**
     * Parses an SPF record ({@link #isSpfRecord(String)} is true).
     *
     * @throws SpfSyntaxException with the first problem found
     */
    static SpfRecord parse(String text) {
        List<Mechanism> mechanisms = new ArrayList<>();
        Optional<MacroString> redirect = Optional.empty();
        Optional<MacroString> explanation = Optional.empty();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new SpfSyntaxException("character " + String.format("U+%04X", (int) c)
                    + " (only printable ASCII and spaces, RFC 7208 sections 3.1 and 4.6.1)");
            }
        }
        for (String term : text.substring(VERSION.length()).split(" ")) {
            if (term.isEmpty()) {
                continue;
            }
            int equals = term.indexOf('=');
            if (equals > 0 && MODIFIER_NAME.matcher(term.substring(0, equals)).matches()) {
                String name = term.substring(0, equals).toLowerCase(Locale.ROOT);
                String value = term.substring(equals + 1);
                switch (name) {
                    case "redirect" -> {
                        if (redirect.isPresent()) {
                            throw new SpfSyntaxException("redirect= twice (RFC 7208 section 6)");
                        }
                        redirect = Optional.of(domainSpec(value, term));
                    }
                    case "exp" -> {
                        if (explanation.isPresent()) {
                            throw new SpfSyntaxException("exp= twice (RFC 7208 section 6)");
                        }
                        explanation = Optional.of(domainSpec(value, term));
                    }
                    default -> MacroString.parse(value, MacroString.Use.UNKNOWN_MODIFIER);
                }
                continue;
            }
            mechanisms.add(mechanism(term));
        }
        return new SpfRecord(List.copyOf(mechanisms), redirect, explanation);
    }

    private static Mechanism mechanism(String term) {
        Optional<Qualifier> explicit = Qualifier.of(term.charAt(0));
        Qualifier qualifier = explicit.orElse(Qualifier.PASS);
        String body = explicit.isPresent() ? term.substring(1) : term;
        int end = 0;
        while (end < body.length() && body.charAt(end) != ':' && body.charAt(end) != '/') {
            end++;
        }
        String name = body.substring(0, end);
        String rest = body.substring(end);
        if (!MECHANISM_NAME.matcher(name).matches()) {
            throw new SpfSyntaxException("unknown term '" + term + "'");
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "all" -> {
                requireEmpty(rest, term);
                return new All(qualifier, term);
            }
            case "include" -> {
                return new Include(qualifier, term, domainSpec(argument(rest, term), term));
            }
            case "exists" -> {
                return new Exists(qualifier, term, domainSpec(argument(rest, term), term));
            }
            case "ptr" -> {
                return new Ptr(qualifier, term, rest.isEmpty() ? Optional.empty()
                    : Optional.of(domainSpec(argument(rest, term), term)));
            }
            case "a", "mx" -> {
                boolean mx = name.equalsIgnoreCase("mx");
                if (rest.startsWith(":")) {
                    Matcher matcher = DOMAIN_AND_CIDR.matcher(rest.substring(1));
                    if (!matcher.matches()) {
                        throw new SpfSyntaxException("bad term '" + term + "'");
                    }
                    return new Addresses(qualifier, term, mx, Optional.of(domainSpec(matcher.group(1), term)),
                        cidr(matcher.group(2), 32, term), cidr(matcher.group(3), 128, term));
                }
                Matcher matcher = DUAL_CIDR.matcher(rest);
                if (!matcher.matches()) {
                    throw new SpfSyntaxException("bad CIDR length in '" + term + "'");
                }
                return new Addresses(qualifier, term, mx, Optional.empty(), cidr(matcher.group(1), 32, term),
                    cidr(matcher.group(2), 128, term));
            }
            case "ip4" -> {
                String argument = argument(rest, term);
                int slash = argument.indexOf('/');
                String address = slash < 0 ? argument : argument.substring(0, slash);
                if (!IP4.matcher(address).matches()) {
                    throw new SpfSyntaxException("bad IPv4 network in '" + term + "'");
                }
                return new Ip(qualifier, term, Address.toByteArray(address, Address.IPv4),
                    slash < 0 ? 32 : cidrOnly(argument.substring(slash), 32, term));
            }
            case "ip6" -> {
                String argument = argument(rest, term);
                int slash = argument.indexOf('/');
                String address = slash < 0 ? argument : argument.substring(0, slash);
                byte[] network = address.indexOf(':') < 0 ? null : Address.toByteArray(address, Address.IPv6);
                if (network == null) {
                    throw new SpfSyntaxException("bad IPv6 network in '" + term + "'");
                }
                return new Ip(qualifier, term, network, slash < 0 ? 128 : cidrOnly(argument.substring(slash), 128,
                    term));
            }
            default -> throw new SpfSyntaxException("unknown mechanism '" + term + "'");
        }
    }

    private static void requireEmpty(String rest, String term) {
        if (!rest.isEmpty()) {
            throw new SpfSyntaxException("'" + term + "' takes no argument");
        }
    }

    private static String argument(String rest, String term) {
        if (!rest.startsWith(":") || rest.length() == 1) {
            throw new SpfSyntaxException("'" + term + "' needs ':' and a value");
        }
        return rest.substring(1);
    }

    private static int cidrOnly(String suffix, int max, String term) {
        Matcher matcher = SINGLE_CIDR.matcher(suffix);
        if (!matcher.matches()) {
            throw new SpfSyntaxException("bad CIDR length in '" + term + "'");
        }
        return cidr(matcher.group(1), max, term);
    }

    private static int cidr(String digits, int max, String term) {
        if (digits == null) {
            return max;
        }
        int length = Integer.parseInt(digits);
        if (length > max) {
            throw new SpfSyntaxException("CIDR length " + length + " over " + max + " in '" + term + "'");
        }
        return length;
    }

    /** Section 7.1: {@code domain-spec = macro-string domain-end}, ending with a macro or "." and a top label. */
    private static MacroString domainSpec(String text, String term) {
        if (text.isEmpty()) {
            throw new SpfSyntaxException("empty domain in '" + term + "'");
        }
        MacroString spec = MacroString.parse(text, MacroString.Use.DOMAIN);
        if (spec.endsWithMacro()) {
            return spec;
        }
        String tail = spec.literalTail();
        if (tail.endsWith(".")) {
            tail = tail.substring(0, tail.length() - 1);
        }
        int dot = tail.lastIndexOf('.');
        if (dot < 0 || !TOP_LABEL.matcher(tail.substring(dot + 1)).matches()) {
            throw new SpfSyntaxException("'" + text + "' does not end with a valid top label in '" + term + "'");
        }
        return spec;
    }
}
