package org.tesjames.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.submission.AuthFailureLimits;

class TesSettingsTest {

    private static Properties properties(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    void defaults() {
        TesSettings settings = TesSettings.defaults();

        assertThat(settings.resolvers()).isEqualTo(new TesSettings.Resolvers.System());
        assertThat(settings.dnsTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.dnsRetries()).isEqualTo(1);
        assertThat(settings.dnsCacheSize()).isEqualTo(10_000);
        assertThat(settings.dnsCacheMaxTtl()).isEqualTo(Duration.ofDays(1));
        assertThat(settings.dnsCacheFailureHoldDown()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.registryRoot()).isEqualTo("trusted-email-services.com");
        assertThat(settings.lookupTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void parsesEveryKey() {
        TesSettings settings = TesSettings.parse(properties("dns.retries", "0", "dns.cache.size", "5",
            "dns.cache.max-ttl", "1h", "dns.cache.failure-hold-down", "0s", "registry.root", "Registry.Test.",
            "lookup.timeout", "10s"));

        assertThat(settings.dnsRetries()).isZero();
        assertThat(settings.dnsCacheSize()).isEqualTo(5);
        assertThat(settings.dnsCacheMaxTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.dnsCacheFailureHoldDown()).isZero();
        assertThat(settings.registryRoot()).isEqualTo("registry.test");
        assertThat(settings.lookupTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everyDocumentedDefaultParsesToTheDefaultSettings() {
        Properties documented = new Properties();
        documented.putAll(TesSettings.DEFAULTS);

        assertThat(TesSettings.parse(documented)).isEqualTo(TesSettings.defaults());
    }

    @Test
    void theEffectiveValuesParseBackToTheSameSettings() {
        TesSettings settings = TesSettings.parse(properties("dns.resolvers", "127.0.0.1:5353", "dns.timeout", "2s",
            "registry.root", "registry.test", "dnssec.mode", "trust-ad"));
        Properties effective = new Properties();
        effective.putAll(settings.effectiveValues());

        assertThat(settings.effectiveValues()).containsOnlyKeys(TesSettings.DEFAULTS.keySet());
        assertThat(TesSettings.parse(effective)).isEqualTo(settings);
    }

    @Nested
    class Dkim {
        @Test
        void signingIsDisabledByDefault() {
            TesSettings settings = TesSettings.defaults();

            assertThat(settings.dkimKeys()).isEmpty();
            assertThat(settings.dkimReloadInterval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(settings.dkimSelectors()).isEmpty();
        }

        @Test
        void parsesTheKeyDirectoryIntervalAndSelectors() {
            TesSettings settings = TesSettings.parse(properties("dkim.keys", "dkim", "dkim.reload-interval", "30s",
                "dkim.selectors", "Example.COM:2024-07, example.com:ed1,other.example:s1"));

            assertThat(settings.dkimKeys()).contains(Path.of("dkim"));
            assertThat(settings.dkimReloadInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(settings.dkimSelectors()).isEqualTo(Map.of("example.com", List.of("2024-07", "ed1"),
                "other.example", List.of("s1")));
            assertThat(settings.dkimActiveSelectors()).isEqualTo(Map.of("example.com", "2024-07,ed1",
                "other.example", "s1"));
        }

        @Test
        void theDkimEffectiveValuesParseBack() {
            TesSettings settings = TesSettings.parse(properties("dkim.keys", "/var/dkim", "dkim.selectors",
                "b.example:s2,a.example:s1"));
            Properties effective = new Properties();
            effective.putAll(settings.effectiveValues());

            assertThat(settings.effectiveValues()).containsEntry("dkim.selectors", "a.example:s1,b.example:s2")
                .containsEntry("dkim.keys", "/var/dkim");
            assertThat(TesSettings.parse(effective)).isEqualTo(settings);
        }

        @Test
        void rejectsMalformedDkimValuesNamingTheKey() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dkim.selectors", "example.com")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dkim.selectors")
                .hasMessageContaining("domain:selector");
            assertThatThrownBy(() -> TesSettings.parse(properties("dkim.selectors", "example.com:s1,example.com:S1")))
                .hasMessageContaining("given twice");
            assertThatThrownBy(() -> TesSettings.parse(properties("dkim.selectors", "not a domain:s1")))
                .hasMessageContaining("dkim.selectors");
            assertThatThrownBy(() -> TesSettings.parse(properties("dkim.reload-interval", "0s")))
                .hasMessageContaining("dkim.reload-interval");
            assertThatThrownBy(() -> TesSettings.parse(properties("dkim.reload-interval", "1 minute")))
                .hasMessageContaining("dkim.reload-interval");
            assertThatThrownBy(() -> TesSettings.parse(properties("dkim.keys", " ")))
                .hasMessageContaining("dkim.keys");
        }
    }

    @Nested
    class SubmissionAuth {
        @Test
        void limitsFailedAuthenticationByDefault() {
            assertThat(TesSettings.defaults().submissionAuth())
                .isEqualTo(new AuthFailureLimits(3, 10, Duration.ofMinutes(10), 10_000));
        }

        @Test
        void parsesTheLimits() {
            TesSettings settings = TesSettings.parse(properties("submission.auth.max-failures-per-session", "5",
                "submission.auth.max-failures-per-address", "20", "submission.auth.address-window", "1h",
                "submission.auth.address-table-size", "500"));

            assertThat(settings.submissionAuth()).isEqualTo(new AuthFailureLimits(5, 20, Duration.ofHours(1), 500));
            Properties effective = new Properties();
            effective.putAll(settings.effectiveValues());
            assertThat(TesSettings.parse(effective)).isEqualTo(settings);
        }

        @Test
        void rejectsMalformedLimitsNamingTheKey() {
            assertThatThrownBy(() -> TesSettings.parse(properties("submission.auth.max-failures-per-session", "0")))
                .hasMessageContaining("Invalid value '0' for submission.auth.max-failures-per-session")
                .hasMessageContaining("between 1 and 100");
            assertThatThrownBy(() -> TesSettings.parse(properties("submission.auth.max-failures-per-address", "x")))
                .hasMessageContaining("submission.auth.max-failures-per-address");
            assertThatThrownBy(() -> TesSettings.parse(properties("submission.auth.max-failures-per-address",
                "1001"))).hasMessageContaining("between 1 and 1000");
            assertThatThrownBy(() -> TesSettings.parse(properties("submission.auth.address-window", "10")))
                .hasMessageContaining("submission.auth.address-window").hasMessageContaining("not a duration");
            assertThatThrownBy(() -> TesSettings.parse(properties("submission.auth.address-window", "0s")))
                .hasMessageContaining("submission.auth.address-window").hasMessageContaining("positive");
            assertThatThrownBy(() -> TesSettings.parse(properties("submission.auth.address-window", "2d")))
                .hasMessageContaining("at most 1d");
            assertThatThrownBy(() -> TesSettings.parse(properties("submission.auth.address-table-size", "0")))
                .hasMessageContaining("submission.auth.address-table-size");
        }
    }

    @Test
    void parsesAnExplicitResolverList() {
        TesSettings settings = TesSettings.parse(properties("dns.resolvers", "127.0.0.1:5353, [::1]:53,192.0.2.1"));

        assertThat(settings.resolvers()).hasToString("127.0.0.1:5353,[0:0:0:0:0:0:0:1]:53,192.0.2.1:53");
        assertThat(((TesSettings.Resolvers.Explicit) settings.resolvers()).addresses())
            .extracting(ResolverAddress::port)
            .isEqualTo(List.of(5353, 53, 53));
    }

    @Nested
    class Refuses {
        @Test
        void unknownKeysNamingThem() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.resolver", "127.0.0.1", "zzz", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown key(s) in tes.properties: dns.resolver, zzz");
        }

        @Test
        void aHostNameAsResolver() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.resolvers", "dns.example.com")))
                .hasMessageContaining("Invalid value 'dns.example.com' for dns.resolvers")
                .hasMessageContaining("not a resolver address");
        }

        @Test
        void anEmptyResolverInTheList() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.resolvers", "127.0.0.1,")))
                .hasMessageContaining("for dns.resolvers");
        }

        @Test
        void aPortOutOfRange() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.resolvers", "127.0.0.1:70000")))
                .hasMessageContaining("port 70000 out of range");
        }

        @Test
        void aTimeoutWithoutUnit() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.timeout", "5")))
                .hasMessageContaining("Invalid value '5' for dns.timeout")
                .hasMessageContaining("not a duration");
        }

        @Test
        void retriesOutOfRange() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.retries", "9")))
                .hasMessageContaining("dns.retries must be between 0 and 5");
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.retries", "-1")))
                .hasMessageContaining("Invalid value '-1' for dns.retries");
        }

        @Test
        void anEmptyCache() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.cache.size", "0")))
                .hasMessageContaining("dns.cache.size must be at least 1");
        }

        @Test
        void anInvalidRegistryRoot() {
            assertThatThrownBy(() -> TesSettings.parse(properties("registry.root", "not a domain")))
                .hasMessageContaining("Invalid value 'not a domain' for registry.root");
        }

        @Test
        void aZeroTimeout() {
            assertThatThrownBy(() -> TesSettings.parse(properties("dns.timeout", "0s")))
                .hasMessageContaining("dns.timeout must be positive");
        }
    }
}
