package org.tesjames.testing.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A minimal RFC 5322 split of a message into header fields and body, without MIME decoding.
 *
 * <p>The header section ends at the first empty line (CRLF or bare LF); a line that is neither a field
 * ({@code name:value}) nor a continuation (starts with space or tab) also ends it and starts the body.
 * Header text is decoded as UTF-8.
 *
 * <pre>{@code
 * ParsedMessage m = ParsedMessage.parse(bytes);
 * m.header("Subject");             // Optional[unfolded value]
 * m.headerValues("Received");      // all values, in order
 * m.bodyText();
 * }</pre>
 */
public final class ParsedMessage {

    private final List<MessageHeader> headers;
    private final byte[] body;

    private ParsedMessage(List<MessageHeader> headers, byte[] body) {
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    /**
     * Parses a message.
     *
     * @param raw the message bytes (after SMTP dot-unstuffing)
     * @return the parsed message
     */
    public static ParsedMessage parse(byte[] raw) {
        List<MessageHeader> headers = new ArrayList<>();
        StringBuilder current = null;
        int pos = 0;
        int bodyStart = raw.length;
        while (pos < raw.length) {
            int lineEnd = pos;
            while (lineEnd < raw.length && raw[lineEnd] != '\n') {
                lineEnd++;
            }
            int next = Math.min(lineEnd + 1, raw.length);
            int contentEnd = lineEnd > pos && raw[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            String line = new String(raw, pos, contentEnd - pos, StandardCharsets.UTF_8);
            String terminator = new String(raw, contentEnd, next - contentEnd, StandardCharsets.UTF_8);
            if (line.isEmpty()) {
                bodyStart = next;
                break;
            }
            char first = line.charAt(0);
            if ((first == ' ' || first == '\t') && current != null) {
                current.append(line).append(terminator);
            } else if (isFieldStart(line)) {
                if (current != null) {
                    headers.add(toHeader(current));
                }
                current = new StringBuilder(line).append(terminator);
            } else {
                bodyStart = pos;
                break;
            }
            pos = next;
        }
        if (current != null) {
            headers.add(toHeader(current));
        }
        return new ParsedMessage(headers, Arrays.copyOfRange(raw, Math.min(bodyStart, raw.length), raw.length));
    }

    private static boolean isFieldStart(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        String name = line.substring(0, colon).stripTrailing();
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126) {
                return false;
            }
        }
        return true;
    }

    private static MessageHeader toHeader(StringBuilder field) {
        String raw = field.toString();
        if (raw.endsWith("\r\n")) {
            raw = raw.substring(0, raw.length() - 2);
        } else if (raw.endsWith("\n")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        int colon = raw.indexOf(':');
        String name = raw.substring(0, colon).stripTrailing();
        String value = raw.substring(colon + 1).replaceAll("\r?\n(?=[ \t])", "").strip();
        return new MessageHeader(name, value, raw);
    }

    /**
     * All header fields in message order.
     *
     * @return unmodifiable list
     */
    public List<MessageHeader> headers() {
        return headers;
    }

    /**
     * The unfolded value of the first field with that name (case-insensitive).
     *
     * @param name the field name
     * @return the value, empty if absent
     */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.is(name)).map(MessageHeader::value).findFirst();
    }

    /**
     * The unfolded values of all fields with that name, in message order.
     *
     * @param name the field name (case-insensitive)
     * @return the values, possibly empty
     */
    public List<String> headerValues(String name) {
        return headers.stream().filter(h -> h.is(name)).map(MessageHeader::value).collect(Collectors.toList());
    }

    /**
     * The field names in message order (with repetitions).
     *
     * @return the names
     */
    public List<String> headerNames() {
        return headers.stream().map(MessageHeader::name).collect(Collectors.toList());
    }

    /**
     * The body bytes (everything after the empty line ending the header section).
     *
     * @return a copy of the body
     */
    public byte[] body() {
        return body.clone();
    }

    /**
     * The body decoded as UTF-8.
     *
     * @return the body text
     */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
