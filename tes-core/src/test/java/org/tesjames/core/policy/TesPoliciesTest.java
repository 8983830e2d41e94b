package org.tesjames.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.membership.Step;
import org.tesjames.core.session.SmtpSessionFacts;
import org.tesjames.core.session.TlsMode;
import org.xbill.DNS.Name;

class TesPoliciesTest {
    private static final MembershipVerdict MEMBER = new MembershipVerdict.Member("example.com",
        Name.fromConstantString("master.example.net."), Duration.ofMinutes(5));
    private static final MembershipVerdict NOT_MEMBER = new MembershipVerdict.NotMember("example.org",
        Step.TES_MASTER, "NXDOMAIN", Duration.ofMinutes(5));
    private static final MembershipVerdict LOOKUP_FAILED = new MembershipVerdict.TemporaryFailure("example.com",
        Step.MEMBER_OF_MASTER, "SERVFAIL");

    private static SmtpSessionFacts tls(String protocol, Optional<String> user) {
        return SmtpSessionFacts.tls("l", TlsMode.STARTTLS, protocol, "TLS_AES_128_GCM_SHA256", user);
    }

    @Nested
    class Server {
        @ParameterizedTest
        @CsvSource({"TLSv1.3, true", "TLSv1.2, true", "TLSv1.1, false", "TLSv1, false", "SSLv3, false",
            "TLSv9, false"})
        void aMemberNeedsTls12OrNewer(String protocol, boolean accepted) {
            Verdict verdict = TesPolicies.server(tls(protocol, Optional.empty()), MEMBER);

            assertThat(verdict).isEqualTo(accepted ? Verdict.accept() : Verdict.reject("Member is not TES compliant"));
        }

        @Test
        void aMemberOverPlaintextIsRejected() {
            assertThat(TesPolicies.server(SmtpSessionFacts.plaintext("l", Optional.empty()), MEMBER))
                .isEqualTo(Verdict.reject(TesPolicies.MEMBER_NOT_COMPLIANT));
        }

        @Test
        void aNonMemberIsAcceptedEvenOverPlaintext() {
            assertThat(TesPolicies.server(SmtpSessionFacts.plaintext("l", Optional.empty()), NOT_MEMBER))
                .isEqualTo(Verdict.accept());
        }

        @Test
        void aLookupFailureDefersWhateverTheTls() {
            assertThat(TesPolicies.server(tls("TLSv1.3", Optional.empty()), LOOKUP_FAILED))
                .isEqualTo(Verdict.defer("TES lookup failed"));
        }
    }

    @Nested
    class Client {
        @ParameterizedTest
        @CsvSource({"TLSv1.3, true", "TLSv1.2, true", "TLSv1.1, true", "TLSv1, false", "SSLv3, false"})
        void anAuthenticatedClientNeedsTls11OrNewer(String protocol, boolean accepted) {
            Verdict verdict = TesPolicies.client(tls(protocol, Optional.of("u@example.com")));

            assertThat(verdict).isEqualTo(accepted ? Verdict.accept() : Verdict.reject("Client is not TES compliant"));
        }

        @Test
        void anUnauthenticatedClientIsRejectedEvenOverTls13() {
            assertThat(TesPolicies.client(tls("TLSv1.3", Optional.empty())))
                .isEqualTo(Verdict.reject(TesPolicies.CLIENT_NOT_COMPLIANT));
        }

        @Test
        void aPlaintextClientIsRejectedEvenWhenAuthenticated() {
            assertThat(TesPolicies.client(SmtpSessionFacts.plaintext("l", Optional.of("u@example.com"))))
                .isEqualTo(Verdict.reject(TesPolicies.CLIENT_NOT_COMPLIANT));
        }
    }

    @Nested
    class MessageAuthentication {
        private static final String MID = "<m1@example.com>";

        private static AuthenticationOutcome outcome(Set<String> pass, Set<String> tempError,
                                                     DmarcResult.Result dmarc, Policy disposition) {
            return new AuthenticationOutcome(pass, tempError, dmarc, disposition, "from.example");
        }

        private static final AuthenticationOutcome SIGNED_DMARC_PASS = outcome(Set.of("example.com"), Set.of(),
            DmarcResult.Result.PASS, Policy.NONE);

        @Test
        void aMemberSignedByItsOwnDomainIsAccepted() {
            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", SIGNED_DMARC_PASS, MID, false))
                .isEqualTo(Verdict.accept());
        }

        @Test
        void theSignatureDomainIsComparedCaseInsensitively() {
            assertThat(TesPolicies.messageAuthentication(MEMBER, "Example.COM", SIGNED_DMARC_PASS, MID, false))
                .isEqualTo(Verdict.accept());
        }

