package org.tesjames.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tesjames.matchers.MatcherFixtures.initialised;
import static org.tesjames.matchers.MatcherFixtures.mailFrom;
import static org.tesjames.matchers.MatcherFixtures.overSmtp;
import static org.tesjames.matchers.MatcherFixtures.recorded;
import static org.tesjames.matchers.MatcherFixtures.recordedDomain;

import java.time.Duration;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TlsComplianceTest {
    private final FakeTesDns dns = new FakeTesDns().member("member.example").failing("broken.example");
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();

    @Nested
    class SenderTls {
        private final SenderTlsCompliant matcher = new SenderTlsCompliant(dns.resolver(),
            FakeTesDns.settings(Duration.ofSeconds(5)), metrics);

        SenderTls() throws MessagingException {
            initialised(matcher, "SenderTlsCompliant");
        }

        private FakeMail mail(String sender, String protocol) throws MessagingException {
            FakeMail mail = mailFrom(sender, "x@one.example").build();
            overSmtp(mail, protocol, null);
            return mail;
        }

        @ParameterizedTest(name = "member over {0}: compliant={1}")
        @CsvSource(nullValues = "plaintext", value = {
            "TLSv1.3, true", "TLSv1.2, true", "TLSv1.1, false", "TLSv1, false", "SSLv3, false", "plaintext, false"})
        void aMemberMustUseTls12OrNewer(String protocol, boolean compliant) throws Exception {
            assertThat(matcher.match(mail("a@member.example", protocol))).hasSize(compliant ? 1 : 0);
            assertThat(metrics.countFor("tes.matcher.sender-tls." + (compliant ? "compliant" : "not-compliant")))
                .isEqualTo(1);
        }

        @ParameterizedTest(name = "non-member over {0}")
        @CsvSource(nullValues = "plaintext", value = {"TLSv1.3", "TLSv1.1", "plaintext"})
        void aNonMemberAlwaysComplies(String protocol) throws Exception {
            assertThat(matcher.match(mail("a@stranger.example", protocol))).hasSize(1);
        }

        @Test
        void theNullSenderCompliesWithoutLookup() throws Exception {
            assertThat(matcher.match(mail(null, null))).hasSize(1);
            assertThat(dns.queries).isEmpty();
        }

        @Test
        void aMemberMailWithoutSessionFactsCountsAsWithoutTls() throws Exception {
            FakeMail mail = mailFrom("a@member.example", "x@one.example").build();

            assertThat(matcher.match(mail)).isEmpty();
        }

        @Test
        void aNonMemberMailWithoutSessionFactsComplies() throws Exception {
            FakeMail mail = mailFrom("a@stranger.example", "x@one.example").build();

            assertThat(matcher.match(mail)).hasSize(1);
        }

        @Test
        void usesTheRecordedMembershipWithoutLookup() throws Exception {
            FakeMail mail = mail("a@stranger.example", "TLSv1.1");
            mail.setAttribute(recorded("member"));
            mail.setAttribute(recordedDomain("stranger.example"));

            assertThat(matcher.match(mail)).isEmpty();
            assertThat(dns.queries).isEmpty();
        }

        @Test
        void aTemporaryFailureThrows() throws Exception {
            FakeMail mail = mail("a@broken.example", "TLSv1.3");

            assertThatThrownBy(() -> matcher.match(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TES lookup failed for sender domain broken.example");
            assertThat(metrics.countFor("tes.matcher.sender-tls.failed")).isEqualTo(1);
        }
    }

    @Nested
    class ClientTls {
        private final ClientTlsCompliant matcher = new ClientTlsCompliant(metrics);

        ClientTls() throws MessagingException {
            initialised(matcher, "ClientTlsCompliant");
        }

        @ParameterizedTest(name = "authenticated client over {0}: compliant={1}")
        @CsvSource(nullValues = "plaintext", value = {
            "TLSv1.3, true", "TLSv1.2, true", "TLSv1.1, true", "TLSv1, false", "SSLv3, false", "plaintext, false"})
        void anAuthenticatedClientMustUseTls11OrNewer(String protocol, boolean compliant) throws Exception {
            FakeMail mail = mailFrom("a@member.example", "x@one.example").build();
            overSmtp(mail, protocol, "a@member.example");

            assertThat(matcher.match(mail)).hasSize(compliant ? 1 : 0);
            assertThat(metrics.countFor("tes.matcher.client-tls." + (compliant ? "compliant" : "not-compliant")))
                .isEqualTo(1);
        }

        @ParameterizedTest(name = "unauthenticated client over {0}")
        @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
        void anUnauthenticatedClientNeverComplies(String protocol) throws Exception {
            FakeMail mail = mailFrom("a@member.example", "x@one.example").build();
            overSmtp(mail, protocol, null);

            assertThat(matcher.match(mail)).isEmpty();
        }

        @Test
        void aMailWithoutSessionFactsDoesNotComply() throws Exception {
            FakeMail mail = mailFrom("a@member.example", "x@one.example").build();

            assertThat(matcher.match(mail)).isEmpty();
            assertThat(dns.queries).isEmpty();
        }
    }
}
