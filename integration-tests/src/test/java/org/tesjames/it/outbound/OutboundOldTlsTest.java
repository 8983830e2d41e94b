package org.tesjames.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.it.outbound.OutboundRig.MX_PORT;
import static org.tesjames.it.outbound.OutboundRig.awaitDsn;
import static org.tesjames.it.outbound.OutboundRig.certificate;
import static org.tesjames.it.outbound.OutboundRig.member;
import static org.tesjames.it.outbound.OutboundRig.mx;
import static org.tesjames.it.outbound.OutboundRig.newSender;
import static org.tesjames.it.outbound.OutboundRig.nextAddress;
import static org.tesjames.it.outbound.OutboundRig.submit;

import java.time.Duration;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.tls.TestCertificate;

/**
 * A member's MX host that only speaks TLS 1.1 is never used, even with a matching TLSA record. Runs in the
 * {@code old-tls} fork, whose JVM re-enables TLSv1 and TLSv1.1: otherwise the JDK itself would refuse them and the
 * test would prove nothing about TES.
 */
@Tag("old-tls")
class OutboundOldTlsTest {
    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(OutboundRig.overlay());

    @Test
    void theJvmOfThisForkReallyOffersTls11() throws Exception {
        assertThat(SSLContext.getDefault().getDefaultSSLParameters().getProtocols()).contains("TLSv1.1");
    }

    @Test
    void aMemberMxLimitedToTls11IsNotUsedEvenWithAMatchingTlsa() throws Exception {
        TesJamesServer james = extension.james();
        TestDnsServer dns = extension.dns();
        String domain = "oldtls.test";
        member(dns, domain);
        String address = nextAddress();
        String host = mx(dns, domain, address);
        TestCertificate cert = certificate(host);
        dns.zone(domain).tlsa("_25._tcp.mx", 3, 1, 1, cert.certificate());
        String sender = newSender(james);
        try (RecordingSmtpSink sink = RecordingSmtpSink.builder().bindAddress(address).port(MX_PORT)
                .startTls(cert).tlsProtocols("TLSv1.1").start()) {
            submit(james, sender, "old tls", "bob@" + domain);

            String dsn = awaitDsn(james, sender, Duration.ofSeconds(60));
            assertThat(dsn).contains(host + ": ").contains("(TLS handshake with " + host + ":" + MX_PORT + ")");
            assertThat(sink.tlsHandshakeFailures()).isPositive();
            assertThat(sink.messages()).isEmpty();
            assertThat(sink.connections()).allSatisfy(c -> assertThat(c.tlsProtocol()).isEmpty());
        }
    }
}
