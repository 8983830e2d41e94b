package org.tesjames.core.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7489 sections 6.3 and 6.4: the record syntax, every tag, defaults and errors. */
class DmarcRecordTest {

    static DmarcRecord valid(String txt) {
        DmarcRecord.Parsed parsed = DmarcRecord.parse(txt);
        assertThat(parsed).isInstanceOf(DmarcRecord.Valid.class);
        return ((DmarcRecord.Valid) parsed).record();
    }

    static String invalid(String txt) {
        DmarcRecord.Parsed parsed = DmarcRecord.parse(txt);
        assertThat(parsed).isInstanceOf(DmarcRecord.Invalid.class);
        return ((DmarcRecord.Invalid) parsed).reason();
    }

    @Nested
    class Syntax {
        @Test
        void theMinimalRecordHasEveryDefault() {
            DmarcRecord record = valid("v=DMARC1; p=reject");
            assertThat(record.policy()).isEqualTo(Policy.REJECT);
            assertThat(record.subdomainPolicy()).isEmpty();
            assertThat(record.dkimAlignment()).isEqualTo(AlignmentMode.RELAXED);
            assertThat(record.spfAlignment()).isEqualTo(AlignmentMode.RELAXED);
            assertThat(record.percent()).isEqualTo(100);
            assertThat(record.aggregateReportUris()).isEmpty();
            assertThat(record.failureReportUris()).isEmpty();
            assertThat(record.failureReportingOptions()).containsExactly("0");
            assertThat(record.reportFormats()).containsExactly("afrf");
            assertThat(record.reportIntervalSeconds()).isEqualTo(86400);
            assertThat(record.policySubstitution()).isEmpty();
        }

        @Test
        void acceptsWhitespaceAroundSeparatorsAndATrailingSemicolon() {
            assertThat(valid("  v = DMARC1 ;\tp = quarantine ; ").policy()).isEqualTo(Policy.QUARANTINE);
        }

        @Test
        void acceptsTagsInAnyOrderAfterTheVersion() {
            assertThat(valid("v=DMARC1; pct=50; adkim=s; p=none").percent()).isEqualTo(50);
        }

        @Test
        void ignoresUnknownTags() {
            assertThat(valid("v=DMARC1; p=reject; np=reject; x_future=a b").policy()).isEqualTo(Policy.REJECT);
        }

        @Test
        void rejectsAMissingVersion() {
            assertThat(invalid("p=reject")).isEqualTo("the first tag must be v=DMARC1, found 'p=reject'");
        }

        @Test
        void rejectsAVersionThatIsNotFirst() {
            assertThat(invalid("p=reject; v=DMARC1")).startsWith("the first tag must be v=DMARC1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"v=dmarc1; p=reject", "v=DMARC2; p=reject", "v=DMARC10; p=reject",
            "V=DMARC1; p=reject"})
        void versionMustMatchExactlyAndTagNamesAreCaseSensitive(String txt) {
            assertThat(invalid(txt)).startsWith("the first tag must be v=DMARC1");
        }

        @Test
        void rejectsAnEmptyTagSpecInTheMiddle() {
            assertThat(invalid("v=DMARC1;; p=reject")).isEqualTo("empty tag-spec at position 2");
        }

        @Test
        void rejectsATagSpecWithoutEquals() {
            assertThat(invalid("v=DMARC1; p=reject; garbage")).isEqualTo("tag-spec 'garbage' has no '='");
        }

        @Test
        void rejectsAnInvalidTagName() {
            assertThat(invalid("v=DMARC1; p=reject; 1x=y")).isEqualTo("'1x' is not a valid tag name");
        }

        @Test
        void rejectsNonAsciiValues() {
            assertThat(invalid("v=DMARC1; p=reject; x=é"))
                .isEqualTo("the value of tag x has characters outside %x21-3A / %x3C-7E");
        }

        @Test
        void rejectsADuplicateTag() {
            assertThat(invalid("v=DMARC1; p=reject; p=none")).isEqualTo("tag p appears more than once");
        }

