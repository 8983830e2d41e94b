package org.tesjames.core.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Discovery of TXT {@code _smtp._tls.<domain>} with typed outcomes, over a scripted DNS answer. */
class TlsRptDiscoveryTest {
    private static final Name NAME = name();

    private static Name name() {
        try {
            return Name.fromString("_smtp._tls.example.net.");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TlsRptDiscovery.Outcome lookup(DnsResult answer) {
        return new TlsRptDiscovery((name, type) -> {
            assertThat(name).isEqualTo(NAME);
            assertThat(type).isEqualTo(Type.TXT);
            return CompletableFuture.completedFuture(answer);
        }, Duration.ofSeconds(1)).lookup("example.net");
    }

    private static DnsResult txt(String... texts) {
        List<Record> records = new ArrayList<>();
        for (String text : texts) {
            records.add(new TXTRecord(NAME, DClass.IN, 60, text));
        }
        return new DnsResult.Answer(NAME, Type.TXT, records, Duration.ofSeconds(60), false);
    }

    @Test
    void oneValidRecordIsFound() {
        TlsRptDiscovery.Outcome outcome = lookup(txt("v=spf1 -all", "v=TLSRPTv1; rua=mailto:r@example.net"));

        assertThat(outcome).isInstanceOf(TlsRptDiscovery.Found.class);
        assertThat(((TlsRptDiscovery.Found) outcome).record().destinations()).hasSize(1);
    }

    @Test
    void nxdomainAndNodataMeanNoReporting() {
        assertThat(lookup(new DnsResult.NxDomain(NAME, Type.TXT, Duration.ofSeconds(60), false)))
            .isInstanceOf(TlsRptDiscovery.NotPublished.class);
        assertThat(lookup(new DnsResult.NoData(NAME, Type.TXT, Duration.ofSeconds(60), false)))
            .isInstanceOf(TlsRptDiscovery.NotPublished.class);
    }

    @Test
    void aTemporaryDnsFailureIsTemporaryNeverNoReporting() {
        TlsRptDiscovery.Outcome outcome = lookup(new DnsResult.Failure(NAME, Type.TXT,
            DnsResult.Failure.Kind.SERVFAIL, "upstream"));

        assertThat(outcome).isInstanceOf(TlsRptDiscovery.Temporary.class);
        assertThat(outcome.reason()).contains("SERVFAIL");
    }

    @Test
    void aLookupThatDoesNotFinishInTimeIsTemporary() {
        TlsRptDiscovery.Outcome outcome = new TlsRptDiscovery((name, type) -> new CompletableFuture<>(),
            Duration.ofMillis(50)).lookup("example.net");

        assertThat(outcome).isInstanceOf(TlsRptDiscovery.Temporary.class);
    }

    @Test
    void twoTlsRptRecordsMeanNoReporting() {
        TlsRptDiscovery.Outcome outcome = lookup(txt("v=TLSRPTv1; rua=mailto:a@example.net",
            "v=TLSRPTv1; rua=mailto:b@example.net"));

        assertThat(outcome).isInstanceOf(TlsRptDiscovery.NotPublished.class);
        assertThat(outcome.reason()).contains("2 v=TLSRPTv1 TXT records");
    }

    @Test
    void anInvalidRecordMeansNoReportingWithTheReason() {
        TlsRptDiscovery.Outcome outcome = lookup(txt("v=TLSRPTv1; rua=nobody"));

        assertThat(outcome).isInstanceOf(TlsRptDiscovery.NotPublished.class);
        assertThat(outcome.reason()).contains("invalid TXT record", "has no scheme");
    }

    @Test
    void noTlsRptRecordAmongOthersMeansNoReporting() {
        assertThat(lookup(txt("v=spf1 -all"))).isInstanceOf(TlsRptDiscovery.NotPublished.class);
    }
}
