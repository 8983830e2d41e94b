package org.tesjames.core.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class BoundedMemoTest {
    private final AtomicInteger calls = new AtomicInteger();
    private final BoundedMemo<String> upper = new BoundedMemo<>(key -> {
        calls.incrementAndGet();
        return key.toUpperCase();
    }, 3, 10);

    @Test
    void computesAKeyOnceWhileItIsKept() {
        assertThat(upper.apply("example")).isEqualTo("EXAMPLE");
        assertThat(upper.apply("example")).isEqualTo("EXAMPLE");
        assertThat(calls).hasValue(1);
    }

    @Test
    void computesAKeyLongerThanTheLimitEveryTimeAndNeverKeepsIt() {
        assertThat(upper.apply("a-long-key-x")).isEqualTo("A-LONG-KEY-X");
        assertThat(upper.apply("a-long-key-x")).isEqualTo("A-LONG-KEY-X");
        assertThat(calls).hasValue(2);
        assertThat(upper.size()).isZero();
    }

    @Test
    void keepsAtMostItsCapacity() {
        for (int i = 0; i < 10; i++) {
            assertThat(upper.apply("k" + i)).isEqualTo("K" + i);
            assertThat(upper.size()).isLessThanOrEqualTo(3);
        }
        assertThat(upper.apply("k9")).isEqualTo("K9");
        assertThat(calls).hasValue(10);
    }

    @Test
    void refusesANullResult() {
        BoundedMemo<String> nothing = new BoundedMemo<>(key -> null, 3, 10);
        assertThatThrownBy(() -> nothing.apply("x")).isInstanceOf(NullPointerException.class);
    }
}
