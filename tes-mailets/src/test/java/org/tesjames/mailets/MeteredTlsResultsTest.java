package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;
import org.tesjames.core.tlsrpt.FailureDetail;
import org.tesjames.core.tlsrpt.PolicyType;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.core.tlsrpt.TlsPolicy;

class MeteredTlsResultsTest {
    @Test
    void countsSuccessesAndFailuresPerPolicyTypeAndResultType() {
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        MeteredTlsResults results = new MeteredTlsResults(metrics);
        TlsPolicy sts = new TlsPolicy(PolicyType.STS, "example.test", List.of("version: STSv1"), List.of("mx.example.test"));

        results.success(sts);
        results.success(sts);
        results.failure(sts, FailureDetail.of(ResultType.CERTIFICATE_EXPIRED, "mx.example.test",
            Optional.of("192.0.2.1"), Optional.of("expired")));
        results.success(TlsPolicy.none("other.test"));

        assertThat(metrics.countFor("tes.tlsrpt.sts.success")).isEqualTo(2);
        assertThat(metrics.countFor("tes.tlsrpt.sts.failure.certificate-expired")).isEqualTo(1);
        assertThat(metrics.countFor("tes.tlsrpt.no-policy-found.success")).isEqualTo(1);
    }
}
