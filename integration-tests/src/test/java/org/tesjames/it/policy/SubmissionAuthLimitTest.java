package org.tesjames.it.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * Failed AUTH limits on the shipped submission listeners, through a real James: 3 failures per session, 5 per
 * client address within a short window (5 s, so the test can wait it out). Each test connects from its own
 * loopback address, since the per-address counts outlive sessions.
 */
class SubmissionAuthLimitTest {
    private static final String USER = "writer@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final String TOO_MANY = "4.7.0 Too many failed authentication attempts";

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf.modify("tes.properties",
        text -> text + "\nsubmission.auth.max-failures-per-session=3\nsubmission.auth.max-failures-per-address=5"
            + "\nsubmission.auth.address-window=" + WINDOW.toSeconds() + "s\n"));

    private static TesJamesServer james;

    @BeforeAll
    static void users() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
    }

    /** An EHLO-ed, STARTTLS-ed client of port 587 from {@code localAddress}. */
    private static SmtpTestClient submission(String localAddress) throws IOException {
        SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort())
            .localAddress(localAddress).trustAll().connect();
        client.ehlo("client.example");
        assertThat(client.starttls().code()).isEqualTo(220);
        client.ehlo("client.example");
        return client;
    }

    private static SmtpTestClient submissions(String localAddress) throws IOException {
        SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionsPort())
            .localAddress(localAddress).implicitTls(true).trustAll().connect();
        client.ehlo("client.example");
        return client;
    }

    private static void assertClosedWith421(SmtpReply reply, SmtpTestClient client) {
        assertThat(reply.code()).isEqualTo(421);
        assertThat(reply.text()).isEqualTo(TOO_MANY);
        assertThatThrownBy(client::noop).as("the server closed the connection").isInstanceOf(IOException.class);
    }

    @Test
    void theThirdWrongPasswordOfASessionIsAnswered421AndTheConnectionClosed() throws Exception {
        try (SmtpTestClient client = submission("127.0.0.11")) {
            assertThat(client.authPlain(USER, "wrong-1").code()).isEqualTo(535);
            assertThat(client.rset().code()).as("RSET does not reset the count").isEqualTo(250);
            assertThat(client.authLogin(USER, "wrong-2").code()).as("AUTH LOGIN counts too").isEqualTo(535);

            assertClosedWith421(client.authPlain(USER, "wrong-3"), client);
        }
    }

    @Test
    void theRightPasswordBelowTheLimitsWorks() throws Exception {
        try (SmtpTestClient client = submission("127.0.0.12")) {
            assertThat(client.authPlain(USER, "wrong-1").code()).isEqualTo(535);
            assertThat(client.authPlain(USER, "wrong-2").code()).isEqualTo(535);

            assertThat(client.authPlain(USER, PASSWORD).code()).isEqualTo(235);
            assertThat(client.mailFrom(USER).code()).isEqualTo(250);
            assertThat(client.rcptTo(USER).code()).isEqualTo(250);
        }
        try (SmtpTestClient client = submission("127.0.0.12")) {
            assertThat(client.authPlain(USER, "wrong-3").code())
                .as("a success reset nothing, but 3 failures of 5 do not lock the address").isEqualTo(535);
        }
    }

    @Test
    void anExchangeBegunBeforeTheLockIsRefusedAtThePasswordEvenWhenItIsRight() throws Exception {
        String address = "127.0.0.15";
        try (SmtpTestClient waiting = submission(address)) {
            assertThat(waiting.raw("AUTH LOGIN").code()).isEqualTo(334);
            assertThat(waiting.raw(base64(USER)).code()).isEqualTo(334);

            try (SmtpTestClient guesser = submission(address)) {
                guesser.authPlain(USER, "wrong-1");
                guesser.authPlain(USER, "wrong-2");
                assertClosedWith421(guesser.authPlain(USER, "wrong-3"), guesser);
            }
            try (SmtpTestClient guesser = submission(address)) {
                guesser.authPlain(USER, "wrong-4");
                assertClosedWith421(guesser.authPlain(USER, "wrong-5"), guesser);
            }

            assertClosedWith421(waiting.raw(base64(PASSWORD)), waiting);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAddressOverItsLimitIsRefusedEvenWithTheRightPasswordUntilTheWindowHasPassed() throws Exception {
        String address = "127.0.0.13";
        try (SmtpTestClient client = submission(address)) {
            client.authPlain(USER, "wrong-1");
            client.authPlain(USER, "wrong-2");
            assertClosedWith421(client.authPlain(USER, "wrong-3"), client);
        }
        try (SmtpTestClient client = submission(address)) {
            assertThat(client.authPlain(USER, "wrong-4").code()).isEqualTo(535);
            assertClosedWith421(client.authPlain(USER, "wrong-5"), client);
        }

        try (SmtpTestClient client = submission(address)) {
            assertClosedWith421(client.authPlain(USER, PASSWORD), client);
        }
        try (SmtpTestClient client = submissions(address)) {
            assertClosedWith421(client.authPlain(USER, PASSWORD), client);
        }
        try (SmtpTestClient client = submission("127.0.0.14")) {
            assertThat(client.authPlain(USER, PASSWORD).code()).as("another address").isEqualTo(235);
        }

        Awaitility.await("the right password works again after the window")
            .atMost(WINDOW.multipliedBy(3))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> {
                try (SmtpTestClient client = submission(address)) {
                    return client.authPlain(USER, PASSWORD).code() == 235;
                }
            });
    }
}
