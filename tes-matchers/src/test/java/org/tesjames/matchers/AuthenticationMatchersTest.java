package org.tesjames.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tesjames.matchers.MatcherFixtures.initialised;
import static org.tesjames.matchers.MatcherFixtures.mailFrom;

import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Matcher;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.policy.AuthenticationOutcome;

class AuthenticationMatchersTest {
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    private static FakeMail authenticated(String sender, Set<String> pass, Set<String> tempError,
                                          DmarcResult.Result dmarc, Policy disposition) throws MessagingException {
        FakeMail mail = mailFrom(sender, "rcpt@local.example").build();
        TesMailAttributes.writeAuthentication(mail, new AuthenticationOutcome(pass, tempError, dmarc, disposition,
            "from.example"));
        return mail;
    }

    private static <M extends Matcher> M withCondition(M matcher, String condition) throws MessagingException {
        matcher.init(FakeMatcherConfig.builder().matcherName(matcher.getClass().getSimpleName()).condition(condition)
            .build());
        return matcher;
    }

    @Nested
    class HasDkimSignature {
        @Test
        void matchesWhenTheSenderDomainSigned() throws Exception {
            HasDkimSignatureFor matcher = initialised(new HasDkimSignatureFor(metrics), "HasDkimSignatureFor");
            FakeMail mail = authenticated("a@Member.Example", Set.of("member.example"), Set.of(),
                DmarcResult.Result.PASS, Policy.NONE);

            assertThat(matcher.match(mail)).containsExactly(new MailAddress("rcpt@local.example"));
            assertThat(metrics.countFor("tes.matcher.has-dkim-signature.matched")).isEqualTo(1);
        }

        @Test
        void doesNotMatchASignatureOfAnotherDomainOrTheNullSender() throws Exception {
            HasDkimSignatureFor matcher = withCondition(new HasDkimSignatureFor(metrics), "sender");

            assertThat(matcher.match(authenticated("a@member.example", Set.of("esp.example"), Set.of(),
                DmarcResult.Result.PASS, Policy.NONE))).isEmpty();
            assertThat(matcher.match(authenticated(null, Set.of("esp.example"), Set.of(),
                DmarcResult.Result.PASS, Policy.NONE))).isEmpty();
        }

        @Test
        void anExplicitDomainConditionIsUsed() throws Exception {
            HasDkimSignatureFor matcher = withCondition(new HasDkimSignatureFor(metrics), "esp.example");

            assertThat(matcher.match(authenticated("a@member.example", Set.of("esp.example"), Set.of(),
                DmarcResult.Result.PASS, Policy.NONE))).hasSize(1);
        }

        @Test
        void refusesAConditionThatIsNoDomain() {
            assertThatThrownBy(() -> withCondition(new HasDkimSignatureFor(metrics), "not a domain!"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("neither 'sender' nor a domain name");
        }

        @Test
        void aMailThatWasNotAuthenticatedIsAnErrorNotANo() throws Exception {
            HasDkimSignatureFor matcher = initialised(new HasDkimSignatureFor(metrics), "HasDkimSignatureFor");

            assertThatThrownBy(() -> matcher.match(mailFrom("a@member.example", "rcpt@local.example").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("has no tes.auth.* attributes");
        }
    }

    @Nested
    class Dmarc {
        @Test
        void matchesAFailureWithTheConditionsDisposition() throws Exception {
            DmarcDisposition reject = withCondition(new DmarcDisposition(metrics), "reject");

            assertThat(reject.match(authenticated("a@x.example", Set.of(), Set.of(), DmarcResult.Result.FAIL,
                Policy.REJECT))).hasSize(1);
            assertThat(reject.match(authenticated("a@x.example", Set.of(), Set.of(), DmarcResult.Result.FAIL,
                Policy.QUARANTINE))).isEmpty();
            assertThat(reject.match(authenticated("a@x.example", Set.of(), Set.of(), DmarcResult.Result.PASS,
                Policy.NONE))).isEmpty();
        }

        @Test
        void theConditionIsRequiredAndChecked() {
            assertThatThrownBy(() -> withCondition(new DmarcDisposition(metrics), ""))
                .isInstanceOf(MessagingException.class).hasMessageContaining("none, quarantine or reject");
            assertThatThrownBy(() -> withCondition(new DmarcDisposition(metrics), "discard"))
                .isInstanceOf(MessagingException.class).hasMessageContaining("none, quarantine or reject");
        }
    }

    @Nested
    class TemporaryError {
        @Test
        void matchesATemporaryErrorOnTheSendersKeyWithoutAPass() throws Exception {
            AuthenticationTemporaryError matcher = initialised(new AuthenticationTemporaryError(metrics),
                "AuthenticationTemporaryError");

            assertThat(matcher.match(authenticated("a@member.example", Set.of(), Set.of("member.example"),
                DmarcResult.Result.NONE, Policy.NONE))).hasSize(1);
            assertThat(matcher.match(authenticated("a@member.example", Set.of("member.example"),
                Set.of("member.example"), DmarcResult.Result.PASS, Policy.NONE))).isEmpty();
            assertThat(matcher.match(authenticated("a@member.example", Set.of(), Set.of("other.example"),
                DmarcResult.Result.NONE, Policy.NONE))).isEmpty();
        }

        @Test
        void matchesADmarcTemporaryError() throws Exception {
            AuthenticationTemporaryError matcher = initialised(new AuthenticationTemporaryError(metrics),
                "AuthenticationTemporaryError");

            assertThat(matcher.match(authenticated("a@member.example", Set.of("member.example"), Set.of(),
                DmarcResult.Result.TEMPERROR, Policy.NONE))).hasSize(1);
        }
    }

    @Test
    void theAttributesRoundTripAndInconsistentOnesAreReported() throws Exception {
        AuthenticationOutcome outcome = new AuthenticationOutcome(Set.of("a.example", "b.example"),
            Set.of("c.example"), DmarcResult.Result.FAIL, Policy.QUARANTINE, "from.example");
        FakeMail mail = mailFrom("x@a.example", "rcpt@local.example").build();

        TesMailAttributes.writeAuthentication(mail, outcome);

        assertThat(TesMailAttributes.readAuthentication(mail)).contains(outcome);
        mail.setAttribute(new org.apache.mailet.Attribute(TesMailAttributes.AUTH_DMARC,
            org.apache.mailet.AttributeValue.of("maybe")));
        assertThatThrownBy(() -> TesMailAttributes.readAuthentication(mail))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("tes.auth");
    }
}
