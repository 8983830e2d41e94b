package org.tesjames.core.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The TLS-RPT record of RFC 8460 section 3, parsed strictly. */
class TlsRptRecordTest {
    @Nested
    class Valid {
        @Test
        void parsesMailtoAndHttpsDestinationsInOrder() {
            TlsRptRecord record = TlsRptRecord.parse(
                "v=TLSRPTv1; rua=mailto:reports@example.net , https://reports.example.net:8443/v1/tlsrpt?x=1");

            assertThat(record.destinations()).hasSize(2);
            ReportUri.Mailto mailto = (ReportUri.Mailto) record.destinations().get(0);
            assertThat(mailto.address()).isEqualTo("reports@example.net");
            ReportUri.Https https = (ReportUri.Https) record.destinations().get(1);
            assertThat(https.target().getHost()).isEqualTo("reports.example.net");
            assertThat(https.port()).isEqualTo(8443);
            assertThat(https.requestTarget()).isEqualTo("/v1/tlsrpt?x=1");
        }

        @Test
        void decodesPercentEncodedCharactersOfAMailtoAddress() {
            TlsRptRecord record = TlsRptRecord.parse("v=TLSRPTv1;rua=mailto:tls%2Breports@example.net;");

            assertThat(((ReportUri.Mailto) record.destinations().get(0)).address())
                .isEqualTo("tls+reports@example.net");
        }

        @Test
        void acceptsExtensionFieldsAndATrailingDelimiter() {
            assertThat(TlsRptRecord.parse("v=TLSRPTv1; rua=https://r.example.net; x-ext=value;").destinations())
                .hasSize(1);
        }

        @Test
        void anUnsupportedSchemeIsLeftOutAndNamed() {
            TlsRptRecord record = TlsRptRecord.parse("v=TLSRPTv1; rua=ftp://r.example.net/x,mailto:a@example.net");

            assertThat(record.destinations()).hasSize(1);
            assertThat(record.ignored()).containsExactly("ftp://r.example.net/x");
        }

        @Test
        void httpsWithoutPathPostsToTheRoot() {
            ReportUri.Https https = (ReportUri.Https) TlsRptRecord.parse("v=TLSRPTv1; rua=https://r.example.net")
                .destinations().get(0);

            assertThat(https.port()).isEqualTo(443);
            assertThat(https.requestTarget()).isEqualTo("/");
        }
    }

    @Test
    void onlyRecordsStartingWithTheVersionAreTlsRptRecords() {
        assertThat(TlsRptRecord.isTlsRptRecord("v=TLSRPTv1; rua=mailto:a@example.net")).isTrue();
        assertThat(TlsRptRecord.isTlsRptRecord("v=TLSRPTv1 ;rua=mailto:a@example.net")).isTrue();
        assertThat(TlsRptRecord.isTlsRptRecord("v=spf1 -all")).isFalse();
        assertThat(TlsRptRecord.isTlsRptRecord("v=TLSRPTv10; rua=mailto:a@example.net")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "v=TLSRPTv2; rua=mailto:a@example.net | the record does not start with v=TLSRPTv1;",
        "V=TLSRPTv1; rua=mailto:a@example.net | the record does not start with v=TLSRPTv1;",
        "v=TLSRPTv1; | the record has no rua field",
        "v=TLSRPTv1; x=1 | the record has no rua field",
        "v=TLSRPTv1; rua=mailto:a@example.net; rua=mailto:b@example.net | field rua is given twice",
        "v=TLSRPTv1; rua | field 'rua' is not name=value",
        "v=TLSRPTv1;; rua=mailto:a@example.net | empty field at position 1",
        "v=TLSRPTv1; rua=mailto:a@example.net,, | empty URI in rua",
        "v=TLSRPTv1; rua=reports@example.net | rua URI 'reports@example.net' has no scheme",
        "v=TLSRPTv1; rua=mailto:a@b@example.net | 'a@b@example.net' is not one mail address",
        "v=TLSRPTv1; rua=mailto:nobody | 'nobody' is not one mail address",
        "v=TLSRPTv1; rua=mailto:a@example.net?subject=x | header fields in a mailto: URI are not used",
        "v=TLSRPTv1; rua=https:///nohost | has no valid host name",
        "v=TLSRPTv1; rua=https://user@r.example.net/ | carries user information",
        "v=TLSRPTv1; rua=https://r.example.net/#frag | has a fragment",
        "v=TLSRPTv1; rua=https://r.example.net/a b | is malformed",
        "v=TLSRPTv1; rua=ftp://r.example.net | no mailto: or https: destination in rua (ftp://r.example.net)",
        "v=TLSRPTv1; rua=mailto:a@example.net; bad name=1 | field 'bad name=1' is not a valid extension field",
        "v=TLSRPTv1; rua=mailto:a@example.net; v=TLSRPTv1 | field v is given twice",
    })
    void rejectsAMalformedRecordWithAPreciseError(String text, String error) {
        assertThatThrownBy(() -> TlsRptRecord.parse(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(error);
    }
}
