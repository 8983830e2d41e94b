package org.tesjames.core.dnssec;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the DNSSEC trust anchors come from (setting {@code dnssec.anchors}): the IANA root anchors shipped with
 * TES, or a file. Only the location: {@link TrustAnchors#load(TrustAnchorSource, java.util.function.Function)}
 * reads it.
 */
public sealed interface TrustAnchorSource {
    /** The setting value naming the shipped anchors. */
    String BUILTIN = "builtin";

    /** The IANA root zone DS set shipped in tes-core ({@link TrustAnchors#builtin()}). */
    record Builtin() implements TrustAnchorSource {
        @Override
        public String toString() {
            return BUILTIN;
        }
    }

    /**
     * A trust anchor file: DS or DNSKEY records in master-file format.
     *
     * @param path the file; a relative path is resolved by the caller (TES: against James's {@code conf/})
     */
    record File(Path path) implements TrustAnchorSource {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * Parses a setting value: {@code builtin} or a file path.
     *
     * @param text the value
     * @return the source
     * @throws IllegalArgumentException if the value is empty or not a path
     */
    static TrustAnchorSource parse(String text) {
        String trimmed = text.trim();
        if (trimmed.equals(BUILTIN)) {
            return new Builtin();
        }
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("expected '" + BUILTIN + "' or the path of a trust anchor file");
        }
        try {
            return new File(Path.of(trimmed));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a file path: " + e.getMessage(), e);
        }
    }
}
