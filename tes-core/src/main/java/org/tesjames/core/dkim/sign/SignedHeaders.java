package org.tesjames.core.dkim.sign;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which header fields a signature covers ({@code h=}).
 *
 * <p>Each listed field is signed once per occurrence in the message (a field absent from the message is not
 * listed); an <em>oversigned</em> field is listed once more than it occurs, so that adding another instance
 * (a second {@code From}) breaks the signature (RFC 6376 section 8.15). {@code From} is always signed and
 * always oversigned.
 *
 * @param fields the field names, in signing order, lower case, no duplicates, {@code from} included
 * @param oversigned the field names listed once more than they occur, lower case, {@code from} included
 */
public record SignedHeaders(List<String> fields, Set<String> oversigned) {
    private static final Pattern FIELD_NAME = Pattern.compile("[\\x21-\\x39\\x3b-\\x7e]+");

    /**
     * The default: {@code From} (oversigned), {@code Sender}, {@code Reply-To}, {@code To}, {@code Cc},
     * {@code Subject}, {@code Date}, {@code Message-ID}, {@code In-Reply-To}, {@code References},
     * {@code MIME-Version}, {@code Content-Type}, {@code Content-Transfer-Encoding}, {@code Content-ID},
     * {@code Content-Description}, {@code List-Id}, {@code List-Unsubscribe}, {@code List-Unsubscribe-Post}.
     */
    public static final SignedHeaders DEFAULT = of(List.of("From", "Sender", "Reply-To", "To", "Cc", "Subject",
        "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type",
        "Content-Transfer-Encoding", "Content-ID", "Content-Description", "List-Id", "List-Unsubscribe",
        "List-Unsubscribe-Post"), Set.of("From"));

    public SignedHeaders {
        fields = List.copyOf(fields);
        oversigned = Set.copyOf(oversigned);
    }

    /**
     * A header list; names are case-insensitive.
     *
     * @throws IllegalArgumentException for a name that is not a header field name, a duplicate, a list
     *     without {@code From}, an oversigned name not in the list, or {@code DKIM-Signature}
     */
    public static SignedHeaders of(List<String> fields, Set<String> oversigned) {
        Set<String> names = new LinkedHashSet<>();
        for (String field : fields) {
            String name = field.strip().toLowerCase(Locale.ROOT);
            if (!FIELD_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + field + "' is not a header field name");
            }
            if (name.equals("dkim-signature")) {
                throw new IllegalArgumentException("DKIM-Signature cannot be signed by this signer");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("header '" + field + "' listed twice");
            }
        }
        if (!names.contains("from")) {
            throw new IllegalArgumentException("the signed headers must include From (RFC 6376 section 5.4)");
        }
        Set<String> over = new LinkedHashSet<>();
        over.add("from");
        for (String field : oversigned) {
            String name = field.strip().toLowerCase(Locale.ROOT);
            if (!names.contains(name)) {
                throw new IllegalArgumentException("oversigned header '" + field + "' is not in the signed headers");
            }
            over.add(name);
        }
        return new SignedHeaders(List.copyOf(names), over);
    }
}
