package org.tesjames.mailets.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class MeteredDnsClientTest {
    private static final Name NAME = Name.fromConstantString("example.com.");

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    @Test
    void countsEachOutcomeInAllAndPerQueryTypeAndTimesBoth() {
        MeteredDnsClient client = new MeteredDnsClient((name, type) -> CompletableFuture.completedFuture(
            type == Type.MX ? new DnsResult.Failure(name, type, DnsResult.Failure.Kind.SERVFAIL, "rcode 2")
                : new DnsResult.NxDomain(name, type, Duration.ofSeconds(300), false)), metrics);

        client.query(NAME, Type.TXT).toCompletableFuture().join();
        client.query(NAME, Type.TXT).toCompletableFuture().join();
        client.query(NAME, Type.MX).toCompletableFuture().join();

        assertThat(metrics.countFor("tes.dns.outcome.nxdomain")).isEqualTo(2);
        assertThat(metrics.countFor("tes.dns.outcome.TXT.nxdomain")).isEqualTo(2);
        assertThat(metrics.countFor("tes.dns.outcome.SERVFAIL")).isEqualTo(1);
        assertThat(metrics.countFor("tes.dns.outcome.MX.SERVFAIL")).isEqualTo(1);
        assertThat(metrics.executionTimesFor("tes.dns.latency")).hasSize(3);
        assertThat(metrics.executionTimesFor("tes.dns.latency.TXT")).hasSize(2);
        assertThat(metrics.executionTimesFor("tes.dns.latency.MX")).hasSize(1);
    }
}
