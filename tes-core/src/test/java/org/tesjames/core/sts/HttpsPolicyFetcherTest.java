package org.tesjames.core.sts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.testing.sts.PolicyServer;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestPki;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Type;

/** The policy fetch against a real HTTPS server on loopback, with a test CA trusted through a PEM file. */
class HttpsPolicyFetcherTest {
    private static final String DOMAIN = "example.test";
    private static final String HOST = "mta-sts." + DOMAIN;
    private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n";
    private static TestPki pki;
    private static WebPkiTrust trust;

    private PolicyServer server;

    @BeforeAll
    static void trustTheTestCa(@TempDir Path dir) throws Exception {
        pki = TestPki.create("STS Test CA");
        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, pki.root().chainPem());
        trust = WebPkiTrust.pemFile(pem);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private PolicyServer serve(TestCertificate certificate) throws Exception {
        server = PolicyServer.start("127.0.0.1", 0, certificate);
        return server;
    }

    private HttpsPolicyFetcher fetcher(Duration timeout, int maxBytes) {
        return fetcher(loopbackDns(), timeout, maxBytes);
    }

    private HttpsPolicyFetcher fetcher(DnsClient dns, Duration timeout, int maxBytes) {
        return new HttpsPolicyFetcher(dns, trust, server.port(), timeout, maxBytes, Clock.systemUTC());
    }

    private static DnsClient loopbackDns() {
        return (name, type) -> CompletableFuture.completedFuture(type == Type.A
            ? new DnsResult.Answer(name, type, List.of(new ARecord(name, DClass.IN, 60,
                InetAddress.getLoopbackAddress())), Duration.ofSeconds(60), false)
            : new DnsResult.NoData(name, type, Duration.ofSeconds(60), false));
    }

    @Test
    void fetchesThePolicyFromAHostWithATrustedCertificateForItsName() throws Exception {
        serve(pki.issue(HOST)).policy(POLICY);

        assertThat(fetcher(Duration.ofSeconds(10), 65536).fetch(DOMAIN)).isEqualTo(POLICY);
        assertThat(server.requests()).isOne();
    }

    @Test
    void readsAChunkedBody() throws Exception {
        serve(pki.issue(HOST)).answer(PolicyServer.Answer.policy(POLICY).inChunks());

        assertThat(fetcher(Duration.ofSeconds(10), 65536).fetch(DOMAIN)).isEqualTo(POLICY);
    }

    @Test
    void neverFollowsARedirect() throws Exception {
        serve(pki.issue(HOST)).answer(PolicyServer.Answer.redirect(301, "https://elsewhere.test/policy.txt"));

        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10), 65536).fetch(DOMAIN))
            .isInstanceOfSatisfying(StsFetchException.class,
                e -> assertThat(e.type()).isEqualTo(ResultType.STS_POLICY_FETCH_ERROR))
            .hasMessageContaining("HTTP 301 redirect to https://elsewhere.test/policy.txt not followed");
        assertThat(server.requests()).isOne();
    }

    @Test
    void anotherStatusThan200IsNoPolicy() throws Exception {
        serve(pki.issue(HOST)).answer(PolicyServer.Answer.status(404));

        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10), 65536).fetch(DOMAIN))
            .hasMessageContaining("HTTP status 404");
    }

    @Test
    void anotherMediaTypeThanTextPlainIsNoPolicy() throws Exception {
        serve(pki.issue(HOST)).answer(PolicyServer.Answer.policy(POLICY).contentType("text/html"));

        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10), 65536).fetch(DOMAIN))
            .hasMessageContaining("media type 'text/html' is not text/plain");
    }

    @Test
    void aPolicyOverTheSizeLimitIsRefusedWhetherItsLengthIsAnnouncedOrNot() throws Exception {
        String big = POLICY + "x_pad: " + "a".repeat(1100) + "\r\n";
        serve(pki.issue(HOST)).policy(big);
        assertThat(fetcher(Duration.ofSeconds(10), 2048).fetch(DOMAIN)).isEqualTo(big);

        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10), 1024).fetch(DOMAIN))
            .hasMessageContaining("larger than 1024 octets");
        server.answer(PolicyServer.Answer.policy(big).inChunks());
        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10), 1024).fetch(DOMAIN))
            .hasMessageContaining("larger than 1024 octets");
    }

    @Test
    void aCertificateFromAnUntrustedCaIsAWebPkiFailure() throws Exception {
        serve(TestPki.create("Other CA").issue(HOST)).policy(POLICY);

        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10), 65536).fetch(DOMAIN))
            .isInstanceOfSatisfying(StsFetchException.class,
                e -> assertThat(e.type()).isEqualTo(ResultType.STS_WEBPKI_INVALID))
            .hasMessageContaining("certificate-not-trusted");
        assertThat(server.requests()).isZero();
    }

    @Test
    void aCertificateForAnotherNameIsAWebPkiFailure() throws Exception {
        serve(pki.issue("www." + DOMAIN)).policy(POLICY);

        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10), 65536).fetch(DOMAIN))
            .isInstanceOfSatisfying(StsFetchException.class,
                e -> assertThat(e.type()).isEqualTo(ResultType.STS_WEBPKI_INVALID))
            .hasMessageContaining("certificate-host-mismatch");
    }

    @Test
    void anExpiredCertificateIsAWebPkiFailure() throws Exception {
        serve(pki.leaf(HOST).expired().build()).policy(POLICY);

        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(10), 65536).fetch(DOMAIN))
            .hasMessageContaining("certificate-expired");
    }

    @Test
    void aSlowHostIsCutOffAtTheTimeLimit() throws Exception {
        serve(pki.issue(HOST)).answer(PolicyServer.Answer.policy(POLICY).delayed(Duration.ofSeconds(5)));
        Instant start = Instant.now();

        assertThatThrownBy(() -> fetcher(Duration.ofMillis(700), 65536).fetch(DOMAIN))
            .isInstanceOfSatisfying(StsFetchException.class,
                e -> assertThat(e.type()).isEqualTo(ResultType.STS_POLICY_FETCH_ERROR))
            .hasMessageContaining("within 700 ms");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aPolicyHostWithoutAddressOrWhoseLookupFailsIsAFetchError() throws Exception {
        serve(pki.issue(HOST)).policy(POLICY);
        DnsClient nxdomain = (name, type) -> CompletableFuture.completedFuture(
            new DnsResult.NxDomain(name, type, Duration.ofSeconds(60), false));
        DnsClient servfail = (name, type) -> CompletableFuture.completedFuture(
            new DnsResult.Failure(name, type, DnsResult.Failure.Kind.SERVFAIL, "test"));

        assertThatThrownBy(() -> fetcher(nxdomain, Duration.ofSeconds(5), 65536).fetch(DOMAIN))
            .hasMessageContaining("no address (A or AAAA)");
        assertThatThrownBy(() -> fetcher(servfail, Duration.ofSeconds(5), 65536).fetch(DOMAIN))
            .hasMessageContaining("address lookup failed (A SERVFAIL");
        assertThat(server.requests()).isZero();
    }
}
