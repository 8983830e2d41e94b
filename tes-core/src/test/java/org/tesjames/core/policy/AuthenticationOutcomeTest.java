package org.tesjames.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dkim.verify.DkimFailureReason;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerification;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.Policy;

class AuthenticationOutcomeTest {
    private static DkimSignatureResult signature(DkimResult result, DkimFailureReason reason, String domain) {
        return new DkimSignatureResult(result, reason, result == DkimResult.PASS ? "" : "detail", domain, "s1",
            "rsa-sha256", OptionalLong.empty(), 0);
    }

    @Test
    void classifiesEachSignatureByItsNormalisedDomain() {
        DkimVerification dkim = new DkimVerification(List.of(
            signature(DkimResult.PASS, DkimFailureReason.NONE, "Example.COM"),
            signature(DkimResult.TEMPERROR, DkimFailureReason.DNS_TEMPORARY_FAILURE, "slow.example"),
            signature(DkimResult.FAIL, DkimFailureReason.BODY_HASH_MISMATCH, "tampered.example")), 0);
        DmarcResult dmarc = new DmarcResult(DmarcResult.Result.FAIL, Policy.REJECT, "from.example", false, false,
            false, "no aligned identifier");

        AuthenticationOutcome outcome = AuthenticationOutcome.of(dkim, dmarc);

        assertThat(outcome.dkimPass()).containsExactly("example.com");
        assertThat(outcome.dkimTempError()).containsExactly("slow.example");
        assertThat(outcome.dkimPassFor("EXAMPLE.com")).isTrue();
        assertThat(outcome.dkimPassFor("tampered.example")).isFalse();
        assertThat(outcome.dkimTempErrorFor("slow.example")).isTrue();
        assertThat(outcome.dmarcFailsWith(Policy.REJECT)).isTrue();
        assertThat(outcome.dmarcFailsWith(Policy.QUARANTINE)).isFalse();
        assertThat(outcome.authorDomain()).isEqualTo("from.example");
    }
}
