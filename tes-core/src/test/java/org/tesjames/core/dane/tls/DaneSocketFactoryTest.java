package org.tesjames.core.dane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.core.tlsrpt.FailureDetail;
import org.tesjames.core.tlsrpt.PolicyType;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.core.tlsrpt.SessionOutcomes;
import org.tesjames.core.tlsrpt.TlsPolicy;
import org.tesjames.core.tlsrpt.TlsResultCounter;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

/** {@link DaneSocketFactory} as JavaMail uses it: by class name, {@code getDefault()}, then STARTTLS layering. */
class DaneSocketFactoryTest {
    private static final String MX = "mx.factory.example";
    private static final TestCertificate CERTIFICATE = TestCertificates.selfSigned(KeyType.EC_P256, MX);
    private static final TlsaRecord MATCHING = new TlsaRecord(3, 1, 1, CERTIFICATE.tlsaAssociationData(1, 1));
    private static final TlsaRecord NOT_MATCHING = new TlsaRecord(3, 1, 1,
        TestCertificates.selfSigned(KeyType.EC_P256, MX).tlsaAssociationData(1, 1));

    private RecordingSmtpSink sink;
    private SocketFactory factory;

    @BeforeEach
    void start() throws Exception {
        sink = RecordingSmtpSink.builder().hostname(MX).startTls(CERTIFICATE).start();
        // as JavaMail's SocketFetcher does for mail.smtp.ssl.socketFactory.class
        factory = (SocketFactory) Class.forName(DaneSocketFactory.class.getName()).getMethod("getDefault")
            .invoke(null);
    }

    @AfterEach
    void stop() {
        sink.close();
    }

    private static DaneConnectionPolicy dane(TlsaRecord record) {
        return DaneConnectionPolicy.dane(MX, List.of(record), Set.of(MX), TlsVersion.TLS_V1_2);
    }

    private Socket startTls(String host) throws IOException {
        Socket plain = StartTlsDialogue.untilStartTls(sink);
        return ((DaneSocketFactory) factory).createSocket(plain, host, sink.port(), true);
    }

    @Test
    void getDefaultIsTheDaneFactory() {
        assertThat(factory).isInstanceOf(DaneSocketFactory.class).isSameAs(DaneSocketFactory.getDefault());
    }

