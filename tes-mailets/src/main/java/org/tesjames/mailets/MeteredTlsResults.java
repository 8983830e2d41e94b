package org.tesjames.mailets;

import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.tlsrpt.FailureDetail;
import org.tesjames.core.tlsrpt.TlsPolicy;
import org.tesjames.core.tlsrpt.TlsResultRecorder;

/**
 * The outcomes of outbound TLS sessions in SMTP TLS Reporting terms (RFC 8460), counted with James's metrics and
 * logged, per policy type and result type: {@code tes.tlsrpt.<tlsa|sts|no-policy-found>.success} and
 * {@code tes.tlsrpt.<policy type>.failure.<result type>}; one INFO line per failure
 * ({@code TES TLS-RPT domain D policy P: <result type> with host H (ip) ...}).
 */
public final class MeteredTlsResults implements TlsResultRecorder {
    private static final Logger LOGGER = LoggerFactory.getLogger(MeteredTlsResults.class);

    private final MetricFactory metrics;

    public MeteredTlsResults(MetricFactory metrics) {
        this.metrics = metrics;
    }

    @Override
    public void success(TlsPolicy policy) {
        metrics.generate("tes.tlsrpt." + policy.type().label() + ".success").increment();
        LOGGER.debug("TES TLS-RPT domain {} policy {}: success", policy.domain(), policy.type().label());
    }

    @Override
    public void failure(TlsPolicy policy, FailureDetail detail) {
        metrics.generate("tes.tlsrpt." + policy.type().label() + ".failure." + detail.resultType().label())
            .increment();
        LOGGER.info("TES TLS-RPT domain {} policy {}: {} with host {} ({}): {}", policy.domain(),
            policy.type().label(), detail.resultType().label(), detail.receivingMxHostname(),
            detail.receivingIp().orElse("no address"), detail.failureReasonCode().orElse(""));
    }
}
