package org.tesjames.core.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the socket factories record through {@link SessionOutcomes}. */
class SessionOutcomesTest {
    private static final TlsPolicy NONE = TlsPolicy.none("example.net");

    private final TlsResultCounter counter = new TlsResultCounter(10, 10);

    @AfterEach
    void unbind() {
        SessionOutcomes.clear();
    }

    @Test
    void aFailureWithoutMessageIsRecordedWithoutReasonCodeInsteadOfFailingTheDelivery() {
        SessionOutcomes.bind(counter, Map.of("mx.example.net", NONE));

        SessionOutcomes.failure("MX.example.net.", Optional.of("192.0.2.25"), ResultType.VALIDATION_FAILURE, null);
        SessionOutcomes.failure("mx.example.net", Optional.of("192.0.2.25"), ResultType.VALIDATION_FAILURE, " ");

        TlsResultCounter.PolicyResult result = counter.drain().get(0);
        assertThat(result.details()).containsExactly(Map.entry(new FailureDetail(ResultType.VALIDATION_FAILURE,
            Optional.empty(), "mx.example.net", Optional.of("192.0.2.25"), Optional.empty(), Optional.empty()), 2L));
        assertThat(new TlsReport("Org", "tlsrpt@org.example", "id", Instant.EPOCH, Instant.EPOCH.plusSeconds(86399),
            "example.net", List.of(result)).json())
            .doesNotContain("failure-reason-code");
    }

    @Test
    void aHostWithoutBoundPolicyIsNotRecorded() {
        SessionOutcomes.bind(counter, Map.of("mx.example.net", NONE));

        SessionOutcomes.failure("other.example.net", Optional.empty(), ResultType.VALIDATION_FAILURE, "no");
        SessionOutcomes.success("other.example.net");

        assertThat(counter.drain()).isEmpty();
    }
}
