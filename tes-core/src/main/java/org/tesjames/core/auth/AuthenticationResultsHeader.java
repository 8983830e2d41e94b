package org.tesjames.core.auth;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;

import org.tesjames.core.dkim.verify.DkimFailureReason;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dmarc.AuthorDomain;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.SpfResult;

/**
 * The {@code Authentication-Results} header field (RFC 8601) of an {@link AuthenticationReport}, and the test
 * whether a field already in a message claims to be ours (RFC 8601 section 5: such fields, forged or relayed,
 * must be removed before ours is added).
 *
 * <p>{@link #render(String, AuthenticationReport)} gives one line, the field value without the name, results
 * separated by {@code "; "}:
 * <pre>
 * mx.example.net; dkim=pass header.d=example.com header.s=sel header.b=abcdefgh;
 *  dkim=fail reason="body hash mismatch" header.d=example.org header.s=s2 header.b=ijklmnop;
 *  spf=pass smtp.mailfrom=example.com; dmarc=pass (p=reject dis=none) header.from=example.com
 * </pre>
 * (shown folded here; {@code render} does not fold). In order: one {@code dkim} result per evaluated signature,
 * top to bottom ({@code dkim=none} when the message is unsigned); {@code spf} with {@code smtp.mailfrom} (the
 * MAIL FROM domain) or {@code smtp.helo} (null sender); {@code dmarc} with {@code header.from} for a single
 * Author Domain, the requested policy {@code p=} and the applied disposition {@code dis=} as a comment when a
 * record was found. Results other than {@code pass} and {@code none} carry {@code reason="..."} (section 2.3).
 * Reasons (SPF, DKIM and DMARC text, which may quote a DNS record or a header field) are cut to
 * {@value #REASON_LENGTH} characters (ending with {@code ...}), and keep {@code (} and {@code )} only in balanced
 * pairs; property values are cut to {@value #VALUE_LENGTH} characters likewise. Quoted strings escape {@code "}
 * and {@code \} with a backslash; a tab becomes a space, other control characters (CR, LF, NUL, ...) and
 * non-ASCII characters become {@code ?}. Values that are not RFC 2045 tokens (a {@code header.b} with
 * {@code /}, for instance) are quoted. The rendered value is therefore one line of printable ASCII.
 *
 * <p>Folding: {@link #fold(String)} folds a rendered value (CRLF and a tab in place of a space) at the {@code ;}
 * result boundaries, so that each line of the field {@code Authentication-Results: value} stays within 78
 * characters where the results allow; a result longer than a line of its own is folded between its elements
 * (method, reason, properties: RFC 8601 allows folding white space there), never inside a quoted string. With
 * the limits above no element is longer than about 530 characters, so no line of a folded field passes the 998
 * octets of RFC 5322 section 2.1.1. Callers hand the folded value to JavaMail's {@code addHeader}.
 */
public final class AuthenticationResultsHeader {
    public static final String NAME = "Authentication-Results";
    /** How many characters of {@code b=} {@code header.b} carries (RFC 6008 section 4: at least 8). */
    public static final int HEADER_B_LENGTH = 8;
    /** The characters of an RFC 2045 token, as {@code TOKEN_CHARS[c]} for {@code c < 128}. */
    private static final boolean[] TOKEN_CHARS = tokenChars();
    /** The longest reason rendered, in characters before quoting. */
    public static final int REASON_LENGTH = 200;
    /** The longest property value rendered ({@code header.d}, {@code smtp.mailfrom}, ...), before quoting. */
    public static final int VALUE_LENGTH = 255;
    private static final String ELLIPSIS = "...";
    private static final int LINE_LIMIT = 78;
    private static final int CONTINUATION_COLUMN = 8;

    private AuthenticationResultsHeader() {
    }

    /** The field value for this report, unfolded, without the field name. */
    public static String render(String authservId, AuthenticationReport report) {
        Objects.requireNonNull(authservId);
        Objects.requireNonNull(report);
        if (!isToken(authservId)) {
            throw new IllegalArgumentException("the authserv-id must be a token (a host name): " + authservId);
        }
        StringBuilder value = new StringBuilder(160).append(authservId);
        if (report.dkim().signatures().isEmpty()) {
            value.append("; dkim=none");
        }
        for (DkimSignatureResult signature : report.dkim().signatures()) {
            dkim(value.append("; "), signature);
        }
        spf(value.append("; "), report.spf());
        dmarc(value.append("; "), report);
        return value.toString();
    }

