package org.tesjames.core.dnssec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class DnssecStatusTest {
    private static final Name NAME = Name.fromConstantString("mx.example.com.");
    private static final Duration TTL = Duration.ofSeconds(60);

    private static DnsResult answer(boolean authenticated) {
        return new DnsResult.Answer(NAME, Type.A, List.of(new ARecord(NAME, DClass.IN, 60,
            java.net.InetAddress.getLoopbackAddress())), TTL, authenticated);
    }

    @Test
    void authenticatedAnswersAndDenialsAreSecure() {
        assertThat(DnssecStatus.of(answer(true))).isEqualTo(DnssecStatus.SECURE);
        assertThat(DnssecStatus.of(new DnsResult.NxDomain(NAME, Type.A, TTL, true))).isEqualTo(DnssecStatus.SECURE);
        assertThat(DnssecStatus.of(new DnsResult.NoData(NAME, Type.A, TTL, true))).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void unauthenticatedAnswersAndDenialsAreInsecure() {
        assertThat(DnssecStatus.of(answer(false))).isEqualTo(DnssecStatus.INSECURE);
        assertThat(DnssecStatus.of(new DnsResult.NxDomain(NAME, Type.A, TTL, false))).isEqualTo(DnssecStatus.INSECURE);
        assertThat(DnssecStatus.of(new DnsResult.NoData(NAME, Type.A, TTL, false))).isEqualTo(DnssecStatus.INSECURE);
    }

    @Test
    void everyFailureIncludingBogusIsIndeterminateNeverInsecure() {
        for (DnsResult.Failure.Kind kind : DnsResult.Failure.Kind.values()) {
            assertThat(DnssecStatus.of(new DnsResult.Failure(NAME, Type.A, kind, "x"))).as(kind.name())
                .isEqualTo(DnssecStatus.INDETERMINATE);
        }
    }

    @Test
    void combiningKeepsTheWeaker() {
        assertThat(DnssecStatus.SECURE.and(DnssecStatus.SECURE)).isEqualTo(DnssecStatus.SECURE);
        assertThat(DnssecStatus.SECURE.and(DnssecStatus.INSECURE)).isEqualTo(DnssecStatus.INSECURE);
        assertThat(DnssecStatus.INDETERMINATE.and(DnssecStatus.INSECURE)).isEqualTo(DnssecStatus.INDETERMINATE);
        assertThat(DnssecStatus.INSECURE.and(DnssecStatus.INDETERMINATE)).isEqualTo(DnssecStatus.INDETERMINATE);
    }
}