        @Test
        void rejectsAnEmptyRecord() {
            assertThat(invalid("")).isEqualTo("empty tag-spec at position 1");
        }

        @Test
        void nullIsInvalidNotAnException() {
            assertThat(invalid(null)).isEqualTo("no record text");
        }

        @Test
        void recognisesDmarcRecordsByTheirFirstTag() {
            assertThat(DmarcRecord.isDmarcRecord("v=DMARC1; p=none")).isTrue();
            assertThat(DmarcRecord.isDmarcRecord("v=DMARC1")).isTrue();
            assertThat(DmarcRecord.isDmarcRecord("v=DMARC10; p=none")).isFalse();
            assertThat(DmarcRecord.isDmarcRecord("v=spf1 -all")).isFalse();
            assertThat(DmarcRecord.isDmarcRecord(null)).isFalse();
        }
    }

    @Nested
    class PolicyTags {
        @ParameterizedTest
        @CsvSource({"none,NONE", "quarantine,QUARANTINE", "reject,REJECT", "Reject,REJECT"})
        void parsesEachPolicyCaseInsensitively(String token, Policy expected) {
            assertThat(valid("v=DMARC1; p=" + token).policy()).isEqualTo(expected);
            assertThat(valid("v=DMARC1; p=none; sp=" + token).subdomainPolicy()).contains(expected);
        }

        @Test
        void rejectsAnUnknownPolicy() {
            assertThat(invalid("v=DMARC1; p=block")).isEqualTo("p=block is not none, quarantine or reject");
        }

        @Test
        void rejectsAMissingPolicy() {
            assertThat(invalid("v=DMARC1; adkim=s")).isEqualTo("the required tag p is missing");
        }

        @Test
        void rejectsAnUnknownSubdomainPolicy() {
            assertThat(invalid("v=DMARC1; p=reject; sp=drop")).isEqualTo("sp=drop is not none, quarantine or reject");
        }

        @Test
        void treatsAnInvalidPolicyAsNoneWhenRuaIsValid() {
            DmarcRecord record = valid("v=DMARC1; p=block; sp=reject; rua=mailto:d@example.com");
            assertThat(record.policy()).isEqualTo(Policy.NONE);
            assertThat(record.subdomainPolicy()).isEmpty();
            assertThat(record.policySubstitution()).hasValueSatisfying(
                reason -> assertThat(reason).startsWith("p=block is not none, quarantine or reject"));
        }

        @Test
        void treatsAMissingPolicyAsNoneWhenRuaIsValid() {
            assertThat(valid("v=DMARC1; rua=mailto:d@example.com").policy()).isEqualTo(Policy.NONE);
        }

        @Test
        void treatsAnInvalidSubdomainPolicyAsNoneWhenRuaIsValid() {
            DmarcRecord record = valid("v=DMARC1; p=reject; sp=x; rua=mailto:d@example.com");
            assertThat(record.policy()).isEqualTo(Policy.NONE);
            assertThat(record.subdomainPolicy()).isEmpty();
        }
    }

    @Nested
    class OtherTags {
        @ParameterizedTest
        @CsvSource({"r,RELAXED", "s,STRICT", "S,STRICT"})
        void parsesAlignmentModes(String token, AlignmentMode expected) {
            DmarcRecord record = valid("v=DMARC1; p=none; adkim=" + token + "; aspf=" + token);
            assertThat(record.dkimAlignment()).isEqualTo(expected);
            assertThat(record.spfAlignment()).isEqualTo(expected);
        }

        @Test
        void rejectsBadAlignmentModes() {
            assertThat(invalid("v=DMARC1; p=none; adkim=strict")).isEqualTo("adkim=strict is not r or s");
            assertThat(invalid("v=DMARC1; p=none; aspf=x")).isEqualTo("aspf=x is not r or s");
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 50, 99, 100})
        void parsesPercent(int pct) {
            assertThat(valid("v=DMARC1; p=reject; pct=" + pct).percent()).isEqualTo(pct);
        }

