package org.tesjames.core.spf;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Turns an expanded domain-spec into a DNS name to query (RFC 7208 sections 4.3 and 7.3). */
final class SpfNames {
    /** Section 7.3: an expanded name longer than this loses labels on its left. */
    static final int MAX_LENGTH = 253;

    private SpfNames() {
    }

    /**
     * The name to query for an expanded domain: a final dot dropped, labels removed from the left while it is
     * longer than 253 characters (section 7.3), every other character of a label kept as it is (a domain-spec may
     * hold any printable character but {@code %}, section 7.1). Empty when no query can be made of it: an empty
     * label, or a label over 63 octets (the RFC leaves the result undefined; this is read as "no such name").
     */
    static Optional<Name> toName(String domain) {
        String text = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        while (text.length() > MAX_LENGTH) {
            int dot = text.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            text = text.substring(dot + 1);
        }
        if (text.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        int label = 0;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '.') {
                if (label == 0) {
                    return Optional.empty();
                }
                label = 0;
                escaped.append('.');
                continue;
            }
            label++;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                escaped.append((char) c);
            } else {
                escaped.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10))
                    .append((char) ('0' + c % 10));
            }
        }
        if (label == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Name.fromString(escaped.append('.').toString()));
        } catch (TextParseException e) {
            return Optional.empty();
        }
    }
}
