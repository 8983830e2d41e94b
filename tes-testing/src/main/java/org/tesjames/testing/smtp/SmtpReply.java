package org.tesjames.testing.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SMTP reply (RFC 5321 section 4.2): a three-digit code and one or more text lines, with the RFC 3463
 * enhanced status code parsed from the first line when present.
 *
 * <pre>{@code
 * SmtpReply r = client.rcptTo("nobody@example.com");
 * r.code();            // 550
 * r.enhancedStatus();  // Optional[5.1.1]
 * r.text();            // "5.1.1 No such user" (lines joined with '\n', codes removed)
 * r.toString();        // "550 5.1.1 No such user" (as received)
 * }</pre>
 */
public final class SmtpReply {

    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})(?:[ \\t]|$)");

    private final int code;
    private final List<String> lines;
    private final List<String> rawLines;

    private SmtpReply(int code, List<String> lines, List<String> rawLines) {
        this.code = code;
        this.lines = List.copyOf(lines);
        this.rawLines = List.copyOf(rawLines);
    }

    /**
     * Builds a reply from its code and text lines (as a server would send it).
     *
     * @param code the three-digit code
     * @param textLines the text of each line (may be empty for a code-only reply)
     * @return the reply
     */
    public static SmtpReply of(int code, String... textLines) {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("Invalid SMTP reply code " + code);
        }
        List<String> texts = textLines.length == 0 ? List.of("") : List.of(textLines);
        List<String> raw = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            String sep = i == texts.size() - 1 ? " " : "-";
            raw.add(text.isEmpty() && sep.equals(" ") ? String.valueOf(code) : code + sep + text);
        }
        return new SmtpReply(code, texts, raw);
    }

    /**
     * Parses the lines of one reply as received (without CRLF), e.g. {@code ["250-a", "250 b"]}.
     *
     * @param rawLines the lines, at least one
     * @return the reply
     * @throws SmtpProtocolException if a line has no valid code or codes differ
     */
    public static SmtpReply parse(List<String> rawLines) throws SmtpProtocolException {
        if (rawLines.isEmpty()) {
            throw new SmtpProtocolException("Empty reply");
        }
        int code = -1;
        List<String> texts = new ArrayList<>();
        for (String line : rawLines) {
            int lineCode = lineCode(line);
            if (code == -1) {
                code = lineCode;
            } else if (code != lineCode) {
                throw new SmtpProtocolException("Inconsistent codes in multi-line reply: " + rawLines);
            }
            texts.add(line.length() > 4 ? line.substring(4) : "");
        }
        return new SmtpReply(code, texts, rawLines);
    }

    /**
     * Returns the code of a reply line and checks its syntax ({@code NNN}, {@code NNN text} or {@code NNN-text}).
     */
    static int lineCode(String line) throws SmtpProtocolException {
        if (line.length() < 3 || !isDigit(line.charAt(0)) || !isDigit(line.charAt(1)) || !isDigit(line.charAt(2))
            || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
            throw new SmtpProtocolException("Malformed SMTP reply line: '" + line + "'");
        }
        return Integer.parseInt(line.substring(0, 3));
    }

    /** Whether the reply line is the last one of its reply. */
    static boolean isLastLine(String line) {
        return line.length() == 3 || line.charAt(3) == ' ';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The three-digit reply code.
     *
     * @return the code, e.g. 250
     */
    public int code() {
        return code;
    }

    /**
     * The enhanced status code ({@code class.subject.detail}) at the start of the first line, if any.
     *
     * @return e.g. {@code Optional.of("5.7.1")}
     */
    public Optional<String> enhancedStatus() {
        Matcher m = ENHANCED.matcher(lines.get(0));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The text of every line, without the code and separator (enhanced codes are kept).
     *
     * @return an unmodifiable list with at least one element
     */
    public List<String> lines() {
        return lines;
    }

    /**
     * The lines exactly as received (without CRLF).
     *
     * @return an unmodifiable list with at least one element
     */
    public List<String> rawLines() {
        return rawLines;
    }

    /**
     * The full text: {@link #lines()} joined with {@code '\n'}.
     *
     * @return the text
     */
    public String text() {
        return String.join("\n", lines);
    }

    /**
     * Whether the code is 2xx or 3xx (positive completion or positive intermediate).
     *
     * @return true for 2xx and 3xx
     */
    public boolean isPositive() {
        return code < 400;
    }

    /**
     * Whether the code is 2xx.
     *
     * @return true for 2xx
     */
    public boolean isPositiveCompletion() {
        return code / 100 == 2;
    }

    /**
     * Whether the code is 3xx (e.g. 354 after DATA, 334 during AUTH).
     *
     * @return true for 3xx
     */
    public boolean isPositiveIntermediate() {
        return code / 100 == 3;
    }

    /**
     * Whether the code is 4xx.
     *
     * @return true for 4xx
     */
    public boolean isTransientNegative() {
        return code / 100 == 4;
    }

    /**
     * Whether the code is 5xx.
     *
     * @return true for 5xx
     */
    public boolean isPermanentNegative() {
        return code / 100 == 5;
    }

    /**
     * The reply as received, lines joined with {@code '\n'}.
     *
     * @return e.g. {@code "550 5.7.1 Relaying denied"}
     */
    @Override
    public String toString() {
        return String.join("\n", rawLines);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SmtpReply && ((SmtpReply) o).rawLines.equals(rawLines);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rawLines);
    }
}
