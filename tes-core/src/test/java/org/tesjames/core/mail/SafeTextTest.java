package org.tesjames.core.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void keepsPrintableAscii() {
        assertThat(SafeText.oneLine("<a.b-c+d@example.com> (x)", 200)).isEqualTo("<a.b-c+d@example.com> (x)");
    }

    @Test
    void unfoldsAndCollapsesWhiteSpace() {
        assertThat(SafeText.oneLine("  a\r\n\tb  \r\n c\t", 200)).isEqualTo("a b c");
    }

    @Test
    void removesLineBreaksAndControlCharacters() {
        assertThat(SafeText.oneLine("a\rb\nc\u0000d\u001fe\u007ff", 200)).isEqualTo("abcdef");
    }

    @Test
    void replacesEachNonAsciiCodePoint() {
        assertThat(SafeText.oneLine("\u00e9\u0085\ud83d\ude00", 200)).isEqualTo("???");
    }

    @Test
    void cutsWithinTheLimitWithAnEllipsis() {
        assertThat(SafeText.oneLine("abcdefghij", 10)).isEqualTo("abcdefghij");
        assertThat(SafeText.oneLine("abcdefghijk", 10)).isEqualTo("abcdefg...");
        assertThat(SafeText.oneLine("y".repeat(100_000), 200)).hasSize(200).endsWith("y...");
    }

    @Test
    void refusesALimitWithoutRoomForText() {
        assertThatThrownBy(() -> SafeText.oneLine("a", 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
