package org.tesjames.mailets;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * How javax.mail, which James stores and reads messages with, reads header lines, for code that reads the octets
 * itself and must agree with it.
 */
public final class JavaMailHeaders {
    /** How javax.mail decodes (and writes) header lines: UTF-8 when {@code mail.mime.allowutf8} is set, else one char per octet. */
    public static final Charset CHARSET = Boolean.getBoolean("mail.mime.allowutf8")
        ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;

    private JavaMailHeaders() {
    }

    /**
     * Whether javax.mail reads the octets {@code [from, to)}, a field's text before its first colon (or the whole
     * field when it has none), as the field name {@code name} (ASCII): trimmed of characters up to U+0020, equal
     * ignoring case.
     */
    public static boolean isNamed(byte[] octets, int from, int to, String name) {
        int start = from;
        int end = to;
        while (start < end && (octets[start] & 0xff) <= ' ') {
            start++;
        }
        while (end > start && (octets[end - 1] & 0xff) <= ' ') {
            end--;
        }
        // a name that decodes to this one has at least one octet and at most three per char
        return end - start >= name.length() && end - start <= 3 * name.length()
            && new String(octets, start, end - start, CHARSET).equalsIgnoreCase(name);
    }
}
