package org.tesjames.matchers;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Matcher;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MatcherConditionTest {
    static Stream<Matcher> matchers() {
        FakeTesDns dns = new FakeTesDns();
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        return Stream.of(
            new IsTesMember(dns.resolver(), FakeTesDns.settings(Duration.ofSeconds(1)), metrics),
            new RecipientIsTesMember(dns.resolver(), FakeTesDns.settings(Duration.ofSeconds(1)), metrics),
            new SenderTlsCompliant(dns.resolver(), FakeTesDns.settings(Duration.ofSeconds(1)), metrics),
            new ClientTlsCompliant(metrics));
    }

    @ParameterizedTest
    @MethodSource("matchers")
    void refusesAConditionNamingTheMatcherAndTheCondition(Matcher matcher) {
        String name = matcher.getClass().getSimpleName();

        assertThatThrownBy(() -> matcher.init(FakeMatcherConfig.builder().matcherName(name)
            .condition("example.com").build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining(name + " takes no condition, got 'example.com'");
    }

    @ParameterizedTest
    @MethodSource("matchers")
    void acceptsNoConditionOrAnEmptyOne(Matcher matcher) {
        String name = matcher.getClass().getSimpleName();

        assertThatCode(() -> matcher.init(FakeMatcherConfig.builder().matcherName(name).build()))
            .doesNotThrowAnyException();
        assertThatCode(() -> matcher.init(FakeMatcherConfig.builder().matcherName(name).condition("").build()))
            .doesNotThrowAnyException();
    }
}
