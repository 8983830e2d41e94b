package org.tesjames.core.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.testing.tls.SslContexts;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Type;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/** Reports posted to a real HTTPS server on loopback, its certificate from a test CA trusted through a PEM file. */
class HttpsReportPosterTest {
    private static final String HOST = "reports.example.test";
    private static final byte[] BODY = {31, -117, 8, 0, 1, 2, 3};
    private static TestPki pki;
    private static WebPkiTrust trust;

    private HttpsServer server;
    private final AtomicInteger status = new AtomicInteger(201);
    private final AtomicReference<String> request = new AtomicReference<>();
    private final AtomicReference<byte[]> received = new AtomicReference<>();

    @BeforeAll
    static void trustTheTestCa(@TempDir Path dir) throws Exception {
        pki = TestPki.create("TLS-RPT Test CA");
        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, pki.root().chainPem());
        trust = WebPkiTrust.pemFile(pem);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private int serve(TestCertificate certificate) throws Exception {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(SslContexts.server(certificate)));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                received.set(in.readAllBytes());
            }
            request.set(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                + exchange.getRequestHeaders().getFirst("Host"));
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    private static DnsClient loopbackDns() {
        return (name, type) -> CompletableFuture.completedFuture(type == Type.A
            ? new DnsResult.Answer(name, type, List.of(new ARecord(name, DClass.IN, 60,
                InetAddress.getLoopbackAddress())), Duration.ofSeconds(60), false)
            : new DnsResult.NoData(name, type, Duration.ofSeconds(60), false));
    }

    private static ReportSender.Outcome post(DnsClient dns, int port, Duration timeout) {
        ReportUri.Https uri = (ReportUri.Https) TlsRptRecord.parse("v=TLSRPTv1; rua=https://" + HOST + ":" + port
            + "/tlsrpt/v1?k=1").destinations().get(0);
        return new HttpsReportPoster(dns, trust, timeout, Clock.systemUTC()).post(uri, BODY);
    }

    private ReportSender.Outcome post(int port) {
        return post(loopbackDns(), port, Duration.ofSeconds(10));
    }

    @Test
    void postsTheGzippedReportToATrustedServer() throws Exception {
        int port = serve(pki.issue(HOST));

        ReportSender.Outcome outcome = post(port);

        assertThat(outcome).isInstanceOf(ReportSender.Sent.class);
        assertThat(outcome.detail()).contains("HTTP 201");
        assertThat(request.get()).isEqualTo("POST /tlsrpt/v1?k=1 application/tlsrpt+gzip " + HOST + ":" + port);
        assertThat(received.get()).isEqualTo(BODY);
    }

    @Test
    void aClientErrorIsPermanentAServerErrorOrThrottlingIsTemporary() throws Exception {
        int port = serve(pki.issue(HOST));
        status.set(404);
        assertThat(post(port)).isInstanceOf(ReportSender.Permanent.class);
        status.set(503);
        assertThat(post(port)).isInstanceOf(ReportSender.Temporary.class);
        status.set(429);
        assertThat(post(port)).isInstanceOf(ReportSender.Temporary.class);
    }

    @Test
    void aCertificateFromAnUntrustedCaIsRefusedBeforeAnythingIsSent() throws Exception {
        int port = serve(TestCertificates.selfSigned(HOST));

        ReportSender.Outcome outcome = post(port);

        assertThat(outcome).isInstanceOf(ReportSender.Temporary.class);
        assertThat(outcome.detail()).contains("certificate-not-trusted");
        assertThat(request.get()).isNull();
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        int port = serve(pki.issue("elsewhere.example.test"));

        ReportSender.Outcome outcome = post(port);

        assertThat(outcome).isInstanceOf(ReportSender.Temporary.class);
        assertThat(outcome.detail()).contains("certificate-host-mismatch");
        assertThat(request.get()).isNull();
    }

    @Test
    void aServerThatNeverAnswersIsATemporaryFailureWithinTheTimeLimit() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                try (Socket ignored = silent.accept()) {
                    Thread.sleep(5000);
                } catch (Exception e) {
                    // closed
                }
            });
            accept.start();
            long start = System.nanoTime();

            ReportSender.Outcome outcome = post(loopbackDns(), silent.getLocalPort(), Duration.ofMillis(500));

            assertThat(outcome).isInstanceOf(ReportSender.Temporary.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            accept.interrupt();
        }
    }

    @Test
    void aDnsFailureOfTheHostIsTemporaryAndNoAddressToo() {
        ReportSender.Outcome failed = post((name, type) -> CompletableFuture.completedFuture(
            new DnsResult.Failure(name, type, DnsResult.Failure.Kind.SERVFAIL, "test")), 443, Duration.ofSeconds(2));
        ReportSender.Outcome none = post((name, type) -> CompletableFuture.completedFuture(
            new DnsResult.NxDomain(name, type, Duration.ofSeconds(60), false)), 443, Duration.ofSeconds(2));

        assertThat(failed).isInstanceOf(ReportSender.Temporary.class);
        assertThat(failed.detail()).contains("SERVFAIL");
        assertThat(none).isInstanceOf(ReportSender.Temporary.class);
        assertThat(none.detail()).contains("no address");
    }
}
