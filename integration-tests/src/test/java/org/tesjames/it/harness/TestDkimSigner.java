package org.tesjames.it.harness;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimSignature;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * A sending domain's DKIM key for tests: an RSA-2048 key whose record is published in the test DNS server at
 * {@code s1._domainkey.<domain>}, and the project's signer to sign messages as that domain would.
 */
public record TestDkimSigner(String domain, DkimKey key) {
    public static final String SELECTOR = "s1";

    /** Generates a key for the domain and publishes its record in the test DNS server. */
    public static TestDkimSigner publish(TestDnsServer dns, String domain) {
        TestDkimSigner signer = generate(domain);
        dns.zone(domain).txt(SELECTOR + "._domainkey", signer.key().keyRecord().text());
        return signer;
    }

    /** Generates a key for the domain; its record is for the caller to publish ({@link #masterFileRecord}). */
    public static TestDkimSigner generate(String domain) {
        return new TestDkimSigner(domain, DkimKeyDirectory.create().write(domain, DkimKeyType.RSA, SELECTOR));
    }

    /** The key record as a master-file line relative to the domain's origin, e.g. for NSD. */
    public String masterFileRecord() {
        return SELECTOR + "._domainkey IN TXT \"" + String.join("\" \"", recordStrings()) + "\"";
    }

    /** The message (CRLF line ends) with this domain's {@code DKIM-Signature} prepended. */
    public String sign(String message) {
        DkimSigner signer = new DkimSigner(requested -> requested.equalsIgnoreCase(domain) ? List.of(key) : List.of(),
            Clock.systemUTC());
        StringBuilder signed = new StringBuilder();
        for (DkimSignature signature : signer.sign(domain, message.getBytes(StandardCharsets.UTF_8)).signatures()) {
            signed.append(signature.headerField()).append("\r\n");
        }
        if (signed.isEmpty()) {
            throw new IllegalStateException("no signature made for " + domain);
        }
        return signed + message;
    }

    /** The key record's text as character-strings of at most 255 octets. */
    private String[] recordStrings() {
        String text = key.keyRecord().text();
        int count = (text.length() + 254) / 255;
        String[] parts = new String[count];
        for (int i = 0; i < count; i++) {
            parts[i] = text.substring(i * 255, Math.min(text.length(), (i + 1) * 255));
        }
        return parts;
    }
}
