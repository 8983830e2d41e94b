package org.tesjames.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RelaxedBodyTest {
    private static String canonical(String body, int chunk) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] in = body.getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = RelaxedBody.canonicalizer(bytes)) {
            for (int i = 0; i < in.length; i += chunk) {
                out.write(in, i, Math.min(chunk, in.length - i));
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII).replace("\r\n", "|");
    }

    /** RFC 6376 section 3.4.4; '|' stands for CRLF, '_' for a space. */
    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(value = {
        "'', ''",
        "'|', ''",
        "'|||', ''",
        "'_|\t|', ''",
        "'a', 'a|'",
        "'a|', 'a|'",
        "'a___b__|||', 'a_b|'",
        "'|a|', '|a|'",
    })
    void emptyBodiesAreEmptyAndOthersEndWithOneCrlf(String body, String expected) throws Exception {
        String input = body.replace("|", "\r\n").replace("_", " ");
        for (int chunk : new int[] {1, 2, 3, 1000}) {
            assertThat(canonical(input, chunk)).as("written in chunks of %d", chunk)
                .isEqualTo(expected.replace("_", " "));
        }
    }
}
