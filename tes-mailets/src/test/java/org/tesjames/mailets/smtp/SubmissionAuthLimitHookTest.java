package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.smtpserver.UsersRepositoryAuthHook;
import org.junit.jupiter.api.Test;
import org.tesjames.core.submission.AuthFailureLimiter;
import org.tesjames.core.submission.AuthFailureLimits;

class SubmissionAuthLimitHookTest {
    private final SubmissionAuthLimitHook hook = new SubmissionAuthLimitHook(
        new AuthFailureLimiter(new AuthFailureLimits(3, 10, Duration.ofMinutes(10), 100), Clock.systemUTC()),
        new UsersRepositoryAuthHook(null, null), new RecordingMetricFactory());

    @Test
    void takesNoParameter() {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", SubmissionAuthLimitHook.class.getName());
        assertThatCode(() -> hook.init(config)).doesNotThrowAnyException();

        config.addProperty("maxFailures", "3");
        assertThatThrownBy(() -> hook.init(config))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("unknown parameter 'maxFailures'");
    }

    @Test
    void logsAUserNameAsPrintableAsciiWithoutQuotesOrLineBreaks() {
        assertThat(SubmissionAuthLimitHook.sanitise("writer@tes.test")).isEqualTo("writer@tes.test");
        assertThat(SubmissionAuthLimitHook.sanitise("a b\r\nINFO forged' \\x\u00e9"))
            .isEqualTo("a?b??INFO?forged???x?");
    }

    @Test
    void logsAtMost64CharactersOfAUserName() {
        assertThat(SubmissionAuthLimitHook.sanitise("u".repeat(100))).isEqualTo("u".repeat(64) + "...");
        assertThat(SubmissionAuthLimitHook.sanitise("u".repeat(64))).isEqualTo("u".repeat(64));
    }
}
