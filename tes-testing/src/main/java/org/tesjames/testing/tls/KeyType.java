package org.tesjames.testing.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.EnumMap;
import java.util.Map;

/**
 * Key algorithms available for test certificates.
 *
 * <p>{@link #generate()} creates a fresh key pair; {@link #shared()} returns one key pair per key type
 * that is generated once per JVM and then reused (handy when many certificates are needed and their keys
 * need not differ).
 */
public enum KeyType {
    /** RSA with a 2048-bit modulus, signing with SHA256withRSA. */
    RSA_2048("RSA", "SHA256withRSA"),
    /** ECDSA on the NIST P-256 curve (secp256r1), signing with SHA256withECDSA. */
    EC_P256("EC", "SHA256withECDSA");

    private static final Map<KeyType, KeyPair> SHARED = new EnumMap<>(KeyType.class);

    private final String algorithm;
    private final String signatureAlgorithm;

    KeyType(String algorithm, String signatureAlgorithm) {
        this.algorithm = algorithm;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /**
     * The JCA key algorithm name ({@code RSA} or {@code EC}).
     *
     * @return the key algorithm name
     */
    public String algorithm() {
        return algorithm;
    }

    /**
     * The JCA signature algorithm used when a key of this type signs a certificate.
     *
     * @return the signature algorithm name
     */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /**
     * Generates a new key pair of this type.
     *
     * @return a fresh key pair
     */
    public KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (this == RSA_2048) {
                generator.initialize(2048);
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate " + this + " key pair", e);
        }
    }

    /**
     * Returns the key pair of this type shared by the whole JVM, generating it on first use.
     *
     * @return the shared key pair (always the same instance for this type)
     */
    public KeyPair shared() {
        synchronized (SHARED) {
            return SHARED.computeIfAbsent(this, KeyType::generate);
        }
    }

    /**
     * Determines the key type of an existing key pair.
     *
     * @param keyPair an RSA or EC key pair
     * @return the matching key type
     * @throws IllegalArgumentException for other algorithms
     */
    public static KeyType of(KeyPair keyPair) {
        String alg = keyPair.getPublic().getAlgorithm();
        if ("RSA".equalsIgnoreCase(alg)) {
            return RSA_2048;
        }
        if ("EC".equalsIgnoreCase(alg)) {
            return EC_P256;
        }
        throw new IllegalArgumentException("Unsupported key algorithm: " + alg);
    }
}
