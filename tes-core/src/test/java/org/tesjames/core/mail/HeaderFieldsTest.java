package org.tesjames.core.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderFieldsTest {
    private static HeaderFields parse(String text) {
        return HeaderFields.parse(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void splitsFieldsAndBodyKeepingFolding() {
        HeaderFields message = parse("From: a@example.com\r\nTo: b@example.net,\r\n\tc@example.net\r\n\r\nbody\r\n");

        assertThat(message.fields()).extracting(HeaderFields.Field::name).containsExactly("From", "To");
        assertThat(message.fields("to").get(0).raw()).isEqualTo("To: b@example.net,\r\n\tc@example.net");
        assertThat(message.fields("to").get(0).unfoldedValue()).isEqualTo("b@example.net,\tc@example.net");
        assertThat(new String(message.body(), StandardCharsets.ISO_8859_1)).isEqualTo("body\r\n");
    }

    @Test
    void bareLineFeedsBecomeCrlf() {
        HeaderFields message = parse("Subject: x\n y\n\nline 1\nline 2\n");

        assertThat(message.fields("Subject").get(0).raw()).isEqualTo("Subject: x\r\n y");
        assertThat(new String(message.body(), StandardCharsets.ISO_8859_1)).isEqualTo("line 1\r\nline 2\r\n");
    }

    @Test
    void linesThatAreNotFieldsAreDropped() {
        HeaderFields message = parse("From someone Mon Jan 1\r\nSubject: x\r\n\r\n");

        assertThat(message.fields()).extracting(HeaderFields.Field::name).containsExactly("Subject");
    }

    @Test
    void messageWithoutBlankLineIsAllHeader() {
        HeaderFields message = parse("Subject: x\r\nFrom: a@example.com");

        assertThat(message.fields()).hasSize(2);
        assertThat(message.body()).isEmpty();
    }

    @Test
    void messageStartingWithBlankLineHasNoFields() {
        HeaderFields message = parse("\r\nSubject: x\r\n");

        assertThat(message.fields()).isEmpty();
        assertThat(new String(message.body(), StandardCharsets.ISO_8859_1)).isEqualTo("Subject: x\r\n");
    }

    @Test
    void bodyIsACopy() {
        HeaderFields message = parse("Subject: x\r\n\r\nabc");
        message.body()[0] = 'X';

        assertThat(new String(message.body(), StandardCharsets.ISO_8859_1)).isEqualTo("abc");
    }

    @Test
    void theBodyRangeIsTheMessageArrayItselfAsReceived() {
        byte[] octets = "Subject: x\n\nline 1\nline 2\r\n".getBytes(StandardCharsets.ISO_8859_1);
        HeaderFields message = HeaderFields.parse(octets);
        List<Object> seen = new ArrayList<>();
        message.body((array, offset, length) -> {
            seen.add(array);
            seen.add(new String(array, offset, length, StandardCharsets.ISO_8859_1));
        });

        assertThat(seen.get(0)).isSameAs(octets);
        assertThat(seen.get(1)).isEqualTo("line 1\nline 2\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\r\n\r\n", "\n\n", "\r\n\n", "\n\r\n"})
    void anyMixOfCrlfAndBareLfEndsTheHeader(String blankLine) {
        HeaderFields message = parse("Subject: x\r\n y" + blankLine + "\nbody\r\n\r\n");

        assertThat(message.fields("Subject").get(0).raw()).isEqualTo("Subject: x\r\n y");
        assertThat(new String(message.body(), StandardCharsets.ISO_8859_1)).isEqualTo("\r\nbody\r\n\r\n");
    }

    @Test
    void messageStartingWithBareLineFeedHasNoFields() {
        HeaderFields message = parse("\nSubject: x\r\n");

        assertThat(message.fields()).isEmpty();
        assertThat(new String(message.body(), StandardCharsets.ISO_8859_1)).isEqualTo("Subject: x\r\n");
    }

    @Test
    void canonicalForms() {
        assertThat(HeaderFields.canonical(false, "Subject", "Subject:  A \r\n\tB ")).isEqualTo("Subject:  A \r\n\tB \r\n");
        assertThat(HeaderFields.canonical(true, "Subject ", "Subject :  A \r\n\tB ")).isEqualTo("subject:A B\r\n");
        assertThat(HeaderFields.relaxed("DKIM-Signature", " v=1;\r\n a=rsa-sha256; b=")).isEqualTo(
            "dkim-signature:v=1; a=rsa-sha256; b=");
    }

    @Test
    void relaxedFormKeepsBareCarriageReturnsAndLineFeedsInsideTheValue() {
        assertThat(HeaderFields.relaxed("X", " a\rb \n c\r\r\n\nd \r")).isEqualTo("x:a\rb \n c\r\nd");
    }

    /** The definition the hand-written relaxed form replaced: unfold, collapse runs of WSP, strip. */
    @Test
    void relaxedFormAgreesWithItsDefinitionOnRandomInput() {
        java.util.Random random = new java.util.Random(6376);
        String alphabet = "a: \t\r\n\u000b\u00a0";
        for (int n = 0; n < 50_000; n++) {
            StringBuilder value = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                value.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String input = value.toString();
            String expected = "x:" + input.replace("\r\n", "").replaceAll("[ \t]+", " ").strip();
            assertThat(HeaderFields.relaxed(" X ", input)).as("relaxed form of \"%s\"", input).isEqualTo(expected);
        }
    }
}
