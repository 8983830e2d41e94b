package org.tesjames.core.dnssec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class DnssecClientsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void trustAdRefusesAResolverOffLoopback() {
        assertThatThrownBy(() -> DnssecClients.trustingAd(
                List.of(new InetSocketAddress("127.0.0.1", 53), new InetSocketAddress("192.0.2.1", 53)), TIMEOUT, 0,
                false))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("192.0.2.1").hasMessageContaining("dnssec.trust-ad.allow-remote=true");
    }

    @Test
    void trustAdAcceptsARemoteResolverWhenAllowed() {
        assertThat(DnssecClients.trustingAd(List.of(new InetSocketAddress("192.0.2.1", 53)), TIMEOUT, 0, true))
            .isNotNull();
    }

    @Test
    void trustAdBelievesTheAdFlagOfALoopbackResolver() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start()) {
            dns.zone("example.com").a("www", "192.0.2.1");

            // The test server never validates, so it never sets AD: trust-ad reports insecure.
            DnsResult result = DnssecClients.trustingAd(List.of(dns.address()), TIMEOUT, 0, false)
                .query(Name.fromConstantString("www.example.com."), Type.A).toCompletableFuture().get(5, TimeUnit.SECONDS);

            assertThat(DnssecStatus.of(result)).isEqualTo(DnssecStatus.INSECURE);
        }
    }

    @Test
    void validateModeWithTheBuiltinAnchorsFindsTheTestRootBogus() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start()) {
            dns.zone("example.com").a("www", "192.0.2.1");

            DnsResult result = DnssecClients.validating(List.of(dns.address()), TIMEOUT, 0, TrustAnchors.builtin())
                .query(Name.fromConstantString("www.example.com."), Type.A).toCompletableFuture().get(5, TimeUnit.SECONDS);

            assertThat(DnssecStatus.of(result)).isEqualTo(DnssecStatus.INDETERMINATE);
        }
    }

    @Test
    void validateModeWithTheRightAnchorFindsSignedDataSecure() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start()) {
            dns.zone("example.com").a("www", "192.0.2.1");
            TrustAnchors anchors = TrustAnchors.parse("test", dns.trustAnchorText().getBytes());

            DnsResult result = DnssecClients.validating(List.of(dns.address()), TIMEOUT, 0, anchors)
                .query(Name.fromConstantString("www.example.com."), Type.A).toCompletableFuture().get(5, TimeUnit.SECONDS);

            assertThat(DnssecStatus.of(result)).isEqualTo(DnssecStatus.SECURE);
        }
    }
}
