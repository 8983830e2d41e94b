package org.tesjames.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * A fresh temporary directory of DKIM private keys laid out as {@code dkim.keys} expects
 * ({@code <directory>/<domain>/<selector>.pem}), whose keys' records can be published in the test DNS server.
 */
public final class DkimKeyDirectory {
    private final Path path;
    private final List<DkimKey> keys = new CopyOnWriteArrayList<>();

    private DkimKeyDirectory(Path path) {
        this.path = path;
    }

    /** An empty key directory under the system's temporary directory, deleted when the tests end. */
    public static DkimKeyDirectory create() {
        try {
            return new DkimKeyDirectory(TemporaryDirectories.deletedAtExit("tes-dkim-keys-it"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory, for {@code dkim.keys}. */
    public Path path() {
        return path;
    }

    /**
     * Generates a key (RSA-2048 or Ed25519), writes it as {@code <domain>/<selector>.pem} and returns it as read
     * back from that file.
     */
    public DkimKey write(String domain, DkimKeyType type, String selector) {
        try {
            Path file = path.resolve(domain).resolve(selector + ".pem");
            DkimKeyFile.write(file, DkimKeyFile.generate(type, type == DkimKeyType.RSA ? 2048 : 0).getPrivate());
            DkimKey key = DkimKeyFile.read(file, domain, selector);
            keys.add(key);
            return key;
        } catch (IOException | DkimKeyFile.BadKeyException e) {
            throw new IllegalStateException("cannot write the test DKIM key " + selector + " of " + domain, e);
        }
    }

    /** Publishes the record of every key written so far at {@code <selector>._domainkey.<domain>}. */
    public void publish(TestDnsServer dns) {
        for (DkimKey key : keys) {
            dns.zone(key.domain()).txt(key.selector() + "._domainkey", key.keyRecord().text());
        }
    }
}
