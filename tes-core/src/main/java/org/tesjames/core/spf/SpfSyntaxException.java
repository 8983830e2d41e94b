package org.tesjames.core.spf;

/**
 * A syntax error in an SPF record (RFC 7208 section 4.6: the evaluation ends with {@code permerror}). Only thrown
 * while a record is parsed, and caught by {@link SpfRecord#parse(String)}'s callers within this package.
 */
final class SpfSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SpfSyntaxException(String message) {
        super(message, null, false, false);
    }
}
