package org.tesjames.core.dkim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The tag-list syntax shared by DKIM signatures and key records (RFC 6376 section 3.2): {@code tag=value}
 * pairs separated by {@code ;}, whitespace (including folding) around tags and values ignored, an optional
 * trailing {@code ;}. Tag names are case-sensitive; a duplicate tag makes the list malformed.
 */
public final class DkimTags {
    private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern TAG_VALUE = Pattern.compile("[\\x21-\\x3a\\x3c-\\x7e \\t\\r\\n]*");
    private static final Pattern WHITESPACE = Pattern.compile("[ \\t\\r\\n]");

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
        String[] parts = text.split(";", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isBlank()) {
                if (i == parts.length - 1) {
                    continue;
                }
                throw new IllegalArgumentException("empty tag-spec (\";;\" or a leading \";\")");
            }
            int equals = part.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("'" + part.strip() + "' is not tag=value");
            }
            String name = part.substring(0, equals).strip();
            String value = part.substring(equals + 1);
            if (!TAG_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("bad tag name '" + name + "'");
            }
            if (!TAG_VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("bad character in the value of " + name + "=");
            }
            if (tags.put(name, value.strip()) != null) {
                throw new IllegalArgumentException("duplicate tag " + name + "=");
            }
        }
        return tags;
    }

    /** Removes every whitespace character (space, tab, CR, LF), as base64 tag values allow folding. */
    public static String withoutWhitespace(String value) {
        return WHITESPACE.matcher(value).replaceAll("");
    }
}
