package org.tesjames.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class TesSettingsStsTest {
    private static TesSettings parse(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return TesSettings.parse(properties);
    }

    @Test
    void defaultsAreOnWithTheJdkTrustStoreAndTheRfcSuggestedLimits() {
        StsSettings sts = TesSettings.defaults().sts();

        assertThat(sts).isEqualTo(new StsSettings(true, Optional.empty(), Duration.ofSeconds(60), 65536, 443, 10000));
    }

    @Test
    void readsEveryKey() {
        StsSettings sts = parse("sts.enabled", "false", "sts.trust-store", "sts-ca.pem", "sts.fetch.timeout", "5s",
            "sts.fetch.max-bytes", "1024", "sts.fetch.port", "8443", "sts.cache.size", "1").sts();

        assertThat(sts).isEqualTo(new StsSettings(false, Optional.of(Path.of("sts-ca.pem")), Duration.ofSeconds(5),
            1024, 8443, 1));
        assertThat(parse("sts.trust-store", "sts-ca.pem").effectiveValues()).containsEntry("sts.trust-store",
            "sts-ca.pem").containsEntry("sts.fetch.timeout", "60000ms");
    }

    @Test
    void refusesValuesOutsideTheLimitsNamingTheKey() {
        assertThatThrownBy(() -> parse("sts.fetch.max-bytes", "1023")).hasMessageContaining("sts.fetch.max-bytes");
        assertThatThrownBy(() -> parse("sts.fetch.max-bytes", "1048577")).hasMessageContaining("sts.fetch.max-bytes");
        assertThatThrownBy(() -> parse("sts.fetch.timeout", "6m")).hasMessageContaining("sts.fetch.timeout");
        assertThatThrownBy(() -> parse("sts.fetch.timeout", "0s")).hasMessageContaining("sts.fetch.timeout");
        assertThatThrownBy(() -> parse("sts.fetch.port", "0")).hasMessageContaining("sts.fetch.port");
        assertThatThrownBy(() -> parse("sts.cache.size", "0")).hasMessageContaining("sts.cache.size");
        assertThatThrownBy(() -> parse("sts.enabled", "yes")).hasMessageContaining("sts.enabled");
        assertThatThrownBy(() -> parse("sts.trust-store", " ")).hasMessageContaining("sts.trust-store");
    }
}
