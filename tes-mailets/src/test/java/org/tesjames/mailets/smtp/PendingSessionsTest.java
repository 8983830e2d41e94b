package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;

class PendingSessionsTest {
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final PendingSessions pending = new PendingSessions(3, 2, metrics);
    private final InetAddress a = InetAddress.getLoopbackAddress();
    private final InetAddress b = address("127.0.0.2");
    private final InetAddress c = address("127.0.0.3");

    @Test
    void refusesTheClientOverItsOwnBoundWhileOthersStillGetIn() {
        assertThat(pending.tryAcquire(a)).isTrue();
        assertThat(pending.tryAcquire(a)).isTrue();

        assertThat(pending.tryAcquire(a)).isFalse();
        assertThat(pending.tryAcquire(b)).isTrue();
        assertThat(pending.waiting()).isEqualTo(3);
        assertThat(metrics.countFor("tes.smtp.pending.refused")).isEqualTo(1);
    }

    @Test
    void refusesEveryoneOverTheServerBound() {
        pending.tryAcquire(a);
        pending.tryAcquire(a);
        pending.tryAcquire(b);

        assertThat(pending.tryAcquire(c)).isFalse();
        assertThat(pending.waiting()).isEqualTo(3);
    }

    @Test
    void aReleasedPlaceCanBeTakenAgain() {
        pending.tryAcquire(a);
        pending.tryAcquire(a);
        pending.release(a);

        assertThat(pending.tryAcquire(a)).isTrue();
        pending.release(a);
        pending.release(a);
        assertThat(pending.waiting()).isZero();
        assertThat(pending.tryAcquire(a)).isTrue();
        assertThat(pending.tryAcquire(a)).isTrue();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
