package org.tesjames.core.tlsrpt;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.tesjames.core.util.RecordField;

/**
 * The TLS-RPT record of a policy domain, TXT {@code _smtp._tls.<domain>} (RFC 8460 section 3):
 * {@code v=TLSRPTv1; rua=<uri>[,<uri>...]} with optional extension fields, parsed strictly. Only {@code mailto:}
 * and {@code https:} destinations are used (the RFC defines no other); a URI of another scheme is left out and
 * named in {@link #ignored()}.
 *
 * @param destinations the usable {@code rua} destinations, in the published order, at least one
 * @param ignored the {@code rua} URIs of other schemes
 */
public record TlsRptRecord(List<ReportUri> destinations, List<String> ignored) {
    private static final String VERSION = "v=TLSRPTv1";
    private static final Pattern RECORD_START = Pattern.compile("v=TLSRPTv1[ \\t]*;");
    private static final Pattern FIELD_DELIMITER = Pattern.compile("[ \\t]*;[ \\t]*");
    private static final Pattern URI_DELIMITER = Pattern.compile("[ \\t]*,[ \\t]*");
    private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");
    private static final Pattern HOST = Pattern.compile(
        "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    public TlsRptRecord {
        destinations = List.copyOf(destinations);
        ignored = List.copyOf(ignored);
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("no mailto: or https: destination in rua");
        }
    }

    /**
     * Whether one TXT record is meant as a TLS-RPT record: others at the name are discarded (RFC 8460 section 3).
     *
     * @param text the concatenated strings of one TXT record
     * @return whether it starts with {@code v=TLSRPTv1;}
     */
    public static boolean isTlsRptRecord(String text) {
        return RECORD_START.matcher(text).lookingAt();
    }

    /**
     * Parses a record strictly.
     *
     * @param text the concatenated strings of one TXT record
     * @return the record
     * @throws IllegalArgumentException naming what is wrong
     */
    public static TlsRptRecord parse(String text) {
        String[] fields = FIELD_DELIMITER.split(text, -1);
        if (!fields[0].equals(VERSION)) {
            throw new IllegalArgumentException("the record does not start with " + VERSION + ";");
        }
        List<ReportUri> destinations = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean rua = false;
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i];
            if (field.isEmpty()) {
                if (i == fields.length - 1) {
                    break;
                }
                throw new IllegalArgumentException("empty field at position " + i);
            }
            RecordField parsed = RecordField.parse(field, seen);
            if (parsed.name().equals("rua")) {
                rua = true;
                for (String uri : URI_DELIMITER.split(parsed.value(), -1)) {
                    destination(uri).ifPresentOrElse(destinations::add, () -> ignored.add(uri));
                }
            } else if (parsed.name().equals("v")) {
                throw new IllegalArgumentException("field v is given twice");
            } else if (!parsed.isValidExtension()) {
                throw new IllegalArgumentException("field '" + field + "' is not a valid extension field");
            }
        }
        if (!rua) {
            throw new IllegalArgumentException("the record has no rua field");
        }
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("no mailto: or https: destination in rua (" + String.join(", ", ignored)
                + ")");
        }
        return new TlsRptRecord(destinations, ignored);
    }

    /** A destination of a supported scheme; empty for another (valid) scheme; an error for a malformed URI. */
    static Optional<ReportUri> destination(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty URI in rua");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("rua URI '" + text + "' is malformed: " + e.getMessage(), e);
        }
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("rua URI '" + text + "' has no scheme");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "mailto" -> Optional.of(mailto(text, uri));
            case "https" -> Optional.of(https(text, uri));
            default -> Optional.empty();
        };
    }

    private static ReportUri.Mailto mailto(String text, URI uri) {
        String address = uri.getRawSchemeSpecificPart();
        if (address.contains("?")) {
            throw new IllegalArgumentException("rua URI '" + text + "': header fields in a mailto: URI are not used"
                + " for reports");
        }
        address = URLDecoder.decode(address.replace("+", "%2B"), StandardCharsets.UTF_8);
        int at = address.lastIndexOf('@');
        if (at <= 0 || address.indexOf('@') != at || !LOCAL_PART.matcher(address.substring(0, at)).matches()
            || !HOST.matcher(address.substring(at + 1)).matches()) {
            throw new IllegalArgumentException("rua URI '" + text + "': '" + address + "' is not one mail address");
        }
        return new ReportUri.Mailto(text, address);
    }

    private static ReportUri.Https https(String text, URI uri) {
        if (uri.isOpaque() || uri.getHost() == null || !HOST.matcher(uri.getHost()).matches()) {
            throw new IllegalArgumentException("rua URI '" + text + "' has no valid host name");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("rua URI '" + text + "' carries user information");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("rua URI '" + text + "' has a fragment");
        }
        return new ReportUri.Https(text, uri);
    }
}
