package org.tesjames.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

/**
 * Mutated copies of valid input, for tests of what hostile peers can send: one to four edits, each an insertion of
 * a syntax piece, a control, a non-ASCII or lone-surrogate character or a long run, a deletion, a changed character
 * or a duplicated stretch. Seeded: the same texts get the same mutations in every run. Also the check that a
 * parser accepts each copy or refuses it with its documented exception ({@link #acceptsOrRefuses}).
 */
public final class Mutations {
    private static final String[] PIECES = {";", "=", " ", "\t", "\r", "\n", "\r\n", "\r\n ", "\r\n\r\n", "%", "{",
        "}", ".", "..", ":", "/", "-", "+", "~", "?", "!", "@", "<", ">", "\"", "(", ")", "\\", ",", "*", "\0",
        "\u00e9", "\uffff", "\ud800", "xn--", "%{", "%{l}", "%{ir}", "%{d5r.}", "%-", "%_", "%%", "v=", "p=", "b=",
        "bh=", "d=", "s=", "h=", "l=", "x=", "t=", "i=", "k=", "a=", "c=", "pct=", "rua=", "sp=", "np=", "adkim=",
        "aspf=", "mailto:",
        "https://", "-all", "include:", "redirect=", "exp=", "a:", "mx", "ptr", "ip4:192.0.2.1/33", "ip6:::1/129",
        "99999999999999999999", "-1", "rsa-sha256", "ed25519-sha256", "relaxed/relaxed", "version: STSv1\n",
        "mode: enforce\n", "mx: *.", "max_age: ", "v=STSv1;", "id=", "v=TLSRPTv1;", "A".repeat(300)};

    private final SplittableRandom random;

    public Mutations(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A mutated copy of {@code text}. */
    public String of(String text) {
        StringBuilder out = new StringBuilder(text);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(out.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> out.insert(at, PIECES[random.nextInt(PIECES.length)]);
                case 1 -> out.delete(at, Math.min(out.length(), at + 1 + random.nextInt(8)));
                case 2 -> {
                    if (at < out.length()) {
                        out.setCharAt(at, (char) random.nextInt(0x110));
                    }
                }
                case 3 -> {
                    int from = random.nextInt(out.length() + 1);
                    out.insert(at, out.substring(from, Math.min(out.length(), from + random.nextInt(20))));
                }
                default -> out.insert(at, (char) random.nextInt(0x80));
            }
        }
        return out.toString();
    }

    /** One of {@code texts}, mutated. */
    public String ofOne(String... texts) {
        return of(texts[random.nextInt(texts.length)]);
    }

    /** True once in {@code n} calls, on average. */
    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    /** A number from 0 (included) to {@code bound} (excluded). */
    public int below(int bound) {
        return random.nextInt(bound);
    }

    /** Mutated copies per parser. */
    public static final int ROUNDS = 20_000;

    /** A parser that refuses with an exception. */
    @FunctionalInterface
    public interface Parser {
        void parse(String input) throws Exception;
    }

    /**
     * Parses {@link #ROUNDS} mutated copies of {@code valid}: each is accepted or refused with {@code refusal} and a
     * message; both happen.
     */
    public static void acceptsOrRefuses(long seed, Class<? extends Exception> refusal, Parser parser,
                                        String... valid) {
        Mutations mutations = new Mutations(seed);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < ROUNDS; i++) {
            String input = mutations.ofOne(valid);
            try {
                parser.parse(input);
                accepted++;
            } catch (Exception e) {
                // exactly the documented class: a NumberFormatException is an IllegalArgumentException too, but one
                // that escaped would be a parser's slip, not its refusal
                if (e.getClass() != refusal) {
                    throw new AssertionError("not a " + refusal.getSimpleName() + " for " + visible(input), e);
                }
                assertThat(e.getMessage()).as("the reason for refusing %s", visible(input)).isNotBlank();
                refused++;
            }
        }
        assertThat(accepted).as("mutated copies accepted").isPositive();
        assertThat(refused).as("mutated copies refused").isPositive();
    }

    /** The input with controls and non-ASCII characters escaped, for a failure message. */
    public static String visible(String input) {
        StringBuilder out = new StringBuilder();
        input.chars().forEach(c -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : (char) c));
        return out.toString();
    }
}
