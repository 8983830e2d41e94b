package org.tesjames.core.mail;

import java.util.Objects;

/**
 * Text taken from a message or a DNS record (a Message-ID, a DKIM, SPF or DMARC reason) made safe to quote in an
 * SMTP reply, a DSN, a header field or a log line: one line of printable ASCII of bounded length.
 *
 * <p>{@link #oneLine(String, int)}: line breaks (CR, LF, alone or together) are removed, which unfolds a folded
 * field; tabs and spaces become one space per run; other control characters (below 0x20, and 0x7f) are removed;
 * every non-ASCII character (one per code point) becomes {@code ?}; leading and trailing spaces are removed. A
 * result longer than the limit is cut and ends with {@value #ELLIPSIS}, the whole within the limit. A hostile
 * value therefore cannot start a new SMTP reply line, a new header field or a forged log line.
 */
public final class SafeText {
    /** Marks a value that was cut. */
    public static final String ELLIPSIS = "...";

    private SafeText() {
    }

    /**
     * The text on one line of printable ASCII, at most {@code maxLength} characters (see the class comment).
     *
     * @param text the raw text
     * @param maxLength the longest result, at least the length of {@link #ELLIPSIS} plus one
     */
    public static String oneLine(String text, int maxLength) {
        Objects.requireNonNull(text, "text");
        if (maxLength <= ELLIPSIS.length()) {
            throw new IllegalArgumentException("maxLength must exceed " + ELLIPSIS.length() + ": " + maxLength);
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxLength + 1));
        boolean space = false;
        for (int i = 0; i < text.length() && out.length() <= maxLength; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == ' ' || cp == '\t') {
                space = out.length() > 0;
                continue;
            }
            if (cp < 0x20 || cp == 0x7f) {
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.append(cp > 0x7e ? '?' : (char) cp);
        }
        if (out.length() > maxLength) {
            out.setLength(maxLength - ELLIPSIS.length());
            out.append(ELLIPSIS);
        }
        return out.toString();
    }
}
