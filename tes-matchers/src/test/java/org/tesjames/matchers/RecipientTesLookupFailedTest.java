package org.tesjames.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.matchers.MatcherFixtures.initialised;
import static org.tesjames.matchers.MatcherFixtures.mailFrom;

import java.time.Duration;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class RecipientTesLookupFailedTest {
    private final FakeTesDns dns = new FakeTesDns().member("member.example")
        .failing("broken.example").silent("slow.example");
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    private RecipientTesLookupFailed matcher(Duration deadline) throws MessagingException {
        return initialised(new RecipientTesLookupFailed(dns.resolver(), FakeTesDns.settings(deadline), metrics),
            "RecipientTesLookupFailed");
    }

    @Test
    void matchesOnlyTheRecipientsWhoseDomainLookupFailedTemporarily() throws Exception {
        FakeMail mail = mailFrom("a@sender.example", "x@member.example", "y@broken.example",
            "z@stranger.example", "w@BROKEN.example").build();

        assertThat(matcher(Duration.ofSeconds(5)).match(mail)).containsExactly(new MailAddress("y@broken.example"),
            new MailAddress("w@BROKEN.example"));
        assertThat(metrics.countFor(RecipientTesLookupFailed.METRIC)).isEqualTo(1);
    }

    @Test
    void aDomainWithoutVerdictWithinTheLookupTimeoutMatches() throws Exception {
        FakeMail mail = mailFrom("a@sender.example", "x@member.example", "y@slow.example").build();

        assertThat(matcher(Duration.ofMillis(100)).match(mail)).containsExactly(new MailAddress("y@slow.example"));
    }

    @Test
    void membersAndNonMembersDoNotMatch() throws Exception {
        FakeMail mail = mailFrom("a@sender.example", "x@member.example", "z@stranger.example").build();

        assertThat(matcher(Duration.ofSeconds(5)).match(mail)).isEmpty();
    }
}
