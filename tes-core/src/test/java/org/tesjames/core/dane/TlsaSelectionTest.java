package org.tesjames.core.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.TlsaSelection.Status;

class TlsaSelectionTest {
    private static final String SHA256 = "00".repeat(32);
    private static final String SHA512 = "11".repeat(64);

    private static TlsaRecord tlsa(String text) {
        return TlsaRecord.parse(text);
    }

    @Test
    void aStrongerDigestForTheSameUsageAndSelectorHidesTheWeakerOne() {
        TlsaSelection selection = TlsaSelection.of(List.of(tlsa("3 1 1 " + SHA256), tlsa("3 1 2 " + SHA512)));

        assertThat(selection.usable()).containsExactly(tlsa("3 1 2 " + SHA512));
        assertThat(selection.assessments().get(0).status()).isEqualTo(Status.IGNORED_WEAKER_DIGEST);
        assertThat(selection.assessments().get(0).reason())
            .isEqualTo("SHA2-256(1) ignored: a stronger digest is published for DANE-EE(3) SPKI(1) (RFC 7671 section 9)");
    }

    @Test
    void digestAgilityIsPerUsageAndSelector() {
        List<TlsaRecord> rrset = List.of(tlsa("3 1 2 " + SHA512), tlsa("3 0 1 " + SHA256), tlsa("2 1 1 " + SHA256));

        assertThat(TlsaSelection.of(rrset).usable()).containsExactlyElementsOf(rrset);
    }

    @Test
    void fullMatchingTypeIsNotADigestAndIsAlwaysUsed() {
        List<TlsaRecord> rrset = List.of(tlsa("3 1 0 3000"), tlsa("3 1 2 " + SHA512));

        assertThat(TlsaSelection.of(rrset).usable()).containsExactlyElementsOf(rrset);
    }

    @Test
    void anUnusableStrongerDigestDoesNotHideAUsableWeakerOne() {
        TlsaSelection selection = TlsaSelection.of(List.of(tlsa("3 1 1 " + SHA256), tlsa("3 1 2 abcd"),
            tlsa("1 1 2 " + SHA512)));

        assertThat(selection.usable()).containsExactly(tlsa("3 1 1 " + SHA256));
        assertThat(selection.assessments()).extracting(TlsaSelection.Assessment::status)
            .containsExactly(Status.USABLE, Status.UNUSABLE, Status.UNUSABLE);
    }
}
