package org.tesjames.core.dkim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tag-list syntax shared by DKIM signatures and key records (RFC 6376 section 3.2): {@code tag=value}
 * pairs separated by {@code ;}, whitespace (including folding) around tags and values ignored, an optional
 * trailing {@code ;}. Tag names are case-sensitive; a duplicate tag makes the list malformed.
 *
 * <p>One pass over the text, no regular expression: a signature whose {@code h=} runs to megabytes costs a few
 * scans of it, not a regex match per tag or per name.
 */
public final class DkimTags {
    private DkimTags() {
    }

    /**
     * Parses a tag list, keeping the order of the tags.
     *
     * @throws IllegalArgumentException naming the malformed part (missing {@code =}, bad tag name, bad
     *     character in a value, duplicate tag)
     */
    public static Map<String, String> parse(String text) {
        Map<String, String> tags = new LinkedHashMap<>();
        int start = 0;
        while (true) {
            int end = text.indexOf(';', start);
            boolean last = end < 0;
            if (last) {
                end = text.length();
            }
            if (isBlank(text, start, end)) {
                if (last) {
                    return tags;
                }
                throw new IllegalArgumentException("empty tag-spec (\";;\" or a leading \";\")");
            }
            int equals = indexOf(text, '=', start, end);
            if (equals < 0) {
                throw new IllegalArgumentException("'" + text.substring(start, end).strip() + "' is not tag=value");
            }
            String name = text.substring(start, equals).strip();
            if (!isTagName(name)) {
                throw new IllegalArgumentException("bad tag name '" + name + "'");
            }
            int from = equals + 1;
            for (int i = from; i < end; i++) {
                if (!isValueChar(text.charAt(i))) {
                    throw new IllegalArgumentException("bad character in the value of " + name + "=");
                }
            }
            int to = end;
            while (from < to && isWhitespace(text.charAt(from))) {
                from++;
            }
            while (to > from && isWhitespace(text.charAt(to - 1))) {
                to--;
            }
            if (tags.put(name, text.substring(from, to)) != null) {
                throw new IllegalArgumentException("duplicate tag " + name + "=");
            }
            if (last) {
                return tags;
            }
            start = end + 1;
        }
    }

    /** Removes every whitespace character (space, tab, CR, LF), as base64 tag values allow folding. */
    public static String withoutWhitespace(String value) {
        int first = 0;
        while (first < value.length() && !isWhitespace(value.charAt(first))) {
            first++;
        }
        if (first == value.length()) {
            return value;
        }
        StringBuilder kept = new StringBuilder(value.length() - 1);
        kept.append(value, 0, first);
        for (int i = first + 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isWhitespace(c)) {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    /** Whether {@code text[from, to)} is empty or all whitespace in the sense of {@link String#isBlank()}. */
    private static boolean isBlank(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(String text, char c, int from, int to) {
        int at = text.indexOf(c, from);
        return at < to ? at : -1;
    }

    /** {@code ALPHA *(ALPHA / DIGIT / "_")}. */
    private static boolean isTagName(String name) {
        if (name.isEmpty() || !isAlpha(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlpha(c) && !(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** A character of a tag value: visible ASCII but {@code ;}, or the whitespace of folding. */
    private static boolean isValueChar(char c) {
        return (c >= 0x21 && c <= 0x7e && c != ';') || isWhitespace(c);
    }

    /** Space, tab, CR or LF: the whitespace a tag list may hold. */
    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