    private static void dkim(StringBuilder result, DkimSignatureResult signature) {
        result.append("dkim=").append(signature.result().keyword());
        if (signature.reason() != DkimFailureReason.NONE) {
            result.append(" reason=").append(reason(describe(signature.reason())));
        }
        property(result, "header.d", signature.domain());
        property(result, "header.s", signature.selector());
        if (!signature.signatureData().isEmpty()) {
            String b = signature.signatureData();
            property(result, "header.b", b.substring(0, Math.min(HEADER_B_LENGTH, b.length())));
        }
        if (!signature.algorithm().isEmpty()) {
            property(result, "header.a", signature.algorithm());
        }
    }

    private static void spf(StringBuilder result, SpfCheck spf) {
        result.append("spf=").append(spf.result().keyword());
        if (spf.result() != SpfResult.PASS && spf.result() != SpfResult.NONE && !spf.reason().isEmpty()) {
            result.append(" reason=").append(reason(spf.reason()));
        }
        property(result, SpfCheck.HELO.equals(spf.identity()) ? "smtp.helo" : "smtp.mailfrom", spf.domain());
    }

    private static void dmarc(StringBuilder result, AuthenticationReport report) {
        DmarcResult dmarc = report.dmarc();
        result.append("dmarc=").append(dmarc.result().token());
        if (report.policy().isPresent() && report.policy().get() instanceof DmarcPolicyDiscovery.Found found) {
            result.append(" (p=").append(found.appliedPolicy().token())
                .append(" dis=").append(dmarc.disposition().token()).append(')');
        }
        if (dmarc.result() == DmarcResult.Result.TEMPERROR || dmarc.result() == DmarcResult.Result.PERMERROR) {
            result.append(" reason=").append(reason(dmarc.reason()));
        }
        if (report.author() instanceof AuthorDomain.Single single) {
            property(result, "header.from", single.domain());
        }
    }

    private static String describe(DkimFailureReason reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static void property(StringBuilder result, String name, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        String bounded = cut(value, VALUE_LENGTH);
        result.append(' ').append(name).append('=')
            .append(isToken(bounded) ? bounded : quoted(bounded));
    }

    /** A reason as a quoted string: cut to {@link #REASON_LENGTH}, unbalanced parentheses dropped. */
    static String reason(String text) {
        return quoted(balanced(cut(text, REASON_LENGTH)));
    }

    private static String cut(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length - ELLIPSIS.length()) + ELLIPSIS;
    }

