package org.tesjames.core.mail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;

/**
 * A message (RFC 5322 octets) split into its header fields and body, as DKIM signing and verification, SPF/DMARC
 * author extraction and the Authentication-Results handling need it: every octet kept (fields are ISO-8859-1
 * strings), folding kept, order kept. Bare LF line ends become CRLF first, the form the message has on the wire
 * (RFC 6376 section 5.3).
 *
 * <p>The header ends at the first empty line; a message that starts with an empty line has no header fields; a
 * message without an empty line is all header. A line that is neither a field ({@code Name:}) nor a continuation
 * (an mbox {@code From } line, garbage) is dropped: it is never signed, verified or read.
 */
public final class HeaderFields {
    /**
     * One header field.
     *
     * @param name the field name as written, without surrounding white space
     * @param raw the whole field as written ({@code Name: value}, folding CRLFs kept, no final CRLF)
     */
    public record Field(String name, String raw) {
        public Field {
            Objects.requireNonNull(name);
            Objects.requireNonNull(raw);
        }

        /** The name in lower case. */
        public String lowerName() {
            return name.toLowerCase(Locale.ROOT);
        }

        /** Everything after the first colon, folding kept. */
        public String value() {
            return raw.substring(raw.indexOf(':') + 1);
        }

        /** The value unfolded (CRLFs removed, RFC 5322 section 2.2.3) and stripped of surrounding white space. */
        public String unfoldedValue() {
            return value().replace("\r\n", "").strip();
        }
    }

    /** Receives a range of an array of octets, which it must not change. */
    @FunctionalInterface
    public interface OctetRange {
        void accept(byte[] octets, int offset, int length);
    }

    private final List<Field> fields;
    /** The fields by lower-case name, each list top to bottom: one look-up per name, however many fields. */
    private final Map<String, List<Field>> byName;
    private final byte[] message;
    private final int bodyStart;

    private HeaderFields(List<Field> fields, byte[] message, int bodyStart) {
        this.fields = fields;
        Map<String, List<Field>> index = new HashMap<>();
        for (Field field : fields) {
            index.computeIfAbsent(field.lowerName(), name -> new ArrayList<>()).add(field);
        }
        index.replaceAll((name, list) -> List.copyOf(list));
        this.byName = index;
        this.message = message;
        this.bodyStart = bodyStart;
    }

    /**
     * Splits a message; never fails (whatever does not look like a field is dropped, see the class comment). Only
     * the header is copied (into the fields); the body stays in {@code message}, which must not change afterwards.
     */
    public static HeaderFields parse(byte[] message) {
        int headerEnd;
        int bodyStart;
        if (message.length >= 1 && message[0] == '\n') {
            headerEnd = 0;
            bodyStart = 1;
        } else if (message.length >= 2 && message[0] == '\r' && message[1] == '\n') {
            headerEnd = 0;
            bodyStart = 2;
        } else {
            headerEnd = message.length;
            bodyStart = message.length;
            // the empty line: an LF followed by LF or by CRLF (a bare LF is a CRLF)
            for (int i = 0; i < message.length - 1; i++) {
                if (message[i] != '\n') {
                    continue;
                }
                if (message[i + 1] == '\n') {
                    headerEnd = i + 1;
                    bodyStart = i + 2;
                    break;
                }
                if (message[i + 1] == '\r' && i + 2 < message.length && message[i + 2] == '\n') {
                    headerEnd = i + 1;
                    bodyStart = i + 3;
                    break;
                }
            }
        }
        List<Field> fields = new ArrayList<>();
        String text = new String(toCrlf(message, 0, headerEnd), StandardCharsets.ISO_8859_1);
        // line by line (CRLF-separated), a field running from its first line to its last continuation line
        int fieldStart = -1;
        int fieldEnd = -1;
        for (int lineStart = 0; ; ) {
            int crlf = text.indexOf("\r\n", lineStart);
            int lineEnd = crlf < 0 ? text.length() : crlf;
            if (lineEnd > lineStart) {
                char first = text.charAt(lineStart);
                if ((first == ' ' || first == '\t') && fieldStart >= 0) {
                    fieldEnd = lineEnd;
                } else {
                    add(fields, text, fieldStart, fieldEnd);
                    fieldStart = lineStart;
                    fieldEnd = lineEnd;
                }
            }
            if (crlf < 0) {
                break;
            }
            lineStart = crlf + 2;
        }
        add(fields, text, fieldStart, fieldEnd);
        return new HeaderFields(List.copyOf(fields), message, bodyStart);
    }

    /** Adds the field {@code text[start, end)}, unless there is none ({@code start < 0}) or it has no name. */
    private static void add(List<Field> fields, String text, int start, int end) {
        if (start < 0) {
            return;
        }
        int colon = text.indexOf(':', start);
        if (colon > start && colon < end) {
            fields.add(new Field(text.substring(start, colon).strip(), text.substring(start, end)));
        }
    }

    /** {@code message[from, to)} with every LF that has no CR before it (in the message) made CRLF. */
    private static byte[] toCrlf(byte[] message, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from + 64);
        int copied = from;
        for (int i = from; i < to; i++) {
            if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) {
                out.write(message, copied, i - copied);
                out.write('\r');
                copied = i;
            }
        }
        out.write(message, copied, to - copied);
        return out.toByteArray();
    }

    /** All header fields, top to bottom. */
    public List<Field> fields() {
        return fields;
    }

    /**
     * The fields with this name (case-insensitive), top to bottom. Costs one look-up in an index built when the
     * message was parsed, not a scan of the header, so a caller may ask once per name of a long list (a DKIM
     * {@code h=}) and stay linear. A name given in lower case is looked up as it is, without a lower-case copy.
     */
    public List<Field> fields(String name) {
        return byName.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** A copy of the body octets (CRLF line ends). */
    public byte[] body() {
        return toCrlf(message, bodyStart, message.length);
    }

    /**
     * Hands the body to {@code consumer} without copying it: the octets as received, in one range of the message
     * array, bare LF line ends not yet made CRLF (DKIM's {@code BodyHasher} reads a bare LF as CRLF).
     */
    public void body(OctetRange consumer) {
        consumer.accept(message, bodyStart, message.length - bodyStart);
    }

    /**
     * The DKIM relaxed canonical form of a header field (RFC 6376 section 3.4.2), without the final CRLF: name in
     * lower case, value unfolded, runs of white space made one space, white space around the colon and at the end
     * removed.
     */
    public static String relaxed(String name, String value) {
        String lowerName = name.strip().toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(lowerName.length() + 1 + value.length());
        out.append(lowerName).append(':');
        int valueStart = out.length();
        boolean space = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' && i + 1 < value.length() && value.charAt(i + 1) == '\n') {
                i++;
            } else if (c == ' ' || c == '\t') {
                space = true;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        // as String.strip: a bare CR or LF (or other Java whitespace) at either end goes too
        int from = valueStart;
        int to = out.length();
        while (from < to && Character.isWhitespace(out.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(out.charAt(to - 1))) {
            to--;
        }
        out.setLength(to);
        return from == valueStart ? out.toString() : out.delete(valueStart, from).toString();
    }

    /**
     * A header field in DKIM canonical form with its CRLF (RFC 6376 sections 3.4.1 and 3.4.2): {@code simple} is
     * the field unchanged, {@code relaxed} is {@link #relaxed(String, String)}.
     */
    public static String canonical(boolean relaxed, String name, String raw) {
        if (!relaxed) {
            return raw + "\r\n";
        }
        return relaxed(name, raw.substring(raw.indexOf(':') + 1)) + "\r\n";
    }
}
