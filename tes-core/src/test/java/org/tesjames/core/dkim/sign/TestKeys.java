package org.tesjames.core.dkim.sign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;

import org.tesjames.core.dkim.DkimKeyType;

/** Key pairs generated once per test run (RSA generation is slow), and key files written from them. */
final class TestKeys {
    static final KeyPair RSA_1024 = rsa(1024);
    static final KeyPair RSA_2048 = DkimKeyFile.generate(DkimKeyType.RSA, 2048);
    static final KeyPair RSA_1024_B = rsa(1024);
    static final KeyPair RSA_768 = rsa(768);
    static final KeyPair ED25519 = DkimKeyFile.generate(DkimKeyType.ED25519, 0);
    static final KeyPair ED25519_B = DkimKeyFile.generate(DkimKeyType.ED25519, 0);

    private TestKeys() {
    }

    private static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code <root>/<domain>/<selector>.pem}. */
    static Path write(Path root, String domain, String selector, PrivateKey key) {
        return writeText(root, domain, selector, DkimKeyFile.pem(key));
    }

    static Path writeText(Path root, String domain, String selector, String text) {
        try {
            Path file = root.resolve(domain).resolve(selector + ".pem");
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
