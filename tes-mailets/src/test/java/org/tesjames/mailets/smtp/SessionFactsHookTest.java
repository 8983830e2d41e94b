package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;

class SessionFactsHookTest {
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final SessionFactsHook hook = new SessionFactsHook(metrics, new PendingSessions(10, 2, metrics));

    @Test
    void acceptsTheListenerParameter() {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", SessionFactsHook.class.getName());
        config.addProperty("listener", "inbound");

        assertThatCode(() -> hook.init(config)).doesNotThrowAnyException();
    }

    @Test
    void refusesAnUnknownParameterNamingIt() {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("listner", "inbound");

        assertThatThrownBy(() -> hook.init(config))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("unknown parameter 'listner'");
    }

    @Test
    void refusesABlankListenerName() {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("listener", " ");

        assertThatThrownBy(() -> hook.init(config))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("must not be blank");
    }
}
