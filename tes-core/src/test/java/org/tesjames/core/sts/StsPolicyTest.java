package org.tesjames.core.sts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StsPolicyTest {
    private static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
        + "mx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";

    @Nested
    class Parsing {
        @Test
        void readsTheExampleOfRfc8461() {
            StsPolicy policy = StsPolicy.parse(ENFORCE);

            assertThat(policy.mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
            assertThat(policy.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
            assertThat(policy.maxAge()).isEqualTo(Duration.ofSeconds(604800));
        }

        @Test
        void acceptsLfLineEndsTrailingWhiteSpaceEmptyLinesAndFieldsInAnyOrder() {
            StsPolicy policy = StsPolicy.parse("max_age: 86400  \n\nmx:MX.Example.COM.\nmode:testing\nversion: STSv1\n");

            assertThat(policy.mode()).isEqualTo(StsPolicy.Mode.TESTING);
            assertThat(policy.mx()).containsExactly("mx.example.com");
        }

        @Test
        void ignoresUnknownExtensionFields() {
            assertThat(StsPolicy.parse(ENFORCE + "x_ext: anything at all\r\n").mx()).hasSize(3);
        }

        @Test
        void modeNoneNeedsNoMx() {
            StsPolicy policy = StsPolicy.parse("version: STSv1\nmode: none\nmax_age: 0\n");

            assertThat(policy.mode()).isEqualTo(StsPolicy.Mode.NONE);
            assertThat(policy.mx()).isEmpty();
            assertThat(policy.maxAge()).isZero();
        }

        @Test
        void rejectsAnotherVersion() {
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE.replace("STSv1", "STSv2")))
                .isInstanceOf(StsPolicyException.class).hasMessageContaining("version 'STSv2' is not STSv1");
        }

        @Test
        void rejectsAMissingVersion() {
            assertThatThrownBy(() -> StsPolicy.parse("mode: enforce\nmx: a.example\nmax_age: 5\n"))
                .hasMessageContaining("no version field");
        }

        @Test
        void rejectsAnUnknownMode() {
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE.replace("enforce", "Enforce")))
                .hasMessageContaining("mode 'Enforce' is not enforce, testing or none");
        }

        @Test
        void rejectsEnforceWithoutMx() {
            assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmax_age: 5\n"))
                .hasMessageContaining("no mx field");
        }

        @Test
        void rejectsAMissingOrMalformedOrTooLongMaxAge() {
            assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: none\n"))
                .hasMessageContaining("no max_age field");
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE.replace("604800", "-1")))
                .hasMessageContaining("is not a number of seconds");
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE.replace("604800", "12345678901")))
                .hasMessageContaining("is not a number of seconds");
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE.replace("604800", "31557601")))
                .hasMessageContaining("over 31557600");
            assertThat(StsPolicy.parse(ENFORCE.replace("604800", "31557600")).maxAge().toSeconds())
                .isEqualTo(31557600);
        }

        @Test
        void rejectsABadMxPattern() {
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE.replace("*.example.net", "mx*.example.net")))
                .hasMessageContaining("mx 'mx*.example.net' is not a host name");
            assertThat(StsPolicy.parse(ENFORCE.replace("*.example.net", "*.net.")).mx()).contains("*.net");
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE.replace("*.example.net", "*")))
                .hasMessageContaining("is not a host name");
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE.replace("*.example.net", "-bad.example.net")))
                .hasMessageContaining("is not a host name");
        }

        @Test
        void rejectsADuplicatedSingleField() {
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE + "mode: testing\r\n"))
                .hasMessageContaining("field mode is given twice");
        }

        @Test
        void rejectsALineThatIsNotAField() {
            assertThatThrownBy(() -> StsPolicy.parse(ENFORCE + "<html>\r\n"))
                .hasMessageContaining("line 7 is not a 'name: value' field");
        }
    }

    @Nested
    class MxMatching {
        private final StsPolicy policy = StsPolicy.parse(ENFORCE);

        @Test
        void anExactPatternMatchesThatNameIgnoringCaseAndTrailingDot() {
            assertThat(policy.admits("mail.example.com")).isTrue();
            assertThat(policy.admits("MAIL.example.com.")).isTrue();
            assertThat(policy.admits("mail2.example.com")).isFalse();
        }

        @Test
        void aWildcardMatchesExactlyOneLeftmostLabel() {
            assertThat(policy.admits("mx1.example.net")).isTrue();
            assertThat(policy.admits("example.net")).isFalse();
            assertThat(policy.admits("a.mx1.example.net")).isFalse();
            assertThat(policy.admits("mx1.example.net.evil.test")).isFalse();
            assertThat(policy.admits("mx1example.net")).isFalse();
        }
    }

    @Test
    void theTextFormParsesBackToTheSamePolicy() {
        StsPolicy policy = StsPolicy.parse(ENFORCE);

        assertThat(StsPolicy.parse(policy.text())).isEqualTo(policy);
    }
}
