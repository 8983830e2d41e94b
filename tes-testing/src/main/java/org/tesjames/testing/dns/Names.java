package org.tesjames.testing.dns;

import java.util.Locale;
import java.util.Objects;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Parsing and normalisation of the domain names given as strings to the public API. */
final class Names {

    private Names() {
    }

    /**
     * Parses an absolute name; a trailing dot is optional ({@code "Example.COM"} and {@code "example.com."}
     * are the same name). {@code "."} or {@code ""} is the root.
     */
    static Name absolute(String name) {
        Objects.requireNonNull(name, "name");
        String s = name.trim();
        if (s.isEmpty() || s.equals(".")) {
            return Name.root;
        }
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".").canonicalize();
        } catch (TextParseException e) {
            throw new IllegalArgumentException("Invalid domain name: " + name, e);
        }
    }

    /**
     * Parses a record owner name given relative to a zone: {@code "@"} or {@code ""} is the apex; a name
     * ending with a dot, or ending with the zone's name, is absolute; anything else is relative to the
     * origin ({@code "_dmarc"}, {@code "sel._domainkey"}).
     */
    static Name owner(String name, Name origin) {
        Objects.requireNonNull(name, "name");
        String s = name.trim();
        if (s.isEmpty() || s.equals("@")) {
            return origin;
        }
        if (s.endsWith(".") || origin.equals(Name.root) || endsWithOrigin(s, origin)) {
            return absolute(s);
        }
        try {
            return Name.fromString(s, origin).canonicalize();
        } catch (TextParseException e) {
            throw new IllegalArgumentException("Invalid domain name: " + name, e);
        }
    }

    /**
     * Parses a name found in record data (a CNAME, MX or NS target): {@code "@"} is the apex, a single
     * label (no dot) is relative to the origin ({@code "mail"}), anything containing a dot is absolute
     * ({@code "mx.example.net"}).
     */
    static Name target(String name, Name origin) {
        Objects.requireNonNull(name, "name");
        String s = name.trim();
        if (s.isEmpty() || s.equals("@")) {
            return origin;
        }
        if (s.indexOf('.') >= 0) {
            return absolute(s);
        }
        return owner(s, origin);
    }

    /** The lower-case, dot-terminated text form used as key in counters and fault tables. */
    static String key(Name name) {
        return name.canonicalize().toString();
    }

    private static boolean endsWithOrigin(String s, Name origin) {
        String lower = s.toLowerCase(Locale.ROOT);
        String o = origin.toString(true).toLowerCase(Locale.ROOT);
        return lower.equals(o) || lower.endsWith("." + o);
    }
}
