package org.tesjames.core.dkim.sign;

import java.util.Objects;

import org.tesjames.core.dkim.DkimKeyType;

/**
 * One {@code DKIM-Signature} header produced by {@link DkimSigner}.
 *
 * @param domain the signing domain {@code d=}
 * @param selector the selector {@code s=}
 * @param type the key type ({@code a=rsa-sha256} or {@code a=ed25519-sha256})
 * @param value the header field value, folded with CRLF + TAB, without the field name
 */
public record DkimSignature(String domain, String selector, DkimKeyType type, String value) {
    /** The header field name. */
    public static final String HEADER = "DKIM-Signature";

    public DkimSignature {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** The whole header field, {@code DKIM-Signature: <value>}, without the final CRLF. */
    public String headerField() {
        return HEADER + ": " + value;
    }
}