    @Test
    void handshakesWithTheRegisteredPolicyOfTheHost() throws IOException {
        try (DaneConnectionPolicies.Registration ignored = DaneConnectionPolicies.register(MX, dane(MATCHING))) {
            Socket tls = startTls("MX.Factory.Example.");

            assertThat(tls).isInstanceOf(SSLSocket.class);
            assertThat(((SSLSocket) tls).getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            StartTlsDialogue.finish(tls);
        }
        assertThat(sink.awaitConnections(1, Duration.ofSeconds(5)).get(0).sniHostName()).contains(MX);
    }

    @Test
    void javaMailsSecondStartHandshakeAndProtocolSettingsAreHarmless() throws IOException {
        try (DaneConnectionPolicies.Registration ignored = DaneConnectionPolicies.register(MX, dane(MATCHING))) {
            SSLSocket tls = (SSLSocket) startTls(MX);
            String protocol = tls.getSession().getProtocol();

            tls.setEnabledProtocols(new String[] {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"});
            tls.startHandshake();

            assertThat(tls.getSession().getProtocol()).isEqualTo(protocol);
            StartTlsDialogue.finish(tls);
        }
        assertThat(sink.tlsHandshakeFailures()).isZero();
    }

    @Test
    void unknownHostFailsClosedWithAnIoException() throws IOException {
        Socket plain = StartTlsDialogue.untilStartTls(sink);

        assertThatThrownBy(() -> ((DaneSocketFactory) factory).createSocket(plain, "unknown.example", sink.port(),
            true))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("no DANE connection policy")
            .hasMessageContaining("unknown.example");
        assertThat(plain.isClosed()).isTrue();
    }

    @Test
    void mismatchFailsAsIoExceptionNotRuntimeException() {
        try (DaneConnectionPolicies.Registration ignored = DaneConnectionPolicies.register(MX,
            dane(NOT_MATCHING))) {
            assertThatThrownBy(() -> startTls(MX))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("certificate does not match TLSA");
        }
        assertThat(sink.awaitTlsHandshakeFailures(1, Duration.ofSeconds(5))).isEqualTo(1);
    }

    @Test
    void threadBoundPolicyWinsOverTheRegisteredOneOnThatThreadOnly() throws Exception {
        try (DaneConnectionPolicies.Registration global = DaneConnectionPolicies.register(MX, dane(NOT_MATCHING));
             DaneConnectionPolicies.Registration bound = DaneConnectionPolicies.bindToCurrentThread(MX,
                 dane(MATCHING))) {
            StartTlsDialogue.finish(startTls(MX));

            Throwable otherThread = CompletableFuture.supplyAsync(() -> {
                try {
                    startTls(MX).close();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            }).get();
            assertThat(otherThread).isInstanceOf(DaneHandshakeException.class);
        }
    }

    @Test
    void closingARegistrationForgetsThePolicy() {
        DaneConnectionPolicies.register(MX, dane(MATCHING)).close();

        assertThat(DaneConnectionPolicies.lookup(MX)).isEmpty();
    }

    @Test
    void closingAReplacedRegistrationKeepsTheNewPolicy() {
        DaneConnectionPolicies.Registration old = DaneConnectionPolicies.register(MX, dane(MATCHING));
        DaneConnectionPolicy replacement = dane(NOT_MATCHING);
        try (DaneConnectionPolicies.Registration current = DaneConnectionPolicies.register(MX, replacement)) {
            old.close();

            assertThat(DaneConnectionPolicies.lookup(MX)).contains(replacement);
        }
    }

    @Test
    void addressOnlySocketsAreRefused() {
        assertThatThrownBy(() -> factory.createSocket(java.net.InetAddress.getLoopbackAddress(), sink.port()))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("host name");
    }

    @Test
    void recordsEachSessionForTlsReportingUnderThePolicyBoundForTheHost() throws IOException {
        TlsResultCounter counter = new TlsResultCounter(10, 10);
        TlsPolicy policy = new TlsPolicy(PolicyType.TLSA, "factory.example", List.of(MATCHING.toString()), List.of());
        SessionOutcomes.bind(counter, Map.of(MX, policy));
        try {
            try (DaneConnectionPolicies.Registration ignored = DaneConnectionPolicies.register(MX, dane(MATCHING))) {
                StartTlsDialogue.finish(startTls(MX));
            }
            try (DaneConnectionPolicies.Registration ignored = DaneConnectionPolicies.register(MX,
                dane(NOT_MATCHING))) {
                assertThatThrownBy(() -> startTls(MX)).isInstanceOf(IOException.class);
            }
        } finally {
            SessionOutcomes.clear();
        }

        List<TlsResultCounter.PolicyResult> results = counter.drain();
        assertThat(results).hasSize(1);
        assertThat(results.get(0).policy()).isEqualTo(policy);
        assertThat(results.get(0).successes()).isOne();
        assertThat(results.get(0).failures()).isOne();
        FailureDetail detail = results.get(0).details().keySet().iterator().next();
        assertThat(detail.resultType()).isEqualTo(ResultType.TLSA_INVALID);
        assertThat(detail.receivingMxHostname()).isEqualTo(MX);
        assertThat(detail.receivingIp()).contains("127.0.0.1");
        assertThat(detail.failureReasonCode()).hasValueSatisfying(
            reason -> assertThat(reason).contains("certificate does not match TLSA"));
    }

    @Test
    void aTestingPolicysCertificateFailureIsRecordedAlthoughTheSessionGoesOn() throws IOException {
        TlsResultCounter counter = new TlsResultCounter(10, 10);
        TlsPolicy policy = new TlsPolicy(PolicyType.STS, "factory.example", List.of("mode: testing"), List.of(MX));
        SessionOutcomes.bind(counter, Map.of(MX, policy));
        try (DaneConnectionPolicies.Registration ignored = DaneConnectionPolicies.register(MX,
            DaneConnectionPolicy.webPki(WebPkiTrust.jdk(), TlsVersion.TLS_V1_2, false))) {
            StartTlsDialogue.finish(startTls(MX));
        } finally {
            SessionOutcomes.clear();
        }

        TlsResultCounter.PolicyResult result = counter.drain().get(0);
        assertThat(result.successes()).isZero();
        assertThat(result.details().keySet()).singleElement().satisfies(detail -> {
            assertThat(detail.resultType()).isEqualTo(ResultType.CERTIFICATE_NOT_TRUSTED);
            assertThat(detail.failureReasonCode()).hasValueSatisfying(
                reason -> assertThat(reason).startsWith("MTA-STS testing: certificate-not-trusted"));
        });
    }
}
