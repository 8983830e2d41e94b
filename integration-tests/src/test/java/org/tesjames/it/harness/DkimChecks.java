package org.tesjames.it.harness;

import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * Checks of the DKIM signatures on a message: with the project's verifier, keys fetched from the test DNS
 * server, and independently with James's jDKIM given one key.
 */
public final class DkimChecks {
    private DkimChecks() {
    }

    /** Every signature's result from the project's verifier, keys looked up in the test DNS server. */
    public static List<DkimSignatureResult> verify(TestDnsServer dns, byte[] message) throws Exception {
        DkimVerifier verifier = new DkimVerifier(DnsJavaClient.create(List.of(dns.address()),
            Duration.ofSeconds(3), 1), Clock.systemUTC());
        return verifier.verify(message).toCompletableFuture().get(30, TimeUnit.SECONDS).signatures();
    }

    /**
     * The signatures jDKIM verifies as {@code domain/selector}, with this key the only record it can find
     * (empty when none verifies).
     */
    public static List<String> jdkimVerified(byte[] message, DkimKey key) throws Exception {
        DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) ->
            (selector + "._domainkey." + domain).equals(key.selector() + "._domainkey." + key.domain())
                ? List.of(key.keyRecord().text()) : List.of());
        List<SignatureRecord> records = verifier.verify(new ByteArrayInputStream(message));
        return records == null ? List.of()
            : records.stream().map(record -> record.getDToken() + "/" + record.getSelector()).toList();
    }
}
