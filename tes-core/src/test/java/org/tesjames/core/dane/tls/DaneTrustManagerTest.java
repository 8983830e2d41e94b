package org.tesjames.core.dane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.DaneResult;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

class DaneTrustManagerTest {
    private static final TestCertificate SERVER = TestCertificates.selfSigned(KeyType.EC_P256, "mx.example.com");
    private static final X509Certificate[] CHAIN = SERVER.chain().toArray(new X509Certificate[0]);

    private static DaneTrustManager managerFor(TlsaRecord record) {
        return new DaneTrustManager(List.of(record), Set.of("mx.example.com"), new DaneVerifier(Clock.systemUTC()));
    }

    private static TlsaRecord record(int usage, TestCertificate certificate) {
        return new TlsaRecord(usage, 1, 1, certificate.tlsaAssociationData(1, 1));
    }

    @Test
    void acceptsAMatchingChainAndRecordsTheResult() throws CertificateException {
        DaneTrustManager manager = managerFor(record(3, SERVER));

        manager.checkServerTrusted(CHAIN, "ECDHE_ECDSA");

        assertThat(manager.lastResult()).contains(new DaneResult.Verified(record(3, SERVER), 0));
    }

    @Test
    void rejectsAMismatchWithDoesNotMatchTlsa() {
        DaneTrustManager manager = managerFor(record(3, TestCertificates.selfSigned(KeyType.EC_P256, "x.test")));

        assertThatThrownBy(() -> manager.checkServerTrusted(CHAIN, "ECDHE_ECDSA", (java.net.Socket) null))
            .isInstanceOf(DaneCertificateException.class)
            .hasMessageStartingWith("certificate does not match TLSA: ")
            .satisfies(e -> assertThat(((DaneCertificateException) e).result())
                .containsInstanceOf(DaneResult.NoMatch.class));
        assertThat(manager.lastResult()).containsInstanceOf(DaneResult.NoMatch.class);
    }

    @Test
    void rejectsAnUnusableRrsetWithNoUsableTlsaRecord() {
        DaneTrustManager manager = managerFor(record(1, SERVER));

        assertThatThrownBy(() -> manager.checkServerTrusted(CHAIN, "ECDHE_ECDSA", (javax.net.ssl.SSLEngine) null))
            .isInstanceOf(DaneCertificateException.class)
            .hasMessageStartingWith("no usable TLSA record");
    }

    @Test
    void rejectsAnEmptyChainWithoutResult() {
        DaneTrustManager manager = managerFor(record(3, SERVER));

        assertThatThrownBy(() -> manager.checkServerTrusted(new X509Certificate[0], "RSA"))
            .isInstanceOf(DaneCertificateException.class);
        assertThat(manager.lastResult()).isEmpty();
    }

    @Test
    void neverAuthenticatesClients() {
        DaneTrustManager manager = managerFor(record(3, SERVER));

        assertThatThrownBy(() -> manager.checkClientTrusted(CHAIN, "RSA"))
            .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> manager.checkClientTrusted(CHAIN, "RSA", (java.net.Socket) null))
            .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> manager.checkClientTrusted(CHAIN, "RSA", (javax.net.ssl.SSLEngine) null))
            .isInstanceOf(CertificateException.class);
        assertThat(manager.getAcceptedIssuers()).isEmpty();
    }
}
