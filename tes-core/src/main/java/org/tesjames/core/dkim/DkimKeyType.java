package org.tesjames.core.dkim;

import java.util.Locale;
import java.util.Optional;

/**
 * The DKIM key types this extension signs with: RSA ({@code rsa-sha256}, RFC 6376, RFC 8301) and Ed25519
 * ({@code ed25519-sha256}, RFC 8463).
 */
public enum DkimKeyType {
    /** RSA, signing algorithm {@code rsa-sha256}; {@code k=rsa} in the key record. */
    RSA("rsa", "rsa-sha256"),
    /** Ed25519, signing algorithm {@code ed25519-sha256}; {@code k=ed25519} in the key record. */
    ED25519("ed25519", "ed25519-sha256");

    private final String keyTag;
    private final String algorithm;

    DkimKeyType(String keyTag, String algorithm) {
        this.keyTag = keyTag;
        this.algorithm = algorithm;
    }

    /** The value of the key record's {@code k=} tag: {@code rsa} or {@code ed25519}. */
    public String keyTag() {
        return keyTag;
    }

    /** The value of the signature's {@code a=} tag: {@code rsa-sha256} or {@code ed25519-sha256}. */
    public String algorithm() {
        return algorithm;
    }

    /** The type named by a {@code k=} value (case-insensitive), if it is one of ours. */
    public static Optional<DkimKeyType> ofKeyTag(String keyTag) {
        String lower = keyTag.trim().toLowerCase(Locale.ROOT);
        for (DkimKeyType type : values()) {
            if (type.keyTag.equals(lower)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
