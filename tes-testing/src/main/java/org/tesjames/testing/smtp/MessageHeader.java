package org.tesjames.testing.smtp;

/**
 * One header field of a received message.
 *
 * @param name the field name as written (e.g. {@code "DKIM-Signature"})
 * @param value the unfolded value: line breaks before folding whitespace removed, surrounding whitespace
 *              trimmed
 * @param raw the field exactly as received, including name, folding line breaks, without the final line
 *            break
 */
public record MessageHeader(String name, String value, String raw) {

    /**
     * Whether this field has the given name (case-insensitive).
     *
     * @param fieldName the name
     * @return true if the names match
     */
    public boolean is(String fieldName) {
        return name.equalsIgnoreCase(fieldName);
    }
}
