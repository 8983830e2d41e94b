package org.tesjames.testing.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.testing.dns.DnsQueries.query;
import static org.tesjames.testing.dns.DnsQueries.send;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

class QueryCountersTest {

    private TestDnsServer dns;
    private SimpleResolver resolver;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        dns.zone("example.com").a("www", "192.0.2.1").mx("@", 10, "www");
        resolver = dns.newResolver();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void countsQueriesPerNormalisedNameAndType() throws IOException {
        send(resolver, "WWW.Example.com", Type.A);
        send(resolver, "www.example.com.", Type.A);
        send(resolver, "www.example.com", Type.AAAA);

        assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(2);
        assertThat(dns.queryCount("WWW.EXAMPLE.COM.", Type.A)).isEqualTo(2);
        assertThat(dns.queryCount("www.example.com", Type.AAAA)).isEqualTo(1);
        assertThat(dns.queryCount("www.example.com")).isEqualTo(3);
        assertThat(dns.queryCount("example.com", Type.MX)).isZero();
        assertThat(dns.queryCount()).isEqualTo(3);
        assertThat(dns.queryCounts()).containsEntry("www.example.com./A", 2L).containsEntry("www.example.com./AAAA", 1L)
                .hasSize(2);
    }

    @Test
    void countsRefusedAndFaultyQueriesToo() throws IOException {
        dns.fault("www.example.com", Type.A, Fault.servfail());

        send(resolver, "www.example.com", Type.A);
        send(resolver, "www.elsewhere.org", Type.A);

        assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);
        assertThat(dns.queryCount("www.elsewhere.org", Type.A)).isEqualTo(1);
    }

    @Test
    void countsUdpAndTcpSeparately() throws IOException {
        SimpleResolver tcp = dns.newResolver();
        tcp.setTCP(true);

        send(resolver, "www.example.com", Type.A);
        send(tcp, "www.example.com", Type.A);
        send(tcp, "example.com", Type.MX);

        assertThat(dns.queryCount(Transport.UDP)).isEqualTo(1);
        assertThat(dns.queryCount(Transport.TCP)).isEqualTo(2);
        assertThat(dns.queryCount()).isEqualTo(3);
    }

    @Test
    void resetsEveryCount() throws IOException {
        send(resolver, "www.example.com", Type.A);

        dns.resetQueryCounts();

        assertThat(dns.queryCount("www.example.com", Type.A)).isZero();
        assertThat(dns.queryCount()).isZero();
        assertThat(dns.queryCount(Transport.UDP)).isZero();
        assertThat(dns.queryCounts()).isEmpty();
        send(resolver, "www.example.com", Type.A);
        assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);
    }

    @Test
    void countsTwoHundredConcurrentQueriesExactly() throws Exception {
        for (int i = 0; i < 10; i++) {
            dns.zone("example.com").a("host" + i, "192.0.2." + (10 + i));
        }
        SimpleResolver tcp = dns.newResolver();
        tcp.setTCP(true);
        List<CompletableFuture<Message>> answers = new ArrayList<>();

        for (int i = 0; i < 200; i++) {
            SimpleResolver transport = i % 4 == 0 ? tcp : resolver;
            // dnsjava pipelines the TCP queries on one connection and pairs answers by message ID: distinct IDs,
            // so that two random ones that collide cannot hand one query the other's answer.
            Message question = query("host" + (i % 10) + ".example.com", Type.A);
            question.getHeader().setID(i);
            answers.add(transport.sendAsync(question).toCompletableFuture());
        }
        CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);

        assertThat(answers).allSatisfy(f -> assertThat(f.join().getRcode()).isEqualTo(Rcode.NOERROR));
        assertThat(dns.queryCount()).isEqualTo(200);
        assertThat(dns.queryCount(Transport.TCP)).isEqualTo(50);
        assertThat(dns.queryCount(Transport.UDP)).isEqualTo(150);
        for (int i = 0; i < 10; i++) {
            assertThat(dns.queryCount("host" + i + ".example.com", Type.A)).isEqualTo(20);
        }
    }
}
