package org.tesjames.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tesjames.matchers.MatcherFixtures.attribute;
import static org.tesjames.matchers.MatcherFixtures.initialised;
import static org.tesjames.matchers.MatcherFixtures.mailFrom;
import static org.tesjames.matchers.MatcherFixtures.recorded;
import static org.tesjames.matchers.MatcherFixtures.recordedDomain;

import java.time.Duration;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class IsTesMemberTest {
    private final FakeTesDns dns = new FakeTesDns().member("member.example").failing("broken.example");
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final IsTesMember matcher = new IsTesMember(dns.resolver(), FakeTesDns.settings(Duration.ofSeconds(5)),
        metrics);

    IsTesMemberTest() throws MessagingException {
        initialised(matcher, "IsTesMember");
    }

    @Nested
    class RecordedMembership {
        @Test
        void matchesAllRecipientsOfARecordedMemberWithoutLookup() throws Exception {
            FakeMail mail = mailFrom("a@member.example", "x@one.example", "y@two.example")
                .attribute(recorded("member")).attribute(recordedDomain("member.example")).build();

            assertThat(matcher.match(mail)).containsExactly(new MailAddress("x@one.example"),
                new MailAddress("y@two.example"));
            assertThat(dns.queries).isEmpty();
        }

        @Test
        void matchesNobodyForARecordedNonMemberWithoutLookup() throws Exception {
            // The recorded verdict wins even though the DNS would say "member": the hook already decided.
            FakeMail mail = mailFrom("a@member.example", "x@one.example")
                .attribute(recorded("non-member")).attribute(recordedDomain("member.example")).build();

            assertThat(matcher.match(mail)).isEmpty();
            assertThat(dns.queries).isEmpty();
        }

        @Test
        void ignoresAVerdictRecordedForAnotherSenderDomain() throws Exception {
            // A mailet rewrote the sender after the hook: the recorded verdict is stale.
            FakeMail mail = mailFrom("a@member.example", "x@one.example")
                .attribute(recorded("non-member")).attribute(recordedDomain("other.example")).build();

            assertThat(matcher.match(mail)).containsExactly(new MailAddress("x@one.example"));
            assertThat(dns.lookups()).isEqualTo(1);
            assertThat(attribute(mail, TesMailAttributes.SENDER_MEMBERSHIP)).contains("member");
        }
    }

    @Nested
    class Lookup {
        @Test
        void looksUpAndRecordsAMember() throws Exception {
            FakeMail mail = mailFrom("a@member.example", "x@one.example").build();

            assertThat(matcher.match(mail)).containsExactly(new MailAddress("x@one.example"));
            assertThat(attribute(mail, TesMailAttributes.SENDER_MEMBERSHIP)).contains("member");
            assertThat(attribute(mail, TesMailAttributes.SENDER_DOMAIN)).contains("member.example");
            assertThat(attribute(mail, TesMailAttributes.SENDER_MASTER)).contains("master.example.net");
            assertThat(metrics.countFor("tes.matcher.is-member.member")).isEqualTo(1);
        }

        @Test
        void looksUpAndRecordsANonMember() throws Exception {
            FakeMail mail = mailFrom("a@stranger.example", "x@one.example").build();

            assertThat(matcher.match(mail)).isEmpty();
            assertThat(attribute(mail, TesMailAttributes.SENDER_MEMBERSHIP)).contains("non-member");
            assertThat(attribute(mail, TesMailAttributes.SENDER_MASTER)).isEmpty();
            assertThat(metrics.countFor("tes.matcher.is-member.non-member")).isEqualTo(1);
        }

        @Test
        void asksTheDnsOnlyOnceWhenTwoMatchersSeeTheSameMail() throws Exception {
            FakeMail mail = mailFrom("a@member.example", "x@one.example").build();

            matcher.match(mail);
            matcher.match(mail);

            assertThat(dns.lookups()).isEqualTo(1);
        }

        @Test
        void theNullSenderIsNotAMemberAndIsNotLookedUp() throws Exception {
            FakeMail mail = mailFrom(null, "x@one.example").build();

            assertThat(matcher.match(mail)).isEmpty();
            assertThat(dns.queries).isEmpty();
            assertThat(metrics.countFor("tes.matcher.is-member.non-member")).isEqualTo(1);
        }

        @Test
        void aTemporaryFailureThrowsAndRecordsNothing() throws Exception {
            FakeMail mail = mailFrom("a@broken.example", "x@one.example").build();

            assertThatThrownBy(() -> matcher.match(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TES lookup failed for sender domain broken.example of mail mail-1")
                .hasMessageContaining("SERVFAIL");
            assertThat(mail.getAttribute(TesMailAttributes.SENDER_MEMBERSHIP)).isEmpty();
            assertThat(metrics.countFor("tes.matcher.is-member.failed")).isEqualTo(1);
        }
    }
}
