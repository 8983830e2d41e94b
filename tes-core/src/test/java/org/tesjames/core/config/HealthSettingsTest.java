package org.tesjames.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Name;

class HealthSettingsTest {
    private static Properties properties(String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        HealthSettings settings = HealthSettings.defaults();

        assertThat(settings.dnsProbe()).isEqualTo(Name.root);
        assertThat(settings.dnsSlow()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.dnssecProbe()).contains(Name.root);
        assertThat(settings.deferredMaxMails()).isEqualTo(1000);
        assertThat(settings.deferredMaxAge()).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void readsEveryKeyAndLeavesJamesKeysAlone() {
        HealthSettings settings = HealthSettings.parse(properties("healthcheck.period", "60s",
            "additional.healthchecks", "a.B", "tes.health.dns.probe", "registry.test",
            "tes.health.dns.slow", "500ms", "tes.health.dnssec.probe", "none",
            "tes.health.deferred.max-mails", "5", "tes.health.deferred.max-age", "1h"));

        assertThat(settings.dnsProbe().toString()).isEqualTo("registry.test.");
        assertThat(settings.dnsSlow()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.dnssecProbe()).isEmpty();
        assertThat(settings.deferredMaxMails()).isEqualTo(5);
        assertThat(settings.deferredMaxAge()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void anUnknownTesKeyIsRefusedNamingIt() {
        assertThatThrownBy(() -> HealthSettings.parse(properties("tes.health.dns.slowness", "1s")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("tes.health.dns.slowness");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tes.health.dns.slow | 0s",
        "tes.health.dns.slow | 2 seconds",
        "tes.health.deferred.max-age | 0h",
        "tes.health.deferred.max-mails | 0",
        "tes.health.deferred.max-mails | many",
        "tes.health.dns.probe | bad..name",
    })
    void aMalformedValueIsRefusedNamingTheKeyAndTheValue(String key, String value) {
        assertThatThrownBy(() -> HealthSettings.parse(properties(key, value)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(key)
            .hasMessageContaining("'" + value + "'");
    }
}
