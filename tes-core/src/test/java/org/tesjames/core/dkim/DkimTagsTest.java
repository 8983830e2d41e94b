package org.tesjames.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DkimTagsTest {
    @Nested
    class Parse {
        @Test
        void keepsTheOrderOfTheTags() {
            assertThat(DkimTags.parse("v=1; a=rsa-sha256; d=example.com").entrySet())
                .extracting(Map.Entry::getKey, Map.Entry::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("v", "1"),
                    org.assertj.core.groups.Tuple.tuple("a", "rsa-sha256"),
                    org.assertj.core.groups.Tuple.tuple("d", "example.com"));
        }

        @Test
        void ignoresFoldingWhitespaceAroundTagsAndValues() {
            assertThat(DkimTags.parse(" \r\n\tv = 1 ;\r\n h\t=\r\n from : to \r\n\t; s=sel"))
                .containsExactly(Map.entry("v", "1"), Map.entry("h", "from : to"), Map.entry("s", "sel"));
        }

        @Test
        void keepsWhitespaceInsideAValue() {
            assertThat(DkimTags.parse("b=abc\r\n def \t ghi").get("b")).isEqualTo("abc\r\n def \t ghi");
        }

        @Test
        void acceptsAnEmptyValue() {
            assertThat(DkimTags.parse("p=; k=rsa")).containsExactly(Map.entry("p", ""), Map.entry("k", "rsa"));
            assertThat(DkimTags.parse("p= \r\n ")).containsExactly(Map.entry("p", ""));
        }

        @Test
        void acceptsATrailingSemicolon() {
            assertThat(DkimTags.parse("v=1; d=example.com;")).containsOnlyKeys("v", "d");
            assertThat(DkimTags.parse("v=1; d=example.com; \r\n ")).containsOnlyKeys("v", "d");
        }

        @Test
        void readsAnEmptyListAsNoTags() {
            assertThat(DkimTags.parse("")).isEmpty();
            assertThat(DkimTags.parse(" \r\n ")).isEmpty();
        }

        @Test
        void keepsAnEqualsSignInsideAValue() {
            assertThat(DkimTags.parse("bh=abc==; b=x=")).containsExactly(Map.entry("bh", "abc=="),
                Map.entry("b", "x="));
        }

        @Test
        void rejectsADuplicateTag() {
            assertThatThrownBy(() -> DkimTags.parse("d=a.example; s=x; d=b.example"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("duplicate tag d=");
        }

        @Test
        void tellsTagNamesApartByCase() {
            assertThat(DkimTags.parse("d=a; D=b")).containsExactly(Map.entry("d", "a"), Map.entry("D", "b"));
        }

        @Test
        void rejectsAnEmptyTagSpec() {
            assertThatThrownBy(() -> DkimTags.parse("v=1;; d=x")).hasMessage("empty tag-spec (\";;\" or a leading \";\")");
            assertThatThrownBy(() -> DkimTags.parse(" ; v=1")).hasMessage("empty tag-spec (\";;\" or a leading \";\")");
            assertThatThrownBy(() -> DkimTags.parse(";")).hasMessage("empty tag-spec (\";;\" or a leading \";\")");
        }

        @Test
        void rejectsATagSpecWithoutEquals() {
            assertThatThrownBy(() -> DkimTags.parse("v=1; oops ; d=x")).hasMessage("'oops' is not tag=value");
        }

        @Test
        void rejectsABadTagName() {
            assertThatThrownBy(() -> DkimTags.parse("1v=1")).hasMessage("bad tag name '1v'");
            assertThatThrownBy(() -> DkimTags.parse(" =1")).hasMessage("bad tag name ''");
            assertThatThrownBy(() -> DkimTags.parse("a b=1")).hasMessage("bad tag name 'a b'");
            assertThatThrownBy(() -> DkimTags.parse("x_1=1; y-2=2")).hasMessage("bad tag name 'y-2'");
        }

        @Test
        void rejectsAValueCharacterOutsideTheGrammar() {
            assertThatThrownBy(() -> DkimTags.parse("d=ex\u00e9mple.com")).hasMessage("bad character in the value of d=");
            assertThatThrownBy(() -> DkimTags.parse("d=a\u0000b")).hasMessage("bad character in the value of d=");
        }

        @Test
        void reportsTheFirstMalformedTagSpec() {
            assertThatThrownBy(() -> DkimTags.parse("a=1; a=2; 3=x")).hasMessage("duplicate tag a=");
            assertThatThrownBy(() -> DkimTags.parse("3=x; a=1; a=2")).hasMessage("bad tag name '3'");
        }

        @Test
        void parsesAMegabyteValueInLinearTime() {
            StringBuilder h = new StringBuilder();
            for (int i = 0; i < 100_000; i++) {
                h.append(i % 8 == 7 ? "\r\n\t" : "").append("Absent").append(Integer.toHexString(i)).append(':');
            }
            h.append("from");
            Map<String, String> tags = DkimTags.parse("v=1; h=" + h + "; b=abc");
            assertThat(tags.get("h")).isEqualTo(h.toString());
            assertThat(tags.get("b")).isEqualTo("abc");
        }

        /** The regular-expression definition the hand-written parser replaced: both must agree on any input. */
        @Test
        void agreesWithTheGrammarOnRandomInput() {
            Random random = new Random(6376);
            String alphabet = "ab1_=; \t\r\n:-\u00e9\u000b";
            for (int n = 0; n < 50_000; n++) {
                StringBuilder text = new StringBuilder();
                int length = random.nextInt(14);
                for (int i = 0; i < length; i++) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                String input = text.toString();
                Object expected = outcome(() -> Reference.parse(input));
                Object actual = outcome(() -> DkimTags.parse(input));
                assertThat(actual).as("parse of \"%s\"", input).isEqualTo(expected);
            }
        }

        private Object outcome(java.util.function.Supplier<Map<String, String>> parse) {
            try {
                return List.copyOf(parse.get().entrySet());
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
    }

    @Nested
    class WithoutWhitespace {
        @Test
        void removesSpaceTabCrAndLf() {
            assertThat(DkimTags.withoutWhitespace(" ab\r\n\tc d \t")).isEqualTo("abcd");
        }

        @Test
        void keepsAValueWithoutWhitespace() {
            assertThat(DkimTags.withoutWhitespace("abc==")).isEqualTo("abc==");
            assertThat(DkimTags.withoutWhitespace("")).isEmpty();
        }

        @Test
        void keepsOtherCharacters() {
            assertThat(DkimTags.withoutWhitespace("a\u000bb\fc")).isEqualTo("a\u000bb\fc");
        }
    }

    /** The tag-list grammar of RFC 6376 section 3.2, written with regular expressions (slow, obviously right). */
    private static final class Reference {
        private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
        private static final Pattern TAG_VALUE = Pattern.compile("[\\x21-\\x3a\\x3c-\\x7e \\t\\r\\n]*");

        static Map<String, String> parse(String text) {
            Map<String, String> tags = new LinkedHashMap<>();
            String[] parts = text.split(";", -1);
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (part.isBlank()) {
                    if (i == parts.length - 1) {
                        continue;
                    }
                    throw new IllegalArgumentException("empty tag-spec (\";;\" or a leading \";\")");
                }
                int equals = part.indexOf('=');
                if (equals < 0) {
                    throw new IllegalArgumentException("'" + part.strip() + "' is not tag=value");
                }
                String name = part.substring(0, equals).strip();
                String value = part.substring(equals + 1);
                if (!TAG_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("bad tag name '" + name + "'");
                }
                if (!TAG_VALUE.matcher(value).matches()) {
                    throw new IllegalArgumentException("bad character in the value of " + name + "=");
                }
                if (tags.put(name, value.strip()) != null) {
                    throw new IllegalArgumentException("duplicate tag " + name + "=");
                }
            }
            return tags;
        }
    }
}
