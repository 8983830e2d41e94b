package org.tesjames.core.util;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code name=value} field of a DNS TXT policy record of the MTA-STS / TLS-RPT family (RFC 8461 section 3.1,
 * RFC 8460 section 3), which share the extension field grammar.
 *
 * @param name the field name
 * @param value the field value, as written
 */
public record RecordField(String name, String value) {
    private static final Pattern EXTENSION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern EXTENSION_VALUE = Pattern.compile("[\\x21-\\x3a\\x3c\\x3e-\\x7e]+");

    /**
     * @param field the text between two delimiters
     * @param seen the names of the record's fields so far; this one is added
     * @return the field
     * @throws IllegalArgumentException when it is not {@code name=value} or its name was seen before
     */
    public static RecordField parse(String field, Set<String> seen) {
        int equals = field.indexOf('=');
        if (equals <= 0) {
            throw new IllegalArgumentException("field '" + field + "' is not name=value");
        }
        String name = field.substring(0, equals);
        if (!seen.add(name)) {
            throw new IllegalArgumentException("field " + name + " is given twice");
        }
        return new RecordField(name, field.substring(equals + 1));
    }

    /** @return whether it is a valid extension field ({@code ext-name=ext-value}) */
    public boolean isValidExtension() {
        return EXTENSION_NAME.matcher(name).matches() && EXTENSION_VALUE.matcher(value).matches();
    }

    @Override
    public String toString() {
        return name + "=" + value;
    }
}
