package org.tesjames.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
}
