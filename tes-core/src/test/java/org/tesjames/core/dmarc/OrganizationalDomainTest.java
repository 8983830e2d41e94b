package org.tesjames.core.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 7489 section 3.2 over the public suffix list, and the list's own conformance vectors. */
class OrganizationalDomainTest {
    private static final Pattern VECTOR =
        Pattern.compile("^checkPublicSuffix\\((null|'[^']*'), (null|'[^']*')\\);$");

    /**
     * Vectors the embedded list snapshot answers differently, each with its reason. Empty: Guava 31.1's
     * snapshot plus the implicit "*" rule pass every vector of this file.
     */
    private static final Map<String, String> KNOWN_DIFFERENCES = Map.of();

    static Stream<Arguments> vectors() throws IOException {
        List<Arguments> vectors = new ArrayList<>();
        try (InputStream in = OrganizationalDomainTest.class.getResourceAsStream("/psl/test_psl.txt")) {
            assertThat(in).as("psl/test_psl.txt on the test class path").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher m = VECTOR.matcher(line.trim());
                if (m.matches()) {
                    vectors.add(Arguments.of(unquote(m.group(1)), unquote(m.group(2))));
                }
            }
        }
        return vectors.stream();
    }

    private static String unquote(String token) {
        return token.equals("null") ? null : token.substring(1, token.length() - 1);
    }

    @Test
    void theConformanceFileHasAllItsVectors() throws IOException {
        assertThat(vectors()).hasSize(78);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("vectors")
    void passesThePublicSuffixListConformanceVector(String input, String expected) {
        String actual = OrganizationalDomain.of(input).orElse(null);
        if (input != null && KNOWN_DIFFERENCES.containsKey(input)) {
            assertThat(actual).as(KNOWN_DIFFERENCES.get(input)).isNotEqualTo(expected);
        } else {
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void aSubdomainHasItsRegistrableParentAsOrganisationalDomain() {
        assertThat(OrganizationalDomain.of("mail.example.co.uk")).contains("example.co.uk");
    }

    @Test
    void aTrailingDotIsIgnored() {
        assertThat(OrganizationalDomain.of("mail.Example.com.")).contains("example.com");
    }

    @Test
    void anUnlistedTopLevelDomainGetsTheImplicitWildcardRule() {
        assertThat(OrganizationalDomain.of("a.b.example.internal-test")).contains("example.internal-test");
    }

    @Test
    void aPublicSuffixHasNone() {
        assertThat(OrganizationalDomain.of("co.uk")).isEmpty();
    }

    @Test
    void anInvalidNameHasNone() {
        assertThat(OrganizationalDomain.of("a..example.com")).isEmpty();
        assertThat(OrganizationalDomain.of("")).isEmpty();
    }
}
