package org.tesjames.core.dkim.sign;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A message split into header fields and body, as octets (ISO-8859-1 strings keep every octet). Bare LF line
 * ends are turned into CRLF first, the form the message has on the wire (RFC 6376 section 5.3).
 */
final class RawMessage {
    /** One header field: its name as written and the whole field ({@code Name: value}, folding kept). */
    record Field(String name, String raw) {
        String lowerName() {
            return name.toLowerCase(Locale.ROOT);
        }

        String value() {
            return raw.substring(raw.indexOf(':') + 1);
        }
    }

    private final List<Field> fields;
    private final byte[] body;

    private RawMessage(List<Field> fields, byte[] body) {
        this.fields = fields;
        this.body = body;
    }

    static RawMessage parse(byte[] message) {
        byte[] crlf = toCrlf(message);
        int end = indexOf(crlf, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int headerEnd;
        int bodyStart;
        if (crlf.length >= 2 && crlf[0] == '\r' && crlf[1] == '\n') {
            headerEnd = 0;
            bodyStart = 2;
        } else if (end < 0) {
            headerEnd = crlf.length;
            bodyStart = crlf.length;
        } else {
            headerEnd = end + 2;
            bodyStart = end + 4;
        }
        String headers = new String(crlf, 0, headerEnd, StandardCharsets.ISO_8859_1);
        List<Field> fields = new ArrayList<>();
        StringBuilder current = null;
        for (String line : headers.split("\r\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append("\r\n").append(line);
                continue;
            }
            if (current != null) {
                add(fields, current.toString());
            }
            current = new StringBuilder(line);
        }
        if (current != null) {
            add(fields, current.toString());
        }
        byte[] body = new byte[crlf.length - bodyStart];
        System.arraycopy(crlf, bodyStart, body, 0, body.length);
        return new RawMessage(List.copyOf(fields), body);
    }

    private static void add(List<Field> fields, String raw) {
        int colon = raw.indexOf(':');
        if (colon <= 0) {
            return; // not a header field (an mbox "From " line, garbage): never signed
        }
        fields.add(new Field(raw.substring(0, colon).strip(), raw));
    }

    private static byte[] toCrlf(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == '\n' && (i == 0 || message[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    List<Field> fields() {
        return fields;
    }

    /** The fields with this name (case-insensitive), top to bottom. */
    List<Field> fields(String name) {
        return fields.stream().filter(field -> field.name().equalsIgnoreCase(name)).toList();
    }

    byte[] body() {
        return body.clone();
    }

    /**
     * The relaxed canonical form of a header field (RFC 6376 section 3.4.2), without the final CRLF: name in
     * lower case, unfolded, runs of whitespace made one space, whitespace around the colon and at the end
     * removed.
     */
    static String relaxed(String name, String value) {
        String unfolded = value.replace("\r\n", "");
        String collapsed = unfolded.replaceAll("[ \\t]+", " ").strip();
        return name.strip().toLowerCase(Locale.ROOT) + ":" + collapsed;
    }
}
