package org.tesjames.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.NsdServer;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.PostfixServer;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.it.harness.ValidatingInteropDns;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.tesjames.testing.tls.TestCertificates;

/**
 * The other direction: Postfix (Debian) with {@code smtp_tls_security_level = dane} and
 * {@code smtp_dns_support_level = dnssec} delivers to James's inbound listener, whose certificate is published as
 * TLSA 3 1 1 in a zone signed by ldns-signzone, served by NSD and validated by unbound. Postfix's DNS client only
 * queries port 53, so unbound listens on 127.0.0.153:53 (root) and Postfix's SMTP client runs chrooted with its own
 * {@code resolv.conf}. Postfix must log a verified TLS connection, and James must accept the mail.
 */
@Tag("interop")
class PostfixDaneToJamesInteropTest {
    private static final String RECIPIENT = "alice@james.test";
    private static final String MISMATCH_RECIPIENT = "carol@mismatch.test";
    private static TestDnsServer testDns;
    private static TesJamesServer james;
    private static ValidatingInteropDns interopDns;
    private static PostfixServer postfix;

    @BeforeAll
    static void startPeers() throws Exception {
        testDns = TesJamesExtension.internetLikeDns();
        james = TesJamesServer.start(testDns, conf -> { });
        james.addDomain("james.test");
        james.addUser(RECIPIENT, "secret-Pa55");
        james.addDomain("mismatch.test");
        james.addUser(MISMATCH_RECIPIENT, "secret-Pa55");
        int port = james.inboundPort();
        String tlsa = HexFormat.of().formatHex(james.certificate().tlsaAssociationData(1, 1));
        String other = HexFormat.of().formatHex(TestCertificates.selfSigned("other.test").tlsaAssociationData(1, 1));
        interopDns = ValidatingInteropDns.start(Map.of("james.test", NsdServer.zone("james.test",
                "@ IN MX 10 mx.james.test.",
                "mx IN A 127.0.0.1",
                "_" + port + "._tcp.mx IN TLSA 3 1 1 " + tlsa,
                "mx2 IN A 127.0.0.1",
                "_" + port + "._tcp.mx2 IN TLSA 3 1 1 " + other)),
            Map.of(), "mx.james.test",
            new InetSocketAddress(InetAddress.getByName("127.0.0.153"), 53));
        postfix = PostfixServer.startConfigured(OutboundPorts.free(), TestCertificates.selfSigned("relay.sender.test"), """
                transport_maps = inline:{james.test=smtp:[mx.james.test]:%1$d, mismatch.test=smtp:[mx2.james.test]:%1$d}
                smtp_dns_support_level = dnssec
                smtp_tls_security_level = dane
                smtp_tls_loglevel = 1
                """.formatted(port), "127.0.0.153", "james.test", "mismatch.test");
    }

    @AfterAll
    static void stopPeers() throws Exception {
        try {
            if (postfix != null) {
                postfix.close();
            }
            if (interopDns != null) {
                interopDns.close();
            }
        } finally {
            if (james != null) {
                james.close();
            }
            if (testDns != null) {
                testDns.close();
            }
        }
    }

    @Test
    void postfixDeliversToJamesOverDaneVerifiedTls() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", postfix.port())) {
            client.ehlo("client.sender.test");
            assertThat(client.mailFrom("bob@sender.test").code()).isEqualTo(250);
            assertThat(client.rcptTo(RECIPIENT).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message("From: bob@sender.test\r\nTo: " + RECIPIENT
                + "\r\nSubject: from postfix\r\n\r\nhello\r\n").code()).isEqualTo(250);
        }

        List<MimeMessage> inbox;
        try {
            inbox = james.awaitInbox(RECIPIENT, 1, Duration.ofSeconds(60));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nPostfix log:\n" + postfix.log(), e);
        }
        assertThat(inbox.get(0).getSubject()).isEqualTo("from postfix");
        assertThat(postfix.log()).contains("Verified TLS connection established to mx.james.test[127.0.0.1]:"
            + james.inboundPort());
    }

    @Test
    void postfixDefersWhenJamesCertificateDoesNotMatchTheTlsa() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", postfix.port())) {
            client.ehlo("client.sender.test");
            assertThat(client.mailFrom("bob@sender.test").code()).isEqualTo(250);
            assertThat(client.rcptTo(MISMATCH_RECIPIENT).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message("From: bob@sender.test\r\nTo: " + MISMATCH_RECIPIENT
                + "\r\nSubject: mismatch\r\n\r\nhello\r\n").code()).isEqualTo(250);
        }

        org.awaitility.Awaitility.await("Postfix deferred the mail").atMost(Duration.ofSeconds(60))
            .until(() -> java.util.regex.Pattern.compile("to=<" + MISMATCH_RECIPIENT + ">.*status=deferred")
                .matcher(postfix.log()).find());
        assertThat(postfix.log()).doesNotContain("Verified TLS connection established to mx2.james.test");
        assertThat(james.inbox(MISMATCH_RECIPIENT)).isEmpty();
    }
}
