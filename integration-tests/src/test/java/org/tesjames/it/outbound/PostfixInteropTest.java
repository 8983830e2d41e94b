package org.tesjames.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.it.outbound.OutboundRig.MX_PORT;
import static org.tesjames.it.outbound.OutboundRig.awaitDsn;
import static org.tesjames.it.outbound.OutboundRig.newSender;
import static org.tesjames.it.outbound.OutboundRig.submit;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.NsdServer;
import org.tesjames.it.harness.PostfixServer;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.it.harness.ValidatingInteropDns;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

/**
 * A member delivery to Postfix (Debian) as the receiving MX, its certificate published as TLSA 3 1 1 in zones
 * signed by ldns-signzone, served by NSD and validated by unbound, which is the TES resolver ({@code trust-ad}).
 * With a TLSA record that does not match Postfix's certificate, the delivery is deferred and finally bounced with
 * the reason. The membership chain of both domains is in the same DNS.
 */
@Tag("interop")
class PostfixInteropTest {
    private static ValidatingInteropDns interopDns;
    private static PostfixServer postfix;
    private static TestDnsServer unusedTestDns;
    private static TesJamesServer james;

    @BeforeAll
    static void startPeers() throws Exception {
        TestCertificate certificate = TestCertificates.selfSigned("mx.pfx.test");
        String matching = HexFormat.of().formatHex(certificate.tlsaAssociationData(1, 1));
        String other = HexFormat.of().formatHex(TestCertificates.selfSigned("other.test").tlsaAssociationData(1, 1));
        postfix = PostfixServer.start(MX_PORT, certificate, "pfx.test", "wrong.test");
        interopDns = ValidatingInteropDns.start(Map.of(
                "pfx.test", member("pfx.test", matching),
                "wrong.test", member("wrong.test", other)),
            Map.of("trusted-email-services.com", NsdServer.zone("trusted-email-services.com",
                "master.pfx.test.tes-member IN TXT \"v=TES1\"",
                "master.wrong.test.tes-member IN TXT \"v=TES1\"")),
            "mx.pfx.test");
        unusedTestDns = TesJamesExtension.internetLikeDns();
        james = TesJamesServer.start(unusedTestDns, OutboundRig.overlay().andThen(conf -> conf
            .modify("tes.properties", text -> text + "\ndns.resolvers=127.0.0.1:" + interopDns.resolver().getPort()
                + "\ndnssec.mode=trust-ad\n")));
    }

    private static String member(String domain, String tlsa) {
        return NsdServer.zone(domain,
            "@ IN MX 10 mx." + domain + ".",
            "mx IN A 127.0.0.1",
            "_25._tcp.mx IN TLSA 3 1 1 " + tlsa,
            "tes-master IN CNAME master." + domain + ".",
            "master IN A 127.0.0.1",
            domain + ".tes-member.master IN TXT \"v=TES1\"");
    }

    @AfterAll
    static void stopPeers() throws Exception {
        try {
            if (james != null) {
                james.close();
            }
        } finally {
            if (postfix != null) {
                postfix.close();
            }
            if (interopDns != null) {
                interopDns.close();
            }
            if (unusedTestDns != null) {
                unusedTestDns.close();
            }
        }
    }

    @Test
    void aMemberDeliveryToPostfixIsDaneVerifiedAndAccepted() throws Exception {
        submit(james, newSender(james), "to postfix", "bob@pfx.test");

        Awaitility.await("Postfix accepted the mail").atMost(Duration.ofSeconds(60))
            .until(() -> postfix.log().contains("to=<bob@pfx.test>") && postfix.log().contains("status=sent"));
        assertThat(postfix.log()).containsPattern("TLS connection established from localhost\\[127\\.0\\.0\\.1\\]: "
            + "TLSv1\\.[23]");
    }

    @Test
    void aWrongTlsaDefersTheDeliveryAndTheBounceSaysWhy() throws Exception {
        String sender = newSender(james);
        submit(james, sender, "to postfix, wrong tlsa", "bob@wrong.test");

        String dsn = awaitDsn(james, sender, Duration.ofSeconds(60));
        assertThat(dsn).contains("mx.wrong.test: certificate does not match TLSA");
        assertThat(postfix.log()).doesNotContain("to=<bob@wrong.test>");
    }
}
