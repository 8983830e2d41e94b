package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Username;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.UsersRepositoryAuthHook;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.submission.AuthFailureLimiter;
import org.tesjames.core.submission.AuthFailureLimits;
import org.tesjames.mailets.MutableClock;

class SubmissionAuthLimitHookTest {
    private static final Username USER = Username.of("writer@tes.test");
    private static final String PASSWORD = "right";
    private static final Duration WINDOW = Duration.ofMinutes(10);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final SubmissionAuthLimitHook hook = new SubmissionAuthLimitHook(
        new AuthFailureLimiter(new AuthFailureLimits(3, 5, WINDOW, 100), clock), new FakeUsers(), metrics);

    /** James's users check, with one user whose password is {@link #PASSWORD}. */
    private static final class FakeUsers extends UsersRepositoryAuthHook {
        FakeUsers() {
            super(null, null);
        }

        @Override
        public HookResult doAuth(SMTPSession session, Username username, String password) {
            if (username.equals(USER) && password.equals(PASSWORD)) {
                session.setUsername(username);
                return HookResult.builder().hookReturnCode(HookReturnCode.ok()).build();
            }
            return HookResult.DECLINED;
        }
    }

    /** An SMTP session from {@code address}: its id, remote address, user name and connection attachments. */
    private static SMTPSession session(String address) {
        Map<Object, Object> attachments = new HashMap<>();
        Username[] user = new Username[1];
        return (SMTPSession) Proxy.newProxyInstance(SMTPSession.class.getClassLoader(),
            new Class<?>[] {SMTPSession.class}, (proxy, method, args) -> switch (method.getName()) {
                case "getSessionID" -> "s-" + address;
                case "getRemoteAddress" -> new InetSocketAddress(address, 40000);
                case "getUsername" -> user[0];
                case "setUsername" -> {
                    user[0] = (Username) args[0];
                    yield null;
                }
                case "getAttachment" -> Optional.ofNullable(attachments.get(args[0]));
                case "setAttachment" -> Optional.ofNullable(attachments.put(args[0], args[1]));
                default -> throw new UnsupportedOperationException(method.getName());
            });
    }

    private static Request auth() {
        return new Request() {
            @Override
            public String getArgument() {
                return "PLAIN";
            }

            @Override
            public String getCommand() {
                return "AUTH";
            }
        };
    }

    @Nested
    class PerSession {
        @Test
        void answersWrongCredentials535AndCountsThem() {
            HookResult result = hook.doAuth(session("192.0.2.1"), USER, "wrong");

            assertThat(result).isEqualTo(SmtpReplies.AUTH_CREDENTIALS_INVALID);
            assertThat(result.getSmtpRetCode()).isEqualTo("535");
            assertThat(metrics.countFor("tes.submission.auth.failed")).isEqualTo(1);
        }

        @Test
        void closesTheSessionWith421AtItsThirdFailure() {
            SMTPSession session = session("192.0.2.1");
            hook.doAuth(session, USER, "wrong");
            hook.doAuth(session, USER, "wrong");

            HookResult third = hook.doAuth(session, USER, "wrong");

            assertThat(third.getSmtpRetCode()).isEqualTo("421");
            assertThat(third.getSmtpDescription()).isEqualTo("4.7.0 Too many failed authentication attempts");
            assertThat(third.getResult().isDisconnected()).isTrue();
            assertThat(metrics.countFor("tes.submission.auth.failed")).isEqualTo(3);
            assertThat(metrics.countFor("tes.submission.auth.session-limit")).isEqualTo(1);
        }

        @Test
        void theRightPasswordBelowTheLimitSucceedsAndIsNotCounted() {
            SMTPSession session = session("192.0.2.1");
            hook.doAuth(session, USER, "wrong");
            hook.doAuth(session, USER, "wrong");

            HookResult result = hook.doAuth(session, USER, PASSWORD);

            assertThat(result.getResult().getAction()).isEqualTo(HookReturnCode.Action.OK);
            assertThat(session.getUsername()).isEqualTo(USER);
            assertThat(metrics.countFor("tes.submission.auth.failed")).isEqualTo(2);
        }
    }

    @Nested
    class PerAddress {
        private void failFiveTimes(String address) {
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofSeconds(1));
                hook.doAuth(session(address), USER, "wrong");
            }
        }

        @Test
        void theFailureThatReachesTheAddressLimitLocksItWith421() {
            for (int i = 0; i < 4; i++) {
                assertThat(hook.doAuth(session("192.0.2.2"), USER, "wrong").getSmtpRetCode()).isEqualTo("535");
            }

            HookResult fifth = hook.doAuth(session("192.0.2.2"), USER, "wrong");

            assertThat(fifth).isEqualTo(SmtpReplies.TOO_MANY_AUTH_FAILURES);
            assertThat(metrics.countFor("tes.submission.auth.address-limit")).isEqualTo(1);
        }

        @Test
        void aLockedAddressIsRefusedAtTheAuthCommandAndBeforeThePasswordCheck() {
            failFiveTimes("192.0.2.3");
            SMTPSession session = session("192.0.2.3");

            Response response = hook.onCommand(session, auth());
            HookResult result = hook.doAuth(session, USER, PASSWORD);

            assertThat(response.getRetCode()).isEqualTo("421");
            assertThat(response.isEndSession()).isTrue();
            assertThat(result).isEqualTo(SmtpReplies.TOO_MANY_AUTH_FAILURES);
            assertThat(session.getUsername()).as("the password was never checked").isNull();
            assertThat(metrics.countFor("tes.submission.auth.locked")).isEqualTo(2);
            assertThat(metrics.countFor("tes.submission.auth.failed")).as("refusals are not failures").isEqualTo(5);
        }

        @Test
        void theRightPasswordWorksAgainAfterTheWindow() {
            failFiveTimes("192.0.2.4");
            clock.advance(WINDOW);
            SMTPSession session = session("192.0.2.4");

            assertThat(hook.onCommand(session, auth())).isNull();
            assertThat(hook.doAuth(session, USER, PASSWORD).getResult().getAction())
                .isEqualTo(HookReturnCode.Action.OK);
        }

        @Test
        void anotherAddressIsNotAffected() {
            failFiveTimes("192.0.2.5");

            assertThat(hook.onCommand(session("192.0.2.6"), auth())).isNull();
        }
    }

    @Test
    void takesNoParameter() {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", SubmissionAuthLimitHook.class.getName());
        assertThatCode(() -> hook.init(config)).doesNotThrowAnyException();

        config.addProperty("maxFailures", "3");
        assertThatThrownBy(() -> hook.init(config))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("unknown parameter 'maxFailures'");
    }

    @Test
    void logsAUserNameAsPrintableAsciiWithoutQuotesOrLineBreaks() {
        assertThat(SubmissionAuthLimitHook.sanitise("writer@tes.test")).isEqualTo("writer@tes.test");
        assertThat(SubmissionAuthLimitHook.sanitise("a b\r\nINFO forged' \\x\u00e9"))
            .isEqualTo("a?b??INFO?forged???x?");
    }

    @Test
    void logsAtMost64CharactersOfAUserName() {
        assertThat(SubmissionAuthLimitHook.sanitise("u".repeat(100))).isEqualTo("u".repeat(64) + "...");
        assertThat(SubmissionAuthLimitHook.sanitise("u".repeat(64))).isEqualTo("u".repeat(64));
    }
}
