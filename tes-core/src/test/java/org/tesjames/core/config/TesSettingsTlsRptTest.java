package org.tesjames.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code tlsrpt.*} keys of {@code tes.properties}: safe defaults, strict values, each limit's cliff. */
class TesSettingsTlsRptTest {
    private static final String[] ENABLED = {"tlsrpt.enabled", "true", "tlsrpt.organization-name", "Example Org",
        "tlsrpt.contact-info", "mailto:tls@example.com", "tlsrpt.reporting-domain", "Example.COM"};

    private static TesSettings parse(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return TesSettings.parse(properties);
    }

    private static TesSettings enabled(String... more) {
        String[] all = new String[ENABLED.length + more.length];
        System.arraycopy(ENABLED, 0, all, 0, ENABLED.length);
        System.arraycopy(more, 0, all, ENABLED.length, more.length);
        return parse(all);
    }

    @Test
    void defaultsAreOffWithBoundedLimits() {
        TlsRptSettings tlsrpt = TesSettings.defaults().tlsrpt();

        assertThat(tlsrpt).isEqualTo(new TlsRptSettings(false, "", "", "", Optional.empty(), Duration.ofDays(1),
            10000, 100, 5, 1_048_576, Optional.empty(), Duration.ofSeconds(60), 5, Duration.ofMinutes(5),
            Optional.of(Path.of("tlsrpt.state"))));
    }

    @Test
    void readsEveryKey() {
        TlsRptSettings tlsrpt = enabled("tlsrpt.sender", "reports@Example.COM", "tlsrpt.interval", "1h",
            "tlsrpt.max-policies", "7", "tlsrpt.max-details-per-policy", "3", "tlsrpt.max-rua", "2",
            "tlsrpt.max-report-bytes", "4096", "tlsrpt.trust-store", "ca.pem", "tlsrpt.https.timeout", "5s",
            "tlsrpt.retry.attempts", "0", "tlsrpt.retry.delay", "30s", "tlsrpt.state-file", "none").tlsrpt();

        assertThat(tlsrpt).isEqualTo(new TlsRptSettings(true, "Example Org", "mailto:tls@example.com",
            "example.com", Optional.of("reports@example.com"), Duration.ofHours(1), 7, 3, 2, 4096,
            Optional.of(Path.of("ca.pem")), Duration.ofSeconds(5), 0, Duration.ofSeconds(30), Optional.empty()));
        assertThat(enabled().tlsrpt().senderAddress()).isEqualTo("tlsrpt-noreply@example.com");
    }

    @ParameterizedTest(name = "{0} needs a value when enabled")
    @CsvSource({"tlsrpt.organization-name", "tlsrpt.contact-info", "tlsrpt.reporting-domain"})
    void enablingWithoutTheReportFieldsIsRefusedNamingTheKey(String key) {
        assertThatThrownBy(() -> enabled(key, ""))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(key + " is required when tlsrpt.enabled=true");
    }

    @ParameterizedTest(name = "{0}={1} refused")
    @CsvSource(delimiter = '|', value = {
        "tlsrpt.enabled | yes | is not a boolean",
        "tlsrpt.interval | 999ms | must be between 1s and 7d",
        "tlsrpt.interval | 8d | must be between 1s and 7d",
        "tlsrpt.interval | 1 | is not a duration",
        "tlsrpt.max-policies | 0 | must be between 1 and 10000000",
        "tlsrpt.max-details-per-policy | 10001 | must be between 1 and 10000",
        "tlsrpt.max-rua | 0 | must be between 1 and 100",
        "tlsrpt.max-rua | 101 | must be between 1 and 100",
        "tlsrpt.max-report-bytes | 1023 | must be between 1024 and 67108864",
        "tlsrpt.https.timeout | 6m | must be positive and at most 5m",
        "tlsrpt.retry.attempts | 21 | must be between 0 and 20",
        "tlsrpt.retry.delay | 99ms | must be between 100ms and 1d",
        "tlsrpt.sender | nobody | is not a mail address",
        "tlsrpt.organization-name | caf\u00e9 | printable ASCII",
        "tlsrpt.reporting-domain | not a domain | ",
    })
    void malformedValuesAreRefusedNamingKeyAndValue(String key, String value, String problem) {
        assertThatThrownBy(() -> parse(key, value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("Invalid value '" + value + "' for " + key + ": ")
            .hasMessageContaining(problem == null ? "" : problem);
    }

    @Test
    void theLimitsAcceptTheirBounds() {
        TlsRptSettings low = parse("tlsrpt.interval", "1s", "tlsrpt.max-rua", "1", "tlsrpt.max-report-bytes", "1024",
            "tlsrpt.retry.delay", "100ms", "tlsrpt.retry.attempts", "0").tlsrpt();
        TlsRptSettings high = parse("tlsrpt.interval", "7d", "tlsrpt.max-rua", "100", "tlsrpt.max-report-bytes",
            "67108864", "tlsrpt.retry.delay", "1d", "tlsrpt.retry.attempts", "20").tlsrpt();

        assertThat(low.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(high.interval()).isEqualTo(Duration.ofDays(7));
        assertThat(low.maxRua()).isOne();
        assertThat(high.maxRua()).isEqualTo(100);
        assertThat(high.maxReportBytes()).isEqualTo(64 * 1024 * 1024);
    }
}
