package org.tesjames.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The SMTP TLS Reporting settings of {@code tes.properties} ({@code tlsrpt.*}, RFC 8460).
 *
 * @param enabled whether reports are aggregated and sent
 * @param organizationName the reporting organisation ({@code organization-name})
 * @param contactInfo how to reach it ({@code contact-info})
 * @param reportingDomain the domain that submits the reports: its DKIM key signs them, it is the
 *                        {@code TLS-Report-Submitter}
 * @param sender the From and envelope sender of report mails; empty: {@code tlsrpt-noreply@<reportingDomain>}
 * @param interval the reporting period
 * @param maxPolicies the most policies counted per period
 * @param maxDetailsPerPolicy the most distinct failure details per policy
 * @param maxRua the most {@code rua} destinations a report is sent to
 * @param maxReportBytes the largest gzipped report sent
 * @param trustStore the CAs trusted for {@code https:} destinations; empty: the JDK's
 * @param httpsTimeout the limit of one whole HTTPS submission
 * @param retryAttempts how many more times a failed submission (or a failed discovery) is tried
 * @param retryDelay the wait before the first retry, doubled at each further one
 * @param stateFile where the counts and unsent reports are kept across restarts; empty: in memory only
 */
public record TlsRptSettings(boolean enabled, String organizationName, String contactInfo, String reportingDomain,
                             Optional<String> sender, Duration interval, int maxPolicies, int maxDetailsPerPolicy,
                             int maxRua, int maxReportBytes, Optional<Path> trustStore, Duration httpsTimeout,
                             int retryAttempts, Duration retryDelay, Optional<Path> stateFile) {
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MAX_INTERVAL = Duration.ofDays(7);

    public TlsRptSettings {
        Objects.requireNonNull(organizationName, TesSettings.TLSRPT_ORGANIZATION_NAME);
        Objects.requireNonNull(contactInfo, TesSettings.TLSRPT_CONTACT_INFO);
        Objects.requireNonNull(reportingDomain, TesSettings.TLSRPT_REPORTING_DOMAIN);
        Objects.requireNonNull(sender, TesSettings.TLSRPT_SENDER);
        Objects.requireNonNull(interval, TesSettings.TLSRPT_INTERVAL);
        Objects.requireNonNull(trustStore, TesSettings.TLSRPT_TRUST_STORE);
        Objects.requireNonNull(httpsTimeout, TesSettings.TLSRPT_HTTPS_TIMEOUT);
        Objects.requireNonNull(retryDelay, TesSettings.TLSRPT_RETRY_DELAY);
        Objects.requireNonNull(stateFile, TesSettings.TLSRPT_STATE_FILE);
        if (enabled) {
            required(TesSettings.TLSRPT_ORGANIZATION_NAME, organizationName);
            required(TesSettings.TLSRPT_CONTACT_INFO, contactInfo);
            required(TesSettings.TLSRPT_REPORTING_DOMAIN, reportingDomain);
        }
    }

    private static void required(String key, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(key + " is required when " + TesSettings.TLSRPT_ENABLED + "=true");
        }
    }

    /** @return the From and envelope sender of report mails */
    public String senderAddress() {
        return sender.orElse("tlsrpt-noreply@" + reportingDomain);
    }
}
