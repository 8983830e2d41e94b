package org.tesjames.core.dane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tesjames.testing.tls.TestCertificates;

class CertificateNamesTest {
    @Test
    void exactNamesMatchCaseInsensitivelyIgnoringATrailingDot() {
        assertThat(CertificateNames.matches("MX.Example.com", "mx.example.com.")).isTrue();
        assertThat(CertificateNames.matches("mx.example.com", "mx2.example.com")).isFalse();
    }

    @Test
    void aWildcardMatchesExactlyOneLeftmostLabel() {
        assertThat(CertificateNames.matches("*.example.com", "mx.example.com")).isTrue();
        assertThat(CertificateNames.matches("*.example.com", "example.com")).isFalse();
        assertThat(CertificateNames.matches("*.example.com", "a.mx.example.com")).isFalse();
    }

    @Test
    void partialAndNonLeftmostWildcardsAndWildcardsOverOneLabelMatchNothing() {
        assertThat(CertificateNames.matches("mx*.example.com", "mx1.example.com")).isFalse();
        assertThat(CertificateNames.matches("mx.*.com", "mx.example.com")).isFalse();
        assertThat(CertificateNames.matches("*.com", "example.com")).isFalse();
    }

    @Test
    void subjectAltNamesHidetheCommonName() {
        var cert = TestCertificates.builder().commonName("cn.example.com").dnsNames("san.example.com").build();

        assertThat(CertificateNames.dnsNames(cert.certificate())).containsExactly("san.example.com");
    }

    @Test
    void theCommonNameIsUsedOnlyWithoutDnsSubjectAltNames() {
        var cert = TestCertificates.builder().commonName("cn.example.com").build();

        assertThat(CertificateNames.dnsNames(cert.certificate())).containsExactly("cn.example.com");
    }
}
