package org.tesjames.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ParsedMessageTest {

    @Test
    void headersAreOrderedMultiValuedAndUnfolded() {
        String raw = "Received: from a\r\n\tby b; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
            + "Received: from c by d\r\n"
            + "Subject:  Hello\r\n  world \r\n"
            + "DKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\n"
            + "\r\n"
            + "Body line 1\r\nSubject: not a header\r\n";

        ParsedMessage message = ParsedMessage.parse(raw.getBytes(StandardCharsets.UTF_8));

        assertThat(message.headerNames()).containsExactly("Received", "Received", "Subject", "DKIM-Signature");
        assertThat(message.headerValues("received"))
            .containsExactly("from a\tby b; Mon, 1 Jan 2024 00:00:00 +0000", "from c by d");
        assertThat(message.header("SUBJECT")).contains("Hello  world");
        assertThat(message.headers().get(3).raw()).isEqualTo("DKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc");
        assertThat(message.header("X-Missing")).isEmpty();
        assertThat(message.bodyText()).isEqualTo("Body line 1\r\nSubject: not a header\r\n");
    }

    @Test
    void bareLfLinesAndMissingBodyAreHandled() {
        ParsedMessage onlyHeaders = ParsedMessage.parse("From: a@b\nTo: c@d\n".getBytes(StandardCharsets.UTF_8));
        ParsedMessage noSeparator = ParsedMessage.parse(
            "From: a@b\r\nthis is not a header\r\n".getBytes(StandardCharsets.UTF_8));

        assertThat(onlyHeaders.headerNames()).containsExactly("From", "To");
        assertThat(onlyHeaders.body()).isEmpty();
        assertThat(noSeparator.header("From")).contains("a@b");
        assertThat(noSeparator.bodyText()).isEqualTo("this is not a header\r\n");
    }

    @Test
    void utf8HeaderValuesAndEightBitBodiesSurvive() {
        byte[] raw = "Subject: Grüße\r\n\r\n\u00e9t\u00e9\r\n".getBytes(StandardCharsets.UTF_8);

        ParsedMessage message = ParsedMessage.parse(raw);

        assertThat(message.header("Subject")).contains("Grüße");
        assertThat(message.body()).isEqualTo("été\r\n".getBytes(StandardCharsets.UTF_8));
    }
}
