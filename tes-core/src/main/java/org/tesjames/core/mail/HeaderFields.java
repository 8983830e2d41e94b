package org.tesjames.core.mail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

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
    private static final Pattern WHITESPACE_RUN = Pattern.compile("[ \\t]+");

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

    private final List<Field> fields;
    /** The fields by lower-case name, each list top to bottom: one look-up per name, however many fields. */
    private final Map<String, List<Field>> byName;
    private final byte[] body;

    private HeaderFields(List<Field> fields, byte[] body) {
        this.fields = fields;
        Map<String, List<Field>> index = new HashMap<>();
        for (Field field : fields) {
            index.computeIfAbsent(field.lowerName(), name -> new ArrayList<>()).add(field);
        }
        index.replaceAll((name, list) -> List.copyOf(list));
        this.byName = index;
        this.body = body;
    }

    /** Splits a message; never fails (whatever does not look like a field is dropped, see the class comment). */
    public static HeaderFields parse(byte[] message) {
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
        return new HeaderFields(List.copyOf(fields), body);
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

    /** All header fields, top to bottom. */
    public List<Field> fields() {
        return fields;
    }

    /**
     * The fields with this name (case-insensitive), top to bottom. Costs one look-up in an index built when the
     * message was parsed, not a scan of the header, so a caller may ask once per name of a long list (a DKIM
     * {@code h=}) and stay linear.
     */
    public List<Field> fields(String name) {
        return byName.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** A copy of the body octets (CRLF line ends). */
    public byte[] body() {
        return body.clone();
    }

    /**
     * The DKIM relaxed canonical form of a header field (RFC 6376 section 3.4.2), without the final CRLF: name in
     * lower case, value unfolded, runs of white space made one space, white space around the colon and at the end
     * removed.
     */
    public static String relaxed(String name, String value) {
        String collapsed = WHITESPACE_RUN.matcher(value.replace("\r\n", "")).replaceAll(" ").strip();
        return name.strip().toLowerCase(Locale.ROOT) + ":" + collapsed;
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
