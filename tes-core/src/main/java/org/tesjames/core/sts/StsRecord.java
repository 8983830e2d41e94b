package org.tesjames.core.sts;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import org.tesjames.core.util.RecordField;

/**
 * The MTA-STS TXT record of a domain, {@code _mta-sts.<domain>} (RFC 8461 section 3.1):
 * {@code v=STSv1; id=<1-32 letters and digits>;} with optional extension fields.
 *
 * @param id the policy id; a change tells senders to fetch the policy again
 */
public record StsRecord(String id) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");

    public StsRecord {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id '" + id + "' is not 1 to 32 letters and digits");
        }
    }

    /**
     * Whether a TXT string is meant as an MTA-STS record (RFC 8461 section 3.1: other TXT records at the name are
     * discarded).
     *
     * @param text the concatenated strings of one TXT record
     * @return whether it starts with {@code v=STSv1;}
     */
    public static boolean isStsRecord(String text) {
        return text.startsWith("v=STSv1;") || text.equals("v=STSv1");
    }

    /**
     * Parses a record strictly.
     *
     * @param text the concatenated strings of one TXT record
     * @return the record
     * @throws IllegalArgumentException naming what is wrong
     */
    public static StsRecord parse(String text) {
        String[] fields = text.split(";", -1);
        if (!fields[0].equals("v=STSv1")) {
            throw new IllegalArgumentException("the record does not start with v=STSv1;");
        }
        String id = null;
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i].strip();
            if (field.isEmpty() && i == fields.length - 1) {
                break;
            }
            RecordField parsed = RecordField.parse(field, seen);
            if (parsed.name().equals("id")) {
                id = parsed.value();
            } else if (!parsed.isValidExtension()) {
                throw new IllegalArgumentException("field '" + field + "' is not a valid extension field");
            }
        }
        if (id == null) {
            throw new IllegalArgumentException("the record has no id");
        }
        return new StsRecord(id);
    }
}
