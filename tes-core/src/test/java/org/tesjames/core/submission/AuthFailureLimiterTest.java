package org.tesjames.core.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.MutableClock;

class AuthFailureLimiterTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(10);

    private final MutableClock clock = new MutableClock(START);
    private final AuthFailureLimiter limiter = new AuthFailureLimiter(new AuthFailureLimits(3, 5, WINDOW, 100), clock);

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static final InetAddress CLIENT = address("192.0.2.7");

    @Nested
    class PerSession {
        @Test
        void allowsFailuresBelowTheSessionLimit() {
            assertThat(limiter.failed(CLIENT, 1)).isEqualTo(new AuthLimitDecision.Allow(1, 1));
            assertThat(limiter.failed(CLIENT, 2)).isEqualTo(new AuthLimitDecision.Allow(2, 2));
        }

        @Test
        void closesTheSessionAtItsLimit() {
            limiter.failed(CLIENT, 1);
            limiter.failed(CLIENT, 2);

            assertThat(limiter.failed(CLIENT, 3)).isEqualTo(new AuthLimitDecision.SessionLimit(3, 3));
        }

        @Test
        void aNewSessionStartsAgainWhileTheAddressIsBelowItsLimit() {
            limiter.failed(CLIENT, 1);
            limiter.failed(CLIENT, 2);
            limiter.failed(CLIENT, 3);

            assertThat(limiter.beforeAuth(CLIENT)).isEqualTo(new AuthLimitDecision.Allow(0, 3));
            assertThat(limiter.failed(CLIENT, 1)).isEqualTo(new AuthLimitDecision.Allow(1, 4));
        }
    }

    @Nested
    class PerAddress {
        private void fail(int times) {
            for (int i = 1; i <= times; i++) {
                limiter.failed(CLIENT, 1);
                clock.advance(Duration.ofSeconds(1));
            }
        }

        @Test
        void locksTheAddressAtItsLimitWithinTheWindow() {
            fail(4);

            AuthLimitDecision fifth = limiter.failed(CLIENT, 1);

            assertThat(fifth).isEqualTo(new AuthLimitDecision.AddressLocked(5, START.plus(WINDOW)));
            assertThat(limiter.beforeAuth(CLIENT)).isEqualTo(fifth);
        }

        @Test
        void theLockTakesPrecedenceOverTheSessionLimit() {
            fail(4);

            assertThat(limiter.failed(CLIENT, 3)).isInstanceOf(AuthLimitDecision.AddressLocked.class);
        }

        @Test
        void theLockEndsWhenTheOldestFailureLeavesTheWindow() {
            fail(5);
            clock.advance(WINDOW.minusSeconds(6));
            assertThat(limiter.beforeAuth(CLIENT)).isInstanceOf(AuthLimitDecision.AddressLocked.class);

            clock.advance(Duration.ofSeconds(1));

            assertThat(limiter.beforeAuth(CLIENT)).isEqualTo(new AuthLimitDecision.Allow(0, 4));
        }

        @Test
        void afterTheLockOnlyOneMoreGuessBeforeTheNextLock() {
            fail(5);
            clock.advance(WINDOW.minusSeconds(5));

            assertThat(limiter.failed(CLIENT, 1))
                .isEqualTo(new AuthLimitDecision.AddressLocked(5, START.plus(WINDOW).plusSeconds(1)));
        }

        @Test
        void failuresSpreadWiderThanTheWindowNeverLock() {
            for (int i = 0; i < 20; i++) {
                assertThat(limiter.failed(CLIENT, 1)).isInstanceOf(AuthLimitDecision.Allow.class);
                clock.advance(WINDOW.dividedBy(4));
            }
        }

        @Test
        void refusalsWhileLockedDoNotExtendTheLock() {
            fail(5);
            for (int i = 0; i < 100; i++) {
                limiter.beforeAuth(CLIENT);
            }

            clock.advance(WINDOW.minusSeconds(5));

            assertThat(limiter.beforeAuth(CLIENT)).isInstanceOf(AuthLimitDecision.Allow.class);
        }

        @Test
        void otherAddressesAreNotAffected() {
            fail(5);

            assertThat(limiter.beforeAuth(address("192.0.2.8"))).isEqualTo(new AuthLimitDecision.Allow(0, 0));
        }

        @Test
        void ipv6ClientsAreCountedPerSlash64() {
            limiter.failed(address("2001:db8:1:2::1"), 1);
            limiter.failed(address("2001:db8:1:2::2"), 1);
            limiter.failed(address("2001:db8:1:2:ffff::3"), 1);
            limiter.failed(address("2001:db8:1:2:abcd::4"), 1);
            limiter.failed(address("2001:db8:1:2::5"), 1);

            assertThat(limiter.beforeAuth(address("2001:db8:1:2::99")))
                .isInstanceOf(AuthLimitDecision.AddressLocked.class);
            assertThat(limiter.beforeAuth(address("2001:db8:1:3::1"))).isEqualTo(new AuthLimitDecision.Allow(0, 0));
            assertThat(AuthFailureLimiter.key(address("2001:db8:1:2::1"))).isEqualTo("2001:db8:1:2::/64");
            assertThat(AuthFailureLimiter.key(CLIENT)).isEqualTo("192.0.2.7");
        }
    }

    @Nested
    class Table {
        @Test
        void isBoundedInSize() {
            AuthFailureLimiter small = new AuthFailureLimiter(new AuthFailureLimits(3, 5, WINDOW, 10), clock);
            for (int i = 0; i < 1000; i++) {
                small.failed(address("10.0." + (i / 256) + "." + (i % 256)), 1);
            }

            assertThat(small.trackedAddresses()).isLessThanOrEqualTo(10);
        }

        @Test
        void forgetsAnAddressOneWindowAfterItsLastFailure() {
            limiter.failed(CLIENT, 1);
            clock.advance(WINDOW.minusSeconds(1));
            limiter.failed(CLIENT, 1);
            clock.advance(WINDOW.minusSeconds(1));
            assertThat(limiter.trackedAddresses()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));

            assertThat(limiter.trackedAddresses()).isZero();
        }
    }

    @Test
    void refusesLimitsOutOfRange() {
        assertThatThrownBy(() -> new AuthFailureLimits(0, 5, WINDOW, 10)).hasMessageContaining("per session");
        assertThatThrownBy(() -> new AuthFailureLimits(3, 1001, WINDOW, 10)).hasMessageContaining("per address");
        assertThatThrownBy(() -> new AuthFailureLimits(3, 5, Duration.ZERO, 10)).hasMessageContaining("window");
        assertThatThrownBy(() -> new AuthFailureLimits(3, 5, Duration.ofDays(2), 10)).hasMessageContaining("window");
        assertThatThrownBy(() -> new AuthFailureLimits(3, 5, WINDOW, 0)).hasMessageContaining("table size");
    }
}
