package org.tesjames.core.dane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.core.sts.WebPkiTrustManager;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SinkConnection;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestPki;

/** STARTTLS in the MTA-STS modes ({@link DaneConnectionPolicy#webPki}) against loopback sinks. */
class WebPkiStartTlsTest {
    private static final String MX = "mx.example.com";
    private static TestPki pki;
    private static WebPkiTrust trust;

    private RecordingSmtpSink sink;

    @BeforeAll
    static void trustTheTestCa(@TempDir Path dir) throws Exception {
        pki = TestPki.withIntermediate("STS Root", "STS Intermediate");
        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, pki.root().chainPem());
        trust = WebPkiTrust.pemFile(pem);
    }

    @AfterEach
    void closeSink() {
        if (sink != null) {
            sink.close();
        }
    }

    private DaneTlsContext handshake(TestCertificate certificate, boolean enforcing) throws IOException {
        sink = RecordingSmtpSink.builder().hostname(MX).startTls(certificate).start();
        DaneTlsContext context = DaneTls.sslContext(DaneConnectionPolicy.webPki(trust, TlsVersion.TLS_V1_2, enforcing),
            MX);
        Socket plain = StartTlsDialogue.untilStartTls(sink);
        SSLSocket tls = context.startTls(plain, MX, sink.port(), true);
        StartTlsDialogue.finish(tls);
        return context;
    }

    private SinkConnection lastConnection() {
        List<SinkConnection> connections = sink.awaitConnections(1, Duration.ofSeconds(5));
        return connections.get(connections.size() - 1);
    }

    @Test
    void aCertificateFromATrustedCaForTheMxNameIsAccepted() throws IOException {
        DaneTlsContext context = handshake(pki.issue(MX), true);

        assertThat(context.authenticating()).isTrue();
        assertThat(lastConnection().tls()).isTrue();
        assertThat(lastConnection().sniHostName()).contains(MX);
        assertThat(lastConnection().tlsProtocol()).hasValueSatisfying(p -> assertThat(p).isIn("TLSv1.2", "TLSv1.3"));
    }

    @Test
    void aWildcardCertificateCoversOneLabel() throws IOException {
        handshake(pki.issue("*.example.com"), true);

        assertThat(lastConnection().tls()).isTrue();
    }

    @Test
    void aCertificateForAnotherNameFailsTheHandshakeWithTheReason() {
        assertThatThrownBy(() -> handshake(pki.issue("other.example.com"), true))
            .isInstanceOfSatisfying(DaneHandshakeException.class,
                e -> assertThat(e.resultType()).isEqualTo(ResultType.CERTIFICATE_HOST_MISMATCH))
            .hasMessageContaining("MTA-STS: certificate-host-mismatch: the certificate names [other.example.com]"
                + " do not include mx.example.com");
    }

    @Test
    void theCommonNameIsNotAName() {
        assertThatThrownBy(() -> handshake(pki.leaf().commonName(MX).build(), true))
            .hasMessageContaining("certificate-host-mismatch");
    }

    @Test
    void aCertificateFromAnUntrustedCaFailsTheHandshake() {
        assertThatThrownBy(() -> handshake(TestPki.create("Untrusted").issue(MX), true))
            .hasMessageContaining("MTA-STS: certificate-not-trusted");
    }

    @Test
    void anExpiredCertificateFailsTheHandshake() {
        assertThatThrownBy(() -> handshake(pki.leaf(MX).expired().build(), true))
            .isInstanceOfSatisfying(DaneHandshakeException.class,
                e -> assertThat(e.resultType()).isEqualTo(ResultType.CERTIFICATE_EXPIRED))
            .hasMessageContaining("MTA-STS: certificate-expired");
    }

    @Test
    void testingModeAcceptsAFailingCertificateAndRecordsWhy() throws IOException {
        DaneTlsContext context = handshake(pki.issue("other.example.com"), false);

        assertThat(lastConnection().tls()).isTrue();
        assertThat(context.authenticating()).isFalse();
        assertThat(((WebPkiTrustManager) context.trustManager()).failure()).hasValueSatisfying(
            failure -> assertThat(failure.type()).isEqualTo(ResultType.CERTIFICATE_HOST_MISMATCH));
    }
}
