package org.tesjames.core.dane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.DaneResult;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SinkConnection;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;

/** STARTTLS handshakes of {@link DaneTls} against loopback {@link RecordingSmtpSink}s. */
class DaneTlsHandshakeTest {
    private static final String MX = "mx.example.com";
    private static final Set<String> REFERENCE_IDS = Set.of("example.com", MX);
    private static final DaneVerifier VERIFIER = new DaneVerifier(Clock.systemUTC());
    private static final Duration WAIT = Duration.ofSeconds(5);

    private RecordingSmtpSink sink;

    @AfterEach
    void closeSink() {
        if (sink != null) {
            sink.close();
        }
    }

    private RecordingSmtpSink startSink(TestCertificate certificate, String... protocols) throws IOException {
        RecordingSmtpSink.Builder builder = RecordingSmtpSink.builder().hostname(MX).startTls(certificate);
        if (protocols.length > 0) {
            builder.tlsProtocols(protocols);
        }
        sink = builder.start();
        return sink;
    }

    private static TlsaRecord tlsa(int usage, int selector, int matchingType, TestCertificate certificate) {
        return new TlsaRecord(usage, selector, matchingType,
            certificate.tlsaAssociationData(selector, matchingType));
    }

    private DaneTlsContext connectDane(TlsaRecord record, Set<String> referenceIds, TlsVersion minimum)
        throws IOException {
        DaneTlsContext context = DaneTls.sslContext(List.of(record), referenceIds, VERIFIER, minimum);
        Socket plain = StartTlsDialogue.untilStartTls(sink);
        SSLSocket tls = context.startTls(plain, MX, sink.port(), true);
        StartTlsDialogue.finish(tls);
        return context;
    }

    private SinkConnection lastConnection() {
        List<SinkConnection> connections = sink.awaitConnections(1, WAIT);
        return connections.get(connections.size() - 1);
    }

    @Nested
    class DaneEe {
        @Test
        void handshakeSucceedsWhen311MatchesTheLeafKey() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate);

            DaneTlsContext context = connectDane(tlsa(3, 1, 1, certificate), REFERENCE_IDS, TlsVersion.TLS_V1_2);

