package org.tesjames.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tesjames.matchers.MatcherFixtures.initialised;
import static org.tesjames.matchers.MatcherFixtures.mailFrom;

import java.time.Duration;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class RecipientIsTesMemberTest {
    private final FakeTesDns dns = new FakeTesDns().member("member.example", "other-member.example")
        .failing("broken.example").silent("slow.example");
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    private RecipientIsTesMember matcher(Duration deadline) throws MessagingException {
        return initialised(new RecipientIsTesMember(dns.resolver(), FakeTesDns.settings(deadline), metrics),
            "RecipientIsTesMember");
    }

    @Test
    void matchesOnlyTheRecipientsWhoseDomainIsAMember() throws Exception {
        FakeMail mail = mailFrom("a@sender.example", "x@member.example", "y@stranger.example",
            "z@other-member.example").build();

        assertThat(matcher(Duration.ofSeconds(5)).match(mail)).containsExactly(new MailAddress("x@member.example"),
            new MailAddress("z@other-member.example"));
        assertThat(metrics.countFor("tes.matcher.recipient-is-member.member")).isEqualTo(2);
        assertThat(metrics.countFor("tes.matcher.recipient-is-member.non-member")).isEqualTo(1);
    }

    @Test
    void looksUpEachDistinctDomainOnce() throws Exception {
        FakeMail mail = mailFrom("a@sender.example", "x@member.example", "y@MEMBER.example",
            "z@stranger.example", "w@stranger.example").build();

        assertThat(matcher(Duration.ofSeconds(5)).match(mail)).hasSize(2);
        assertThat(dns.lookups()).isEqualTo(2);
    }

    @Test
    void doesNotLookUpTheSender() throws Exception {
        FakeMail mail = mailFrom("a@member.example", "y@stranger.example").build();

        assertThat(matcher(Duration.ofSeconds(5)).match(mail)).isEmpty();
        assertThat(dns.queries).containsExactly("tes-master.stranger.example./CNAME");
    }

    @Test
    void aTemporaryFailureOfAnyRecipientDomainThrows() throws Exception {
        FakeMail mail = mailFrom("a@sender.example", "x@member.example", "y@broken.example").build();

        assertThatThrownBy(() -> matcher(Duration.ofSeconds(5)).match(mail))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("TES lookup failed for recipient domain(s) of mail mail-1")
            .hasMessageContaining("broken.example");
        assertThat(metrics.countFor("tes.matcher.recipient-is-member.failed")).isEqualTo(1);
    }

    @Test
    void aDomainWithoutVerdictWithinTheLookupTimeoutThrows() throws Exception {
        FakeMail mail = mailFrom("a@sender.example", "x@member.example", "y@slow.example").build();

        assertThatThrownBy(() -> matcher(Duration.ofMillis(100)).match(mail))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("slow.example")
            .hasMessageContaining("no verdict within 100 ms");
    }
}
