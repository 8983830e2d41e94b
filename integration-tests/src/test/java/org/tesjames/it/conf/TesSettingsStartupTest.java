package org.tesjames.it.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;

/** conf/tes.properties is read while James starts: a bad file stops the start, naming the key. */
class TesSettingsStartupTest {
    @Test
    void aMalformedTesPropertiesStopsJamesFromStarting() {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns()) {
            assertThatThrownBy(() -> TesJamesServer.start(dns,
                    conf -> conf.modify("tes.properties", text -> text + "\ndns.timeout=soon\n")).close())
                .hasStackTraceContaining("Invalid value 'soon' for dns.timeout");
        }
    }

    @Test
    void anUnknownKeyStopsJamesFromStarting() {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns()) {
            assertThatThrownBy(() -> TesJamesServer.start(dns,
                    conf -> conf.modify("tes.properties", text -> text + "\ndns.resolver=127.0.0.1\n")).close())
                .hasStackTraceContaining("Unknown key(s) in tes.properties: dns.resolver");
        }
    }

    @Test
    void theShippedTesPropertiesStartsWithTheDefaults() throws Exception {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             TesJamesServer james = TesJamesServer.start(dns, conf -> { })) {
            assertThat(james.inboundPort()).isPositive();
        }
    }
}