        @Test
        void aMemberUnsignedOrSignedByAnotherDomainIsRejectedWithTheExactText() {
            AuthenticationOutcome other = outcome(Set.of("mailer.example.net", "sub.example.com"), Set.of(),
                DmarcResult.Result.NONE, Policy.NONE);

            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", other, MID, false))
                .isEqualTo(Verdict.reject("The message is not DKIM signed by policy of example.com (<m1@example.com>)"));
        }

        @Test
        void aTemporaryErrorOnTheMembersSignatureDefers() {
            AuthenticationOutcome temp = outcome(Set.of(), Set.of("example.com"), DmarcResult.Result.NONE,
                Policy.NONE);

            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", temp, MID, false))
                .isEqualTo(Verdict.defer("TES lookup failed: DKIM key of example.com (<m1@example.com>)"));
        }

        @Test
        void aPassingSignatureWinsOverATemporaryErrorOnAnotherSignatureOfTheSameDomain() {
            AuthenticationOutcome both = outcome(Set.of("example.com"), Set.of("example.com"),
                DmarcResult.Result.PASS, Policy.NONE);

            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", both, MID, false))
                .isEqualTo(Verdict.accept());
        }

        @Test
        void aMemberFailingDmarcWithRejectIsRejectedWithTheExactText() {
            AuthenticationOutcome dmarcReject = outcome(Set.of("example.com"), Set.of(), DmarcResult.Result.FAIL,
                Policy.REJECT);

            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", dmarcReject, MID, false))
                .isEqualTo(Verdict.reject("The message violates the DMARC policy of example.com (<m1@example.com>)"));
        }

        @ParameterizedTest
        @CsvSource({"FAIL, QUARANTINE", "FAIL, NONE", "NONE, NONE", "PERMERROR, NONE", "PASS, NONE"})
        void otherDmarcOutcomesAreAcceptedForAMember(DmarcResult.Result result, Policy disposition) {
            AuthenticationOutcome signed = outcome(Set.of("example.com"), Set.of(), result, disposition);

            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", signed, MID, false))
                .isEqualTo(Verdict.accept());
        }

        @Test
        void aMemberMessageWithAMalformedFromFailsClosed() {
            AuthenticationOutcome severalFrom = new AuthenticationOutcome(Set.of("example.com"), Set.of(),
                DmarcResult.Result.PERMERROR, Policy.REJECT, "example.com,other.example");

            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", severalFrom, MID, false))
                .isEqualTo(Verdict.reject("The message violates the DMARC policy of example.com (<m1@example.com>)"));
        }

        @Test
        void aDmarcTemporaryErrorDefersEvenAnUnsignedMember() {
            AuthenticationOutcome temp = outcome(Set.of(), Set.of(), DmarcResult.Result.TEMPERROR, Policy.NONE);

            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", temp, MID, false))
                .isEqualTo(Verdict.defer("TES lookup failed: DMARC policy (<m1@example.com>)"));
        }

        @Test
        void aDmarcTemporaryErrorDefersAMember() {
            AuthenticationOutcome temp = outcome(Set.of("example.com"), Set.of(), DmarcResult.Result.TEMPERROR,
                Policy.NONE);

            assertThat(TesPolicies.messageAuthentication(MEMBER, "example.com", temp, MID, false))
                .isEqualTo(Verdict.defer("TES lookup failed: DMARC policy (<m1@example.com>)"));
        }

        @Test
        void nonMembersAreNotHeldToDkimNorDmarcByDefault() {
            AuthenticationOutcome failing = outcome(Set.of(), Set.of("example.org"), DmarcResult.Result.FAIL,
                Policy.REJECT);

            assertThat(TesPolicies.messageAuthentication(NOT_MEMBER, "example.org", failing, MID, false))
                .isEqualTo(Verdict.accept());
        }

        @Test
        void withDmarcForEveryoneANonMemberFailingDmarcRejectIsRejectedNamingTheFromDomain() {
            AuthenticationOutcome failing = outcome(Set.of(), Set.of(), DmarcResult.Result.FAIL, Policy.REJECT);

            assertThat(TesPolicies.messageAuthentication(NOT_MEMBER, "example.org", failing, MID, true))
                .isEqualTo(Verdict.reject("The message violates the DMARC policy of from.example (<m1@example.com>)"));
            assertThat(TesPolicies.messageAuthentication(NOT_MEMBER, "example.org",
                outcome(Set.of(), Set.of(), DmarcResult.Result.TEMPERROR, Policy.NONE), MID, true))
                .isInstanceOf(Verdict.Defer.class);
            assertThat(TesPolicies.messageAuthentication(NOT_MEMBER, "example.org", SIGNED_DMARC_PASS, MID, true))
                .isEqualTo(Verdict.accept());
        }

        @Test
        void aMembershipLookupFailureDefers() {
            assertThat(TesPolicies.messageAuthentication(LOOKUP_FAILED, "example.com", SIGNED_DMARC_PASS, MID, false))
                .isEqualTo(Verdict.defer("TES lookup failed"));
        }
    }
}
