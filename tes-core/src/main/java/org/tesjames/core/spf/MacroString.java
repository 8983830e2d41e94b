package org.tesjames.core.spf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code macro-string} of RFC 7208 section 7.1: literal text and macros ({@code %{d}}, {@code %{ir}},
 * {@code %{l1r-}}, {@code %%}, {@code %_}, {@code %-}), checked once when the record is parsed and expanded per
 * evaluation (section 7.3). Which macro letters are allowed depends on where the string appears
 * ({@link Use}): {@code c}, {@code r} and {@code t} only in explanation text.
 */
final class MacroString {
    /** Where a macro string appears, and so which characters and macro letters it may hold. */
    enum Use {
        /** The domain-spec of a mechanism or of {@code redirect=} / {@code exp=}: letters {@code slodiphv}. */
        DOMAIN("slodiphv", false),
        /** The value of an unknown modifier: every macro letter (section 7.1's ABNF). */
        UNKNOWN_MODIFIER("slodiphvcrt", false),
        /** The text of the explanation TXT record (section 6.2): every letter, and spaces. */
        EXPLANATION("slodiphvcrt", true);

        private final String letters;
        private final boolean spaces;

        Use(String letters, boolean spaces) {
            this.letters = letters;
            this.spaces = spaces;
        }
    }

    /** The values macros expand to (section 7.3). */
    interface Values {
        /** The value of a macro letter (lower case), before transformation. */
        String value(char letter);
    }

    /** A piece of a macro string. */
    private sealed interface Token {
    }

    private record Literal(String text) implements Token {
    }

    /**
     * A macro {@code %{<letter><digits><r><delimiters>}}.
     *
     * @param parts how many right-hand parts to keep, 0 for all
     */
    private record Macro(char letter, boolean escape, int parts, boolean reverse, String delimiters)
        implements Token {
    }

    /** The largest DIGIT transformer kept: no domain name has more labels. */
    private static final int MAX_PARTS = 128;
    private static final String DELIMITERS = ".-+,/_=";

    private final String text;
    private final List<Token> tokens;

    private MacroString(String text, List<Token> tokens) {
        this.text = text;
        this.tokens = tokens;
    }

    /**
     * Parses a macro string.
     *
     * @throws SpfSyntaxException naming the problem
     */
    static MacroString parse(String text, Use use) {
        List<Token> tokens = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                if (c > 0x7e || c < 0x20 || (c == ' ' && !use.spaces)) {
                    throw new SpfSyntaxException("character " + describe(c) + " in '" + text + "'");
                }
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 >= text.length()) {
                throw new SpfSyntaxException("'%' at the end of '" + text + "'");
            }
            char next = text.charAt(i + 1);
            switch (next) {
                case '%' -> literal.append('%');
                case '_' -> literal.append(' ');
                case '-' -> literal.append("%20");
                case '{' -> {
                    int close = text.indexOf('}', i + 2);
                    if (close < 0) {
                        throw new SpfSyntaxException("unclosed macro in '" + text + "'");
                    }
                    if (!literal.isEmpty()) {
                        tokens.add(new Literal(literal.toString()));
                        literal.setLength(0);
                    }
                    tokens.add(macro(text.substring(i + 2, close), use, text));
                    i = close + 1;
                    continue;
                }
                default -> throw new SpfSyntaxException("'%" + next + "' is not a macro in '" + text + "'");
            }
            i += 2;
        }
        if (!literal.isEmpty()) {
            tokens.add(new Literal(literal.toString()));
        }
        return new MacroString(text, Collections.unmodifiableList(tokens));
    }

    private static Macro macro(String body, Use use, String text) {
        if (body.isEmpty()) {
            throw new SpfSyntaxException("empty macro in '" + text + "'");
        }
        char letter = body.charAt(0);
        char lower = Character.toLowerCase(letter);
        if (letter > 0x7f || use.letters.indexOf(lower) < 0) {
            throw new SpfSyntaxException("macro letter '" + letter + "' not allowed here in '" + text + "'");
        }
        int i = 1;
        int digitsEnd = i;
        while (digitsEnd < body.length() && body.charAt(digitsEnd) >= '0' && body.charAt(digitsEnd) <= '9') {
            digitsEnd++;
        }
        int parts = 0;
        if (digitsEnd > i) {
            String digits = body.substring(i, digitsEnd).replaceFirst("^0+", "");
            if (digits.isEmpty()) {
                throw new SpfSyntaxException("macro transformer 0 in '" + text + "' (RFC 7208 section 7.3)");
            }
            parts = digits.length() > 3 ? MAX_PARTS : Math.min(MAX_PARTS, Integer.parseInt(digits));
        }
        i = digitsEnd;
        boolean reverse = false;
        if (i < body.length() && (body.charAt(i) == 'r' || body.charAt(i) == 'R')) {
            reverse = true;
            i++;
        }
        String delimiters = body.substring(i);
        for (int d = 0; d < delimiters.length(); d++) {
            if (DELIMITERS.indexOf(delimiters.charAt(d)) < 0) {
                throw new SpfSyntaxException("bad macro delimiter " + describe(delimiters.charAt(d)) + " in '"
                    + text + "'");
            }
        }
        return new Macro(lower, Character.isUpperCase(letter), parts, reverse,
            delimiters.isEmpty() ? "." : delimiters);
    }

    private static String describe(char c) {
        return c >= 0x21 && c <= 0x7e ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** Whether it ends with a macro (a domain-spec may end with one instead of a top label, section 7.1). */
    boolean endsWithMacro() {
        return !tokens.isEmpty() && tokens.get(tokens.size() - 1) instanceof Macro;
    }

    /** The literal text after the last macro (all of it without macros). */
    String literalTail() {
        return tokens.isEmpty() || !(tokens.get(tokens.size() - 1) instanceof Literal tail) ? "" : tail.text();
    }

    /** Whether it uses the {@code p} macro, whose value needs DNS lookups. */
    boolean usesValidatedName() {
        for (Token token : tokens) {
            if (token instanceof Macro macro && macro.letter() == 'p') {
                return true;
            }
        }
        return false;
    }

    /** Expands the macros with these values. */
    String expand(Values values) {
        if (tokens.size() == 1 && tokens.get(0) instanceof Literal only) {
            return only.text();
        }
        StringBuilder out = new StringBuilder();
        for (Token token : tokens) {
            if (token instanceof Literal literal) {
                out.append(literal.text());
            } else {
                Macro macro = (Macro) token;
                String value = transform(values.value(macro.letter()), macro);
                out.append(macro.escape() ? urlEscape(value) : value);
            }
        }
        return out.toString();
    }

    private static String transform(String value, Macro macro) {
        if (macro.parts() == 0 && !macro.reverse() && macro.delimiters().equals(".")) {
            return value;
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            if (macro.delimiters().indexOf(value.charAt(i)) >= 0) {
                parts.add(value.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(value.substring(start));
        if (macro.reverse()) {
            Collections.reverse(parts);
        }
        if (macro.parts() > 0 && macro.parts() < parts.size()) {
            parts = parts.subList(parts.size() - macro.parts(), parts.size());
        }
        return String.join(".", parts);
    }

    /** Section 7.3: upper-case macros are URL-escaped; every character but the unreserved ones is escaped. */
    private static String urlEscape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }

    /** The text as written in the record. */
    @Override
    public String toString() {
        return text;
    }
}
