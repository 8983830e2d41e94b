package org.tesjames.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class SmtpSessionFactsTest {
    @Test
    void plaintextSessionHasNoProtocolNorCipher() {
        SmtpSessionFacts facts = SmtpSessionFacts.plaintext("inbound", Optional.empty());

        assertThat(facts.tlsStarted()).isFalse();
        assertThat(facts.tlsProtocol()).isEmpty();
        assertThat(facts.authenticated()).isFalse();
    }

    @Test
    void tlsSessionCarriesProtocolCipherAndUser() {
        SmtpSessionFacts facts = SmtpSessionFacts.tls("submission", TlsMode.STARTTLS, "TLSv1.3",
            "TLS_AES_128_GCM_SHA256", Optional.of("user@example.com"));

        assertThat(facts.tlsStarted()).isTrue();
        assertThat(facts.tlsProtocol()).contains("TLSv1.3");
        assertThat(facts.authenticatedUser()).contains("user@example.com");
    }

    @Test
    void refusesTlsModeWithoutProtocol() {
        assertThatThrownBy(() -> new SmtpSessionFacts("inbound", TlsMode.IMPLICIT, Optional.empty(),
            Optional.empty(), Optional.empty()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("inconsistent");
    }

    @Test
    void refusesPlaintextWithProtocol() {
        assertThatThrownBy(() -> new SmtpSessionFacts("inbound", TlsMode.NONE, Optional.of("TLSv1.2"),
            Optional.of("X"), Optional.empty()))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tlsModeTokensRoundTrip() {
        for (TlsMode mode : TlsMode.values()) {
            assertThat(TlsMode.fromToken(mode.token())).isEqualTo(mode);
        }
        assertThatThrownBy(() -> TlsMode.fromToken("ssl")).hasMessageContaining("Unknown TLS mode 'ssl'");
    }
}
