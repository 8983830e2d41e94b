package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.List;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dkim.sign.SigningDecision;
import org.tesjames.core.policy.Verdict;
import org.tesjames.mailets.DkimSigning;

class SubmissionSigningHookTest {
    private final SubmissionSigningHook hook = new SubmissionSigningHook(
        DkimSigning.enabled(domain -> List.of(), Clock.systemUTC()), new RecordingMetricFactory());

    private SubmissionSigningHook init(String... parameters) throws ConfigurationException {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", SubmissionSigningHook.class.getName());
        for (int i = 0; i < parameters.length; i += 2) {
            config.addProperty(parameters[i], parameters[i + 1]);
        }
        hook.init(config);
        return hook;
    }

    @Test
    void skipsByDefault() throws Exception {
        init();

        assertThat(hook.verdict(new SigningDecision.NoKey("a@x.test", "x.test"), "<m@x.test>"))
            .isEqualTo(Verdict.accept());
        assertThat(hook.verdict(new SigningDecision.NotAuthorised("a@x.test", "y.test"), "<m@x.test>"))
            .isEqualTo(Verdict.accept());
    }

    @Test
    void noKeyRejectAndDeferNameTheDomainAndMessageId() throws Exception {
        assertThat(init("noKey", "reject").verdict(new SigningDecision.NoKey("a@x.test", "x.test"), "<m@x.test>"))
            .isEqualTo(Verdict.reject("No DKIM key for x.test; the message was not accepted (<m@x.test>)"));
        assertThat(init("noKey", "DEFER").verdict(new SigningDecision.NoKey("a@x.test", "x.test"), "<m@x.test>"))
            .isEqualTo(Verdict.defer("No DKIM key for x.test yet; try again later (<m@x.test>)"));
    }

    @Test
    void notAuthorisedRejectCoversAForeignDomainAndNoSingleFrom() throws Exception {
        init("notAuthorised", "reject");

        assertThat(hook.verdict(new SigningDecision.NotAuthorised("a@x.test", "y.test"), "<m@x.test>"))
            .isEqualTo(Verdict.reject("a@x.test may not send as y.test; the message was not accepted (<m@x.test>)"));
        assertThat(hook.verdict(new SigningDecision.NoFromDomain("a@x.test", "no From header field"), "<m@x.test>"))
            .isEqualTo(Verdict.reject("No single From address to sign for: no From header field; the message was"
                + " not accepted (<m@x.test>)"));
        assertThat(hook.verdict(new SigningDecision.Sign("a@x.test", "x.test"), "<m@x.test>"))
            .isEqualTo(Verdict.accept());
    }

    @Test
    void refusesBadValuesAndUnknownParametersNamingThem() {
        assertThatThrownBy(() -> init("noKey", "error")).isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("noKey='error'").hasMessageContaining("skip, reject, defer");
        assertThatThrownBy(() -> init("notAuthorised", "defer")).isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("notAuthorised='defer'");
        assertThatThrownBy(() -> init("nokey", "reject")).isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("unknown parameter 'nokey'");
        assertThatThrownBy(() -> init("domainMap", "a.test")).isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("domainMap='a.test'");
    }
}
