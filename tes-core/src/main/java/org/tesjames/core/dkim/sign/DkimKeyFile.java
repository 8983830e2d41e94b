package org.tesjames.core.dkim.sign;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMParser;
import org.tesjames.core.dkim.DkimKeyType;

/**
 * Reading, generating and writing DKIM private key files: unencrypted PKCS#8 in PEM
 * ({@code -----BEGIN PRIVATE KEY-----}), RSA or Ed25519, as {@code openssl genpkey} writes them.
 */
public final class DkimKeyFile {
    /** The RSA key size {@link #generate} uses by default. */
    public static final int DEFAULT_RSA_BITS = 2048;
    /** The smallest RSA key accepted for signing or generation (RFC 8301 section 3.2). */
    public static final int MIN_RSA_BITS = 1024;
    /** The largest RSA key generated: verifiers need only support keys up to 4096 bits (RFC 8301). */
    public static final int MAX_RSA_BITS = 4096;

    private static final int ED25519_KEY_LENGTH = 32;

    private DkimKeyFile() {
    }

    /** A key file that cannot be used, with the precise reason. */
    public static final class BadKeyException extends Exception {
        private final DkimKeyType type;

        BadKeyException(String reason, DkimKeyType type) {
            super(reason);
            this.type = type;
        }

        BadKeyException(String reason, DkimKeyType type, Throwable cause) {
            super(reason, cause);
            this.type = type;
        }

        /** The key type when it was recognised (an RSA key too short), null when it was not. */
        public DkimKeyType typeOrNull() {
            return type;
        }
    }

    /**
     * Reads and checks a key file.
     *
     * @throws IOException when the file cannot be read
     * @throws BadKeyException when it holds no usable key: not a PEM {@code PRIVATE KEY}, an unknown
     *     algorithm, an RSA key under {@value #MIN_RSA_BITS} bits, a malformed key
     */
    public static DkimKey read(Path file, String domain, String selector) throws IOException, BadKeyException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        return parse(pem, domain, selector, file);
    }

    /** Parses the PEM text of a key file; see {@link #read}. */
    public static DkimKey parse(String pem, String domain, String selector, Path file) throws BadKeyException {
        Object object;
        try (Reader reader = new StringReader(pem); PEMParser parser = new PEMParser(reader)) {
            object = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new BadKeyException("not a PEM file: " + e.getMessage(), null, e);
        }
        if (object == null) {
            throw new BadKeyException("no PEM block (expected -----BEGIN PRIVATE KEY-----)", null);
        }
        if (!(object instanceof PrivateKeyInfo info)) {
            throw new BadKeyException("PEM block is " + object.getClass().getSimpleName()
                + ", expected an unencrypted PKCS#8 -----BEGIN PRIVATE KEY-----", null);
        }
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            return rsa(info, domain, selector, file);
        }
        if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return ed25519(info, domain, selector, file);
        }
        throw new BadKeyException("unknown key algorithm " + algorithm.getId() + " (expected RSA "
            + PKCSObjectIdentifiers.rsaEncryption.getId() + " or Ed25519 " + EdECObjectIdentifiers.id_Ed25519.getId()
            + ")", null);
    }

    private static DkimKey rsa(PrivateKeyInfo info, String domain, String selector, Path file)
        throws BadKeyException {
        try {
            KeyFactory factory = KeyFactory.getInstance("RSA");
            PrivateKey key = factory.generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            if (!(key instanceof RSAPrivateCrtKey crt)) {
                throw new BadKeyException("RSA key without its public exponent (not a CRT key)", DkimKeyType.RSA);
            }
            int bits = crt.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw new BadKeyException("RSA key of " + bits + " bits is shorter than " + MIN_RSA_BITS
                    + " (RFC 8301)", DkimKeyType.RSA);
            }
            byte[] publicKey = factory.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()))
                .getEncoded();
            return new DkimKey(domain, selector, DkimKeyType.RSA, key, publicKey, bits, file);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new BadKeyException("malformed RSA key: " + e.getMessage(), DkimKeyType.RSA, e);
        }
    }

    private static DkimKey ed25519(PrivateKeyInfo info, String domain, String selector, Path file)
        throws BadKeyException {
        try {
            ASN1Encodable inner = info.parsePrivateKey();
            byte[] seed = ASN1OctetString.getInstance(inner).getOctets();
            if (seed.length != ED25519_KEY_LENGTH) {
                throw new BadKeyException("Ed25519 private key of " + seed.length + " bytes, expected 32",
                    DkimKeyType.ED25519);
            }
            byte[] publicKey = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            PrivateKey key = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            return new DkimKey(domain, selector, DkimKeyType.ED25519, key, publicKey, 256, file);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new BadKeyException("malformed Ed25519 key: " + e.getMessage(), DkimKeyType.ED25519, e);
        }
    }

    /**
     * Generates a key pair.
     *
     * @param bits the RSA modulus size ({@value #MIN_RSA_BITS} to {@value #MAX_RSA_BITS}); ignored for Ed25519
     * @throws IllegalArgumentException for an RSA size out of range
     */
    public static KeyPair generate(DkimKeyType type, int bits) {
        try {
            if (type == DkimKeyType.RSA) {
                if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
                    throw new IllegalArgumentException("RSA key size " + bits + " out of range " + MIN_RSA_BITS
                        + ".." + MAX_RSA_BITS + " (RFC 8301)");
                }
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(bits);
                return generator.generateKeyPair();
            }
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + type + " keys", e);
        }
    }

    /** The PKCS#8 PEM text of a private key. */
    public static String pem(PrivateKey key) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
    }

    /**
     * Writes a private key as a new PEM file (owner read/write only where the file system has POSIX
     * permissions), creating the parent directories.
     *
     * @throws FileAlreadyExistsException when the file exists: a key is never overwritten
     */
    public static void write(Path file, PrivateKey key) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        boolean posix = file.toAbsolutePath().getParent().getFileSystem().supportedFileAttributeViews()
            .contains("posix");
        if (posix) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, pem(key), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
