package org.tesjames.core.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TLSARecord;

class TlsaRecordTest {
    private static final String SHA256 = "3111668338043DE264D0256A702248696C9484B6221A42740F920187B4C61838";

    @Nested
    class Parsing {
        @Test
        void parsesThePresentationForm() {
            TlsaRecord record = TlsaRecord.parse("3 1 1 " + SHA256);

            assertThat(record.usage()).isEqualTo(TlsaRecord.DANE_EE);
            assertThat(record.selector()).isEqualTo(TlsaRecord.SELECTOR_SPKI);
            assertThat(record.matchingType()).isEqualTo(TlsaRecord.MATCH_SHA256);
            assertThat(record.data()).isEqualTo(HexFormat.of().parseHex(SHA256));
            assertThat(record).hasToString("3 1 1 " + SHA256.toLowerCase());
        }

        @Test
        void acceptsHexSplitByWhiteSpaceAsInZoneFiles() {
            assertThat(TlsaRecord.parse("  2 0 1 " + SHA256.substring(0, 10) + "\t" + SHA256.substring(10) + " "))
                .isEqualTo(TlsaRecord.parse("2 0 1 " + SHA256));
        }

        @Test
        void rejectsTooFewFields() {
            assertThatThrownBy(() -> TlsaRecord.parse("3 1 1")).hasMessageContaining("must have 4 fields");
        }

        @Test
        void rejectsANonNumericField() {
            assertThatThrownBy(() -> TlsaRecord.parse("3 x 1 " + SHA256))
                .hasMessage("TLSA selector must be a decimal number 0-255, got 'x'");
            assertThatThrownBy(() -> TlsaRecord.parse("-3 1 1 " + SHA256))
                .hasMessage("TLSA certificate usage must be a decimal number 0-255, got '-3'");
        }

        @Test
        void rejectsAFieldAbove255() {
            assertThatThrownBy(() -> TlsaRecord.parse("3 1 256 " + SHA256))
                .hasMessage("TLSA matching type must be 0-255, got 256");
        }

        @Test
        void rejectsOddHexAndNonHexCharacters() {
            assertThatThrownBy(() -> TlsaRecord.parse("3 1 1 abc"))
                .hasMessage("TLSA association data has an odd number of hex digits (3)");
            assertThatThrownBy(() -> TlsaRecord.parse("3 1 1 abzz"))
                .hasMessage("TLSA association data has a non-hex character 'z' at position 3");
        }

        @Test
        void buildsFromADnsjavaRecord() throws Exception {
            TLSARecord dns = new TLSARecord(Name.fromString("_25._tcp.mx.example."), DClass.IN, 300, 2, 0, 1,
                HexFormat.of().parseHex(SHA256));

            assertThat(TlsaRecord.of(dns)).isEqualTo(TlsaRecord.parse("2 0 1 " + SHA256));
        }
    }

    @Nested
    class SmtpUsability {
        @Test
        void daneUsagesWithKnownSelectorsAndMatchingTypesAreUsable() {
            assertThat(TlsaRecord.parse("3 1 1 " + SHA256).isSmtpUsable()).isTrue();
            assertThat(TlsaRecord.parse("2 0 1 " + SHA256).isSmtpUsable()).isTrue();
            assertThat(TlsaRecord.parse("3 0 0 3000").isSmtpUsable()).isTrue();
        }

        @Test
        void pkixUsagesAreUnusableForSmtp() {
            assertThat(TlsaRecord.parse("0 0 1 " + SHA256).smtpUnusableReason())
                .hasValue("usage PKIX-TA(0) is not usable for SMTP (RFC 7672 section 3.1.3)");
            assertThat(TlsaRecord.parse("1 1 1 " + SHA256).isSmtpUsable()).isFalse();
        }

        @Test
        void unknownValuesAreUnusable() {
            assertThat(TlsaRecord.parse("4 1 1 " + SHA256).smtpUnusableReason())
                .hasValue("unknown certificate usage 4");
            assertThat(TlsaRecord.parse("3 2 1 " + SHA256).smtpUnusableReason()).hasValue("unknown selector 2");
            assertThat(TlsaRecord.parse("3 1 3 " + SHA256).smtpUnusableReason())
                .hasValue("unknown matching type 3");
        }

        @Test
        void aDigestOfTheWrongLengthIsUnusable() {
            assertThat(TlsaRecord.parse("3 1 1 abcd").smtpUnusableReason())
                .hasValue("SHA2-256(1) data must be 32 bytes, got 2");
            assertThat(TlsaRecord.parse("3 1 2 " + SHA256).smtpUnusableReason())
                .hasValue("SHA2-512(2) data must be 64 bytes, got 32");
        }

        @Test
        void aFullDaneTaRecordMustHoldDer() {
            assertThat(TlsaRecord.parse("2 1 0 abcd").smtpUnusableReason())
                .hasValue("DANE-TA(2) Full(0) data is not a DER SubjectPublicKeyInfo");
        }
    }
}
