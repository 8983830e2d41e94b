package org.tesjames.core.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7489 section 3.1: relaxed and strict identifier alignment. */
class AlignmentTest {

    @ParameterizedTest(name = "{0} vs From {1}: relaxed {2}, strict {3}")
    @CsvSource({
        "example.com, example.com, true, true",
        "EXAMPLE.com, example.COM, true, true",
        "example.com., example.com, true, true",
        "mail.example.com, example.com, true, false",
        "example.com, news.example.com, true, false",
        "a.example.com, b.example.com, true, false",
        "example.net, example.com, false, false",
        "example.co.uk, other.co.uk, false, false",
        "mail.example.co.uk, example.co.uk, true, false",
        "co.uk, example.co.uk, false, false",
        "evil-example.com, example.com, false, false",
        "b.c.mm, a.c.mm, false, false",
    })
    void alignsAsTheRfcSays(String authenticated, String from, boolean relaxed, boolean strict) {
        assertThat(Alignment.relaxedAligned(authenticated, from)).as("relaxed").isEqualTo(relaxed);
        assertThat(Alignment.strictlyAligned(authenticated, from)).as("strict").isEqualTo(strict);
        assertThat(Alignment.aligned(AlignmentMode.RELAXED, authenticated, from)).isEqualTo(relaxed);
        assertThat(Alignment.aligned(AlignmentMode.STRICT, authenticated, from)).isEqualTo(strict);
    }

    @ParameterizedTest
    @CsvSource(value = {"NULL, example.com", "'', example.com", "example.com, NULL"}, nullValues = "NULL")
    void aMissingDomainNeverAligns(String authenticated, String from) {
        assertThat(Alignment.relaxedAligned(authenticated, from)).isFalse();
        assertThat(Alignment.strictlyAligned(authenticated, from)).isFalse();
    }
}