        @ParameterizedTest
        @ValueSource(strings = {"101", "-1", "50.5", "abc", "", "0100"})
        void rejectsPercentOutsideZeroToHundred(String pct) {
            assertThat(invalid("v=DMARC1; p=reject; pct=" + pct))
                .isEqualTo("pct=" + pct + " is not an integer from 0 to 100");
        }

        @Test
        void keepsReportUrisAsWrittenWithSizeLimits() {
            DmarcRecord record = valid("v=DMARC1; p=none; rua=mailto:a@example.com, mailto:b@example.net!10m;"
                + " ruf=mailto:f@example.com!500");
            assertThat(record.aggregateReportUris()).containsExactly("mailto:a@example.com",
                "mailto:b@example.net!10m");
            assertThat(record.failureReportUris()).containsExactly("mailto:f@example.com!500");
        }

        @Test
        void rejectsBadReportUris() {
            assertThat(invalid("v=DMARC1; p=none; rua=a@example.com"))
                .isEqualTo("rua URI 'a@example.com' is not an absolute URI");
            assertThat(invalid("v=DMARC1; p=none; ruf=mailto:a@example.com!10x"))
                .isEqualTo("ruf URI 'mailto:a@example.com!10x' has an invalid size limit (digits then k, m, g or t)");
            assertThat(invalid("v=DMARC1; p=none; rua=mailto:a@example.com,,mailto:b@example.com"))
                .isEqualTo("rua=mailto:a@example.com,,mailto:b@example.com has an empty URI");
            assertThat(invalid("v=DMARC1; p=none; rua=mailto:a b@example.com")).startsWith("rua URI 'mailto:a b@example.com' is not a URI");
        }

        @Test
        void anInvalidRuaDoesNotRescueAnInvalidPolicy() {
            assertThat(invalid("v=DMARC1; p=block; rua=nowhere")).isEqualTo("rua URI 'nowhere' is not an absolute URI");
        }

        @Test
        void parsesFailureReportingOptions() {
            assertThat(valid("v=DMARC1; p=none; fo=1:d : S").failureReportingOptions())
                .containsExactly("1", "d", "s");
            assertThat(invalid("v=DMARC1; p=none; fo=2")).isEqualTo("fo=2: '2' is not 0, 1, d or s");
        }

        @Test
        void parsesReportFormats() {
            assertThat(valid("v=DMARC1; p=none; rf=AFRF:iodef").reportFormats()).containsExactly("afrf", "iodef");
            assertThat(invalid("v=DMARC1; p=none; rf=af-rf")).isEqualTo("rf=af-rf: 'af-rf' is not a report format name");
        }

        @Test
        void parsesReportInterval() {
            assertThat(valid("v=DMARC1; p=none; ri=3600").reportIntervalSeconds()).isEqualTo(3600);
            assertThat(valid("v=DMARC1; p=none; ri=4294967295").reportIntervalSeconds()).isEqualTo(4294967295L);
            assertThat(invalid("v=DMARC1; p=none; ri=4294967296"))
                .isEqualTo("ri=4294967296 is not a 32-bit unsigned integer number of seconds");
            assertThat(invalid("v=DMARC1; p=none; ri=1h"))
                .isEqualTo("ri=1h is not a 32-bit unsigned integer number of seconds");
        }

        @Test
        void aValueMayHoldInnerWhitespace() {
            assertThat(valid("v=DMARC1; p=none; x=a b  c").policy()).isEqualTo(Policy.NONE);
        }
    }

    @Test
    void recordsAreValues() {
        assertThat(valid("v=DMARC1; p=reject")).isEqualTo(new DmarcRecord(Policy.REJECT, Optional.empty(),
            AlignmentMode.RELAXED, AlignmentMode.RELAXED, 100, List.of(), List.of(), List.of("0"), List.of("afrf"),
            86400, Optional.empty()));
    }
}
