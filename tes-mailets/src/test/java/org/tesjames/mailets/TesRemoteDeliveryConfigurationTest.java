package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.tesjames.core.tlsrpt.TlsResultRecorder;
import org.tesjames.matchers.FakeTesDns;

/** {@code TesRemoteDelivery} refuses, at start and naming the parameter, every setting its policy cannot work with. */
class TesRemoteDeliveryConfigurationTest {
    private static Map<String, String> valid(String policy) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("danePolicy", policy);
        parameters.put("outgoing", "outgoing-test");
        parameters.put("startTLS", "true");
        parameters.put("verifyServerIdentity", "true");
        parameters.put("mail.smtp.socketFactory.class", "org.tesjames.core.dane.delivery.DaneRoutingSocketFactory");
        parameters.put("mail.smtp.socketFactory.fallback", "false");
        parameters.put("mail.smtp.ssl.socketFactory.class", "org.tesjames.core.dane.tls.DaneSocketFactory");
        parameters.put("mail.smtp.ssl.checkserveridentity", "false");
        parameters.put("mail.smtp.starttls.required", policy.equals("dane-required") ? "true" : "false");
        parameters.put("mail.smtp.ssl.protocols", "TLSv1.2 TLSv1.3");
        return parameters;
    }

    private static void init(Map<String, String> parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("TesRemoteDelivery")
            .mailetContext(FakeMailContext.defaultContext());
        parameters.forEach(config::setProperty);
        TesRemoteDelivery mailet = new TesRemoteDelivery(null, null, null, new RecordingMetricFactory(), null,
            FakeTesDns.settings(Duration.ofSeconds(5)), OutboundSts.disabled(),
            TlsResultRecorder.NONE);
        mailet.init(config.build());
    }

    private static Map<String, String> with(Map<String, String> parameters, String name, String value) {
        if (value == null) {
            parameters.remove(name);
        } else {
            parameters.put(name, value);
        }
        return parameters;
    }

    @Test
    void thePolicyIsRequired() {
        assertThatThrownBy(() -> init(with(valid("dane-required"), "danePolicy", null)))
            .hasMessage("TesRemoteDelivery: parameter danePolicy is required");
    }

    @Test
    void anUnknownPolicyIsRefused() {
        assertThatThrownBy(() -> init(with(valid("dane-required"), "danePolicy", "dane")))
            .hasMessageContaining("parameter danePolicy: 'dane' is not a delivery policy");
    }

    @Test
    void theQueueMustBeNamedWithRemoteDeliverysOwnParameter() {
        assertThatThrownBy(() -> init(with(valid("dane-required"), "outgoing", null)))
            .hasMessage("TesRemoteDelivery: parameter outgoing is required");
        assertThatThrownBy(() -> init(with(valid("dane-required"), "outgoingQueue", "q")))
            .hasMessageContaining("parameter outgoingQueue is not a RemoteDelivery parameter");
    }

    @Test
    void theDaneSocketFactoriesMustBeConfigured() {
        assertThatThrownBy(() -> init(with(valid("dane-opportunistic"), "mail.smtp.ssl.socketFactory.class", null)))
            .hasMessage("TesRemoteDelivery: parameter mail.smtp.ssl.socketFactory.class must be "
                + "'org.tesjames.core.dane.tls.DaneSocketFactory' for danePolicy dane-opportunistic (missing)");
        assertThatThrownBy(() -> init(with(valid("dane-opportunistic"), "mail.smtp.socketFactory.fallback", "true")))
            .hasMessageContaining("parameter mail.smtp.socketFactory.fallback must be 'false'");
        assertThatThrownBy(() -> init(with(valid("dane-opportunistic"), "mail.smtp.ssl.checkserveridentity", null)))
            .hasMessageContaining("parameter mail.smtp.ssl.checkserveridentity must be 'false'");
    }

    @Test
    void connectingByAddressIsRefused() {
        assertThatThrownBy(() -> init(with(valid("dane-required"), "verifyServerIdentity", "false")))
            .hasMessageContaining("parameter verifyServerIdentity must be 'true'");
        assertThatThrownBy(() -> init(with(valid("dane-required"), "startTLS", null)))
            .hasMessageContaining("parameter startTLS must be 'true'");
    }

    @Test
    void starttlsRequiredMustMatchThePolicy() {
        assertThatThrownBy(() -> init(with(valid("dane-required"), "mail.smtp.starttls.required", "false")))
            .hasMessageContaining("parameter mail.smtp.starttls.required must be 'true' for danePolicy dane-required");
        assertThatThrownBy(() -> init(with(valid("dane-opportunistic"), "mail.smtp.starttls.required", "true")))
            .hasMessageContaining("must be 'false' for danePolicy dane-opportunistic");
    }

    @Test
    void daneRequiredRefusesProtocolsOlderThanTls12() {
        assertThatThrownBy(() -> init(with(valid("dane-required"), "mail.smtp.ssl.protocols", "TLSv1.1 TLSv1.2")))
            .hasMessageContaining("lists TLSv1.1: danePolicy dane-required needs TLSv1.2 or newer only");
        assertThatThrownBy(() -> init(with(valid("dane-required"), "mail.smtp.ssl.protocols", "SSLv3")))
            .hasMessageContaining("lists SSLv3: danePolicy dane-required needs TLSv1.2 or newer only");
        assertThatThrownBy(() -> init(with(valid("dane-opportunistic"), "mail.smtp.ssl.protocols", "TLSv9")))
            .hasMessageContaining("'TLSv9' is not a TLS version");
    }

    @Test
    void aGatewayIsRefused() {
        assertThatThrownBy(() -> init(with(valid("dane-opportunistic"), "gateway", "smarthost.test")))
            .hasMessageContaining("parameter gateway cannot be used");
    }
}