    /** The text without the {@code )} that close nothing and the {@code (} that are never closed. */
    static String balanced(String text) {
        if (text.indexOf('(') < 0 && text.indexOf(')') < 0) {
            return text;
        }
        boolean[] drop = new boolean[text.length()];
        ArrayDeque<Integer> open = new ArrayDeque<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                open.push(i);
            } else if (c == ')') {
                if (open.isEmpty()) {
                    drop[i] = true;
                } else {
                    open.pop();
                }
            }
        }
        for (int i : open) {
            drop[i] = true;
        }
        StringBuilder kept = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (!drop[i]) {
                kept.append(text.charAt(i));
            }
        }
        return kept.toString();
    }

    /** An RFC 5322 quoted-string of printable ASCII: {@code "} and {@code \} escaped, others replaced by '?'. */
    static String quoted(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c == '\t') {
                quoted.append(' ');
            } else if (c < 0x20 || c > 0x7e) {
                quoted.append('?');
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /**
     * Folds a value made by {@link #render(String, AuthenticationReport)} for a field named {@link #NAME}: a line
     * break (CRLF, tab) replaces the space after a {@code ;} that separates results (not one inside a quoted
     * string or comment) when the line would otherwise pass 78 characters. A result that does not fit on a line
     * of its own starts a new line and is folded at the spaces between its elements (outside quoted strings and
     * comments) likewise, and the next result starts a new line; an element longer than a line stays whole.
     * Replacing each CRLF and tab by a space gives
     * the value back.
     */
    public static String fold(String value) {
        StringBuilder folded = new StringBuilder(value.length() + 16);
        int column = NAME.length() + 2;
        boolean split = false;
        // one result at a time, [from, end) of the value, without copying it: a value is folded for every message
        for (int start = 0; ; ) {
            int end = nextOutside(value, start, ';');
            boolean first = start == 0;
            boolean last = end == value.length();
            int from = start;
            while (!first && from < end && Character.isWhitespace(value.charAt(from))) {
                from++;
            }
            int length = end - from + (last ? 0 : 1);
            boolean fitsAlone = CONTINUATION_COLUMN + length <= LINE_LIMIT;
            if (!first) {
                if (split || column + 1 + length > LINE_LIMIT) {
                    folded.append("\r\n\t");
                    column = CONTINUATION_COLUMN;
                } else {
                    folded.append(' ');
                    column++;
                }
            }
            split = false;
            if (fitsAlone || column + length <= LINE_LIMIT) {
                folded.append(value, from, end);
                if (!last) {
                    folded.append(';');
                }
                column += length;
            } else {
                split = true;
                column = foldWords(folded, value.substring(from, end) + (last ? "" : ";"), column);
            }
            if (last) {
                return folded.toString();
            }
            start = end + 1;
        }
    }

    /** Appends a result too long for a line at the spaces between its elements; gives the column after it. */
    private static int foldWords(StringBuilder folded, String piece, int column) {
        for (int start = 0; ; ) {
            int end = nextOutside(piece, start, ' ');
            if (start > 0) {
                if (column + 1 + end - start > LINE_LIMIT && column > CONTINUATION_COLUMN) {
                    folded.append("\r\n\t");
                    column = CONTINUATION_COLUMN;
                } else {
                    folded.append(' ');
                    column++;
                }
            }
            folded.append(piece, start, end);
            column += end - start;
            if (end == piece.length()) {
                return column;
            }
            start = end + 1;
        }
    }

    /**
     * The index of the next {@code separator} at or after {@code from} outside quoted strings and comments (the
     * length of the value when there is none); {@code from} must be outside them too.
     */
    private static int nextOutside(String value, int from, char separator) {
        boolean quoted = false;
        int depth = 0;
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && (quoted || depth > 0) && i + 1 < value.length()) {
                i++;
            } else if (c == '"' && depth == 0) {
                quoted = !quoted;
            } else if (c == '(' && !quoted) {
                depth++;
            } else if (c == ')' && !quoted && depth > 0) {
                depth--;
            } else if (c == separator && !quoted && depth == 0) {
                return i;
            }
        }
        return value.length();
    }

    /**
     * Whether an {@code Authentication-Results} field claims to come from {@code authservId}: its authserv-id
     * (after any comments and folding white space; a token or a quoted string; an optional version number after
     * it is skipped) equals ours, case-insensitively and ignoring a final dot. {@code fieldValue} is the field
     * value; a leading {@code Authentication-Results:} field name is tolerated. A value that does not parse that
     * far does not claim anything.
     */
    public static boolean claims(String fieldValue, String authservId) {
        Objects.requireNonNull(authservId);
        if (fieldValue == null) {
            return false;
        }
        String value = fieldValue.replace("\r\n", "").replace("\n", "");
        int start = skipCfws(value, 0);
        if (start < 0) {
            return false;
        }
        if (value.regionMatches(true, start, NAME, 0, NAME.length())) {
            int colon = skipCfws(value, start + NAME.length());
            if (colon >= 0 && colon < value.length() && value.charAt(colon) == ':') {
                start = skipCfws(value, colon + 1);
                if (start < 0) {
                    return false;
                }
            }
        }
        String id;
        if (start < value.length() && value.charAt(start) == '"') {
            StringBuilder unquoted = new StringBuilder();
            int i = start + 1;
            for (; i < value.length() && value.charAt(i) != '"'; i++) {
                char c = value.charAt(i);
                if (c == '\\' && i + 1 < value.length()) {
                    c = value.charAt(++i);
                }
                unquoted.append(c);
            }
            if (i >= value.length()) {
                return false;
            }
            id = unquoted.toString().strip();
        } else {
            int end = start;
            while (end < value.length() && isTokenChar(value.charAt(end))) {
                end++;
            }
            id = value.substring(start, end);
        }
        return !id.isEmpty() && withoutDot(id).equalsIgnoreCase(withoutDot(authservId.strip()));
    }

    /** Whether the text is a non-empty RFC 2045 token: printable ASCII without specials and without space. */
    private static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!isTokenChar(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTokenChar(char c) {
        return c < TOKEN_CHARS.length && TOKEN_CHARS[c];
    }

    private static boolean[] tokenChars() {
        boolean[] token = new boolean[128];
        for (char c = '!'; c <= '~'; c++) {
            token[c] = "()<>@,;:\\\"/[]?=".indexOf(c) < 0;
        }
        return token;
    }

    private static String withoutDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** The index after white space and (nested) comments from {@code from}; -1 for an unclosed comment. */
    private static int skipCfws(String value, int from) {
        int i = from;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
            } else if (c == '(') {
                int depth = 0;
                for (; i < value.length(); i++) {
                    char d = value.charAt(i);
                    if (d == '\\') {
                        i++;
                    } else if (d == '(') {
                        depth++;
                    } else if (d == ')') {
                        depth--;
                        if (depth == 0) {
                            break;
                        }
                    }
                }
                if (depth != 0) {
                    return -1;
                }
                i++;
            } else {
                break;
            }
        }
        return i;
    }
}
