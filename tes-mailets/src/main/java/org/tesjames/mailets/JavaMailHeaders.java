package org.tesjames.mailets;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

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

    /** Where the first colon of {@code octets[0, end)} is; {@code end} when there is none. */
    public static int colon(byte[] octets, int end) {
        int colon = 0;
        while (colon < end && octets[colon] != ':') {
            colon++;
        }
        return colon;
    }

    /**
     * The value javax.mail gives a whole field (continuation lines joined with CRLF) when it is named {@code name}:
     * the text after the first colon without the white space and line ends that lead it, or the whole field when
     * it has no colon (its name is then the whole field, trimmed); empty when the field has another name.
     */
    public static Optional<String> value(String field, String name) {
        int colon = field.indexOf(':');
        if (!(colon < 0 ? field : field.substring(0, colon)).trim().equalsIgnoreCase(name)) {
            return Optional.empty();
        }
        if (colon < 0) {
            return Optional.of(field);
        }
        int start = colon + 1;
        while (start < field.length() && " \t\r\n".indexOf(field.charAt(start)) >= 0) {
            start++;
        }
        return Optional.of(field.substring(start));
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