            assertThat(context.daneTrustManager().orElseThrow().lastResult())
                .containsInstanceOf(DaneResult.Verified.class);
            assertThat(lastConnection().tlsProtocol()).hasValueSatisfying(
                protocol -> assertThat(protocol).isIn("TLSv1.3", "TLSv1.2"));
            assertThat(lastConnection().sniHostName()).contains(MX);
            assertThat(sink.tlsHandshakeFailures()).isZero();
        }

        @Test
        void handshakeSucceedsWhen301MatchesTheLeafCertificate() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate);

            DaneTlsContext context = connectDane(tlsa(3, 0, 1, certificate), REFERENCE_IDS, TlsVersion.TLS_V1_2);

            assertThat(context.daneTrustManager().orElseThrow().lastResult())
                .contains(new DaneResult.Verified(tlsa(3, 0, 1, certificate), 0));
            assertThat(lastConnection().tls()).isTrue();
        }

        @Test
        void mismatching311FailsTheHandshakeAsIoExceptionNamingTlsa() throws IOException {
            startSink(TestCertificates.selfSigned(MX));
            TlsaRecord otherKey = tlsa(3, 1, 1, TestCertificates.selfSigned(KeyType.EC_P256, MX));
            DaneTlsContext context = DaneTls.sslContext(List.of(otherKey), REFERENCE_IDS, VERIFIER,
                TlsVersion.TLS_V1_2);
            Socket plain = StartTlsDialogue.untilStartTls(sink);

            assertThatThrownBy(() -> context.startTls(plain, MX, sink.port(), true))
                .isInstanceOf(SSLHandshakeException.class)
                .isInstanceOf(DaneHandshakeException.class)
                .hasMessageContaining("certificate does not match TLSA")
                .satisfies(e -> assertThat(((DaneHandshakeException) e).daneResult())
                    .containsInstanceOf(DaneResult.NoMatch.class));
            assertThat(sink.awaitTlsHandshakeFailures(1, WAIT)).isEqualTo(1);
            assertThat(plain.isClosed()).isTrue();
        }

        @Test
        void expiredLeafIsAcceptedByDaneEe() throws IOException {
            TestCertificate expired = TestCertificates.builder().dnsNames(MX).expired().build();
            startSink(expired);

            DaneTlsContext context = connectDane(tlsa(3, 1, 1, expired), REFERENCE_IDS, TlsVersion.TLS_V1_2);

            assertThat(context.daneTrustManager().orElseThrow().lastResult())
                .containsInstanceOf(DaneResult.Verified.class);
        }

        @Test
        void daneEeIgnoresTheCertificateNames() throws IOException {
            TestCertificate elsewhere = TestCertificates.selfSigned("unrelated.other.test");
            startSink(elsewhere);

            DaneTlsContext context = connectDane(tlsa(3, 1, 1, elsewhere), REFERENCE_IDS, TlsVersion.TLS_V1_2);

            assertThat(context.daneTrustManager().orElseThrow().lastResult())
                .containsInstanceOf(DaneResult.Verified.class);
        }

        @Test
        void pkixUsageAloneFailsWithNoUsableTlsaRecord() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate);
            DaneTlsContext context = DaneTls.sslContext(List.of(tlsa(1, 1, 1, certificate)), REFERENCE_IDS,
                VERIFIER, TlsVersion.TLS_V1_2);
            Socket plain = StartTlsDialogue.untilStartTls(sink);

            assertThatThrownBy(() -> context.startTls(plain, MX, sink.port(), true))
                .isInstanceOf(DaneHandshakeException.class)
                .hasMessageContaining("no usable TLSA record");
        }
    }

    @Nested
    class DaneTa {
        @Test
        void handshakeSucceedsWhen211MatchesTheIntermediateAndTheNameMatches() throws IOException {
            TestPki pki = TestPki.withIntermediate("Test Root", "Test Intermediate");
            TestCertificate leaf = pki.issue(MX);
            startSink(leaf);
            TestCertificate intermediate = pki.intermediate().orElseThrow();

            DaneTlsContext context = connectDane(tlsa(2, 1, 1, intermediate), REFERENCE_IDS,
                TlsVersion.TLS_V1_2);

            assertThat(context.daneTrustManager().orElseThrow().lastResult())
                .contains(new DaneResult.Verified(tlsa(2, 1, 1, intermediate), 1));
        }

        @Test
        void wrongNameFailsNamingTheCertificateAndReferenceNames() throws IOException {
            TestPki pki = TestPki.withIntermediate("Test Root", "Test Intermediate");
            TestCertificate leaf = pki.issue("mail.other.test").withRootInChain();
            startSink(leaf);
            DaneTlsContext context = DaneTls.sslContext(List.of(tlsa(2, 0, 1, pki.root())), REFERENCE_IDS,
                VERIFIER, TlsVersion.TLS_V1_2);
            Socket plain = StartTlsDialogue.untilStartTls(sink);

            assertThatThrownBy(() -> context.startTls(plain, MX, sink.port(), true))
                .isInstanceOf(DaneHandshakeException.class)
                .hasMessageContaining("name mismatch")
                .hasMessageContaining("mail.other.test")
                .hasMessageContaining(MX)
                .hasMessageContaining("example.com");
            assertThat(context.daneTrustManager().orElseThrow().lastResult())
                .containsInstanceOf(DaneResult.NameMismatch.class);
            assertThat(sink.awaitTlsHandshakeFailures(1, WAIT)).isEqualTo(1);
        }
    }

    @Nested
    class ProtocolMinimum {
        @Test
        void minimumTls12FailsAgainstATls11OnlyServer() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate, "TLSv1.1");
            DaneTlsContext context = DaneTls.sslContext(List.of(tlsa(3, 1, 1, certificate)), REFERENCE_IDS,
                VERIFIER, TlsVersion.TLS_V1_2);
            Socket plain = StartTlsDialogue.untilStartTls(sink);

            assertThatThrownBy(() -> context.startTls(plain, MX, sink.port(), true))
                .isInstanceOf(IOException.class)
                .isInstanceOf(DaneHandshakeException.class);
            assertThat(sink.awaitTlsHandshakeFailures(1, WAIT)).isEqualTo(1);
        }

        @Test
        void minimumTls13FailsAgainstATls12OnlyServer() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate, "TLSv1.2");
            DaneTlsContext context = DaneTls.sslContext(List.of(tlsa(3, 1, 1, certificate)), REFERENCE_IDS,
                VERIFIER, TlsVersion.TLS_V1_3);
            Socket plain = StartTlsDialogue.untilStartTls(sink);

            assertThatThrownBy(() -> context.startTls(plain, MX, sink.port(), true))
                .isInstanceOf(DaneHandshakeException.class);
            assertThat(sink.awaitTlsHandshakeFailures(1, WAIT)).isEqualTo(1);
        }

        @Test
        void minimumTls12NegotiatesTls12WithATls12OnlyServer() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate, "TLSv1.2");

            connectDane(tlsa(3, 1, 1, certificate), REFERENCE_IDS, TlsVersion.TLS_V1_2);

            assertThat(lastConnection().tlsProtocol()).contains("TLSv1.2");
        }
    }

    @Nested
    class SessionResumption {
        @Test
        void secondConnectionReverifiesAfterTheTlsaRecordChanged() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate);
            connectDane(tlsa(3, 1, 1, certificate), REFERENCE_IDS, TlsVersion.TLS_V1_2);

            TlsaRecord rolledOver = tlsa(3, 1, 1, TestCertificates.selfSigned(KeyType.EC_P256, MX));
            DaneTlsContext second = DaneTls.sslContext(List.of(rolledOver), REFERENCE_IDS, VERIFIER,
                TlsVersion.TLS_V1_2);
            Socket plain = StartTlsDialogue.untilStartTls(sink);

            assertThatThrownBy(() -> second.startTls(plain, MX, sink.port(), true))
                .isInstanceOf(DaneHandshakeException.class)
                .hasMessageContaining("certificate does not match TLSA");
        }

        @Test
        void secondConnectionWithAMatchingRecordSucceedsAndIsVerifiedAgain() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate);
            connectDane(tlsa(3, 1, 1, certificate), REFERENCE_IDS, TlsVersion.TLS_V1_2);

            DaneTlsContext second = connectDane(tlsa(3, 1, 1, certificate), REFERENCE_IDS, TlsVersion.TLS_V1_2);

            assertThat(second.daneTrustManager().orElseThrow().lastResult())
                .containsInstanceOf(DaneResult.Verified.class);
            assertThat(sink.awaitConnections(2, WAIT)).allSatisfy(c -> assertThat(c.tls()).isTrue());
        }

        /** Why the fresh-context rule exists: a shared SSLContext resumes and skips the trust manager. */
        @Test
        void aSharedSslContextWouldResumeWithoutCallingTheTrustManager() throws Exception {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate);
            CountingTrustManager counting = new CountingTrustManager();
            SSLContext shared = SSLContext.getInstance("TLS");
            shared.init(null, new TrustManager[] {counting}, null);

            SSLSession first = handshakeWith(shared);
            SSLSession second = handshakeWith(shared);

            assertThat(counting.serverChecks.get()).isEqualTo(1);
            assertThat(second.getId()).isNotEmpty();
            assertThat(first.getProtocol()).isEqualTo(second.getProtocol());
        }

        private SSLSession handshakeWith(SSLContext context) throws IOException {
            Socket plain = StartTlsDialogue.untilStartTls(sink);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, MX, sink.port(), true);
            tls.startHandshake();
            SSLSession session = tls.getSession();
            StartTlsDialogue.finish(tls);
            return session;
        }
    }

    @Nested
    class Unauthenticated {
        @Test
        void acceptsAnyCertificateAndHasNoDaneResult() throws IOException {
            startSink(TestCertificates.selfSigned("whatever.test"));
            DaneTlsContext context = DaneTls.unauthenticated(TlsVersion.TLS_V1_2);
            Socket plain = StartTlsDialogue.untilStartTls(sink);

            StartTlsDialogue.finish(context.startTls(plain, MX, sink.port(), true));

            assertThat(context.authenticating()).isFalse();
            assertThat(context.daneTrustManager()).isEmpty();
            assertThat(lastConnection().tls()).isTrue();
        }

        @Test
        void acceptsAnIpLiteralAndSendsNoSni() throws IOException {
            startSink(TestCertificates.selfSigned(MX));
            Socket plain = StartTlsDialogue.untilStartTls(sink);

            StartTlsDialogue.finish(DaneTls.startTls(plain, sink.host(), sink.port(), true,
                DaneConnectionPolicy.unauthenticated(TlsVersion.TLS_V1_2)));

            assertThat(lastConnection().tls()).isTrue();
            assertThat(lastConnection().sniHostName()).isEmpty();
        }

        @Test
        void daneModeRefusesAnIpLiteralAsSniName() throws IOException {
            TestCertificate certificate = TestCertificates.selfSigned(MX);
            startSink(certificate);
            Socket plain = StartTlsDialogue.untilStartTls(sink);
            DaneTlsContext context = DaneTls.sslContext(List.of(tlsa(3, 1, 1, certificate)), REFERENCE_IDS,
                VERIFIER, TlsVersion.TLS_V1_2);

            assertThatThrownBy(() -> context.startTls(plain, sink.host(), sink.port(), true))
                .isInstanceOf(DaneHandshakeException.class)
                .hasMessageContaining("TLSA base domain");
        }
    }

    @Test
    void aContextServesOneConnectionOnly() throws IOException {
        TestCertificate certificate = TestCertificates.selfSigned(MX);
        startSink(certificate);
        DaneTlsContext context = connectDane(tlsa(3, 1, 1, certificate), REFERENCE_IDS, TlsVersion.TLS_V1_2);
        Socket plain = StartTlsDialogue.untilStartTls(sink);

        assertThatThrownBy(() -> context.startTls(plain, MX, sink.port(), true))
            .isInstanceOf(IllegalStateException.class);
        plain.close();
    }

    private static final class CountingTrustManager extends X509ExtendedTrustManager {
        final AtomicInteger serverChecks = new AtomicInteger();

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            serverChecks.incrementAndGet();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            serverChecks.incrementAndGet();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            serverChecks.incrementAndGet();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
