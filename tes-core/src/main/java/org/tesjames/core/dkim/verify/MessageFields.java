package org.tesjames.core.dkim.verify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A message split into header fields (ISO-8859-1 strings keep every octet, folding kept) and body octets. Bare
 * LF line ends become CRLF first, the form the message has on the wire (RFC 6376 section 5.3).
 */
final class MessageFields {
    /** One header field: its name and the whole field as written ({@code Name: value}, folding kept). */
    record Field(String name, String raw) {
        String value() {
            return raw.substring(raw.indexOf(':') + 1);
        }
    }

    private final List<Field> fields;
    private final byte[] body;

    private MessageFields(List<Field> fields, byte[] body) {
        this.fields = fields;
        this.body = body;
    }

    static MessageFields parse(byte[] message) {
        byte[] crlf = toCrlf(message);
        int headerEnd;
        int bodyStart;
        int blank = indexOfBlankLine(crlf);
        if (crlf.length >= 2 && crlf[0] == '\r' && crlf[1] == '\n') {
            headerEnd = 0;
            bodyStart = 2;
        } else if (blank < 0) {
            headerEnd = crlf.length;
            bodyStart = crlf.length;
        } else {
            headerEnd = blank + 2;
            bodyStart = blank + 4;
        }
        List<Field> fields = new ArrayList<>();
        StringBuilder current = null;
        for (String line : new String(crlf, 0, headerEnd, StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append("\r\n").append(line);
                continue;
            }
            add(fields, current);
            current = new StringBuilder(line);
        }
        add(fields, current);
        byte[] body = new byte[crlf.length - bodyStart];
        System.arraycopy(crlf, bodyStart, body, 0, body.length);
        return new MessageFields(List.copyOf(fields), body);
    }

    private static void add(List<Field> fields, StringBuilder raw) {
        if (raw == null) {
            return;
        }
        int colon = raw.indexOf(":");
        if (colon > 0) {
            fields.add(new Field(raw.substring(0, colon).strip(), raw.toString()));
        }
    }

    private static byte[] toCrlf(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
        for (int i = 0; i < message.length; i++) {
            if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(message[i]);
        }
        return out.toByteArray();
    }

    private static int indexOfBlankLine(byte[] data) {
        for (int i = 0; i + 4 <= data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The fields with this name (case-insensitive), top to bottom. */
    List<Field> fields(String name) {
        return fields.stream().filter(field -> field.name().equalsIgnoreCase(name)).toList();
    }

    /** The body octets (shared: do not modify). */
    byte[] body() {
        return body;
    }

    /**
     * A header field in canonical form with its CRLF (RFC 6376 section 3.4.1 and 3.4.2): simple is the field
     * unchanged; relaxed lower-cases the name, unfolds, collapses whitespace runs and trims around the colon and
     * at the end.
     */
    static String canonical(boolean relaxed, String name, String raw) {
        if (!relaxed) {
            return raw + "\r\n";
        }
        String value = raw.substring(raw.indexOf(':') + 1).replace("\r\n", "").replaceAll("[ \\t]+", " ").strip();
        return name.strip().toLowerCase(Locale.ROOT) + ":" + value + "\r\n";
    }
}
