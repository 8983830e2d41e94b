package org.tesjames.core.dkim.sign;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Objects;

import org.tesjames.core.dkim.DkimKeyRecord;
import org.tesjames.core.dkim.DkimKeyType;

/**
 * A DKIM signing key: the private key with the public key to publish.
 *
 * @param domain the signing domain {@code d=}, normalised (lower case, A-labels)
 * @param selector the selector {@code s=}
 * @param type RSA or Ed25519
 * @param privateKey the JDK private key ({@code RSA} or {@code Ed25519})
 * @param publicKey the public key as the key record's {@code p=} carries it: DER SubjectPublicKeyInfo for
 *     RSA, the raw 32 bytes for Ed25519 (RFC 8463)
 * @param bits the RSA modulus size, 256 for Ed25519
 * @param file the file it was read from
 */
public record DkimKey(String domain, String selector, DkimKeyType type, PrivateKey privateKey, byte[] publicKey,
                      int bits, Path file) {
    public DkimKey {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(privateKey, "privateKey");
        publicKey = publicKey.clone();
        Objects.requireNonNull(file, "file");
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The key record to publish at {@code <selector>._domainkey.<domain>}. */
    public DkimKeyRecord keyRecord() {
        return DkimKeyRecord.of(type, publicKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DkimKey other && domain.equals(other.domain) && selector.equals(other.selector)
            && type == other.type && Arrays.equals(publicKey, other.publicKey) && file.equals(other.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, selector, type, Arrays.hashCode(publicKey), file);
    }

    @Override
    public String toString() {
        return "DkimKey[d=" + domain + ", s=" + selector + ", " + type.keyTag() + " " + bits + " bits, " + file + "]";
    }
}
