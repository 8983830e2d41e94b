package org.tesjames.it.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.Submission;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * {@code SubmissionSigningHook} through a real James: the submission listener (STARTTLS) runs it with
 * {@code noKey=reject} and {@code notAuthorised=reject}, the submissions listener (implicit TLS) with
 * {@code noKey=defer} and {@code notAuthorised=skip}; the replies come at the end of DATA.
 */
class SubmissionSigningHookTest {
    private static final String PASSWORD = "secret-Pa55";
    private static final String SIGNER = "writer@tes.test";
    private static final String NO_KEY = "writer@nokey.test";
    private static final String LATER = "writer@later.test";
    private static final DkimKeyDirectory KEYS = DkimKeyDirectory.create();

    static {
        KEYS.write("tes.test", DkimKeyType.ED25519, "hook2026");
    }

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .modify("tes.properties", text -> text + "\ndkim.keys=" + KEYS.path() + "\ndkim.reload-interval=1s\n")
        .replaceInListener(TesJamesServer.SUBMISSION, "<noKey>skip</noKey>", "<noKey>reject</noKey>")
        .replaceInListener(TesJamesServer.SUBMISSION, "<notAuthorised>skip</notAuthorised>",
            "<notAuthorised>reject</notAuthorised>")
        .replaceInListener(TesJamesServer.SUBMISSIONS, "<noKey>skip</noKey>", "<noKey>defer</noKey>"));

    private static TesJamesServer james;

    @BeforeAll
    static void users() throws Exception {
        james = extension.james();
        james.addUser(SIGNER, PASSWORD);
        james.addUser(NO_KEY, PASSWORD);
        james.addUser(LATER, PASSWORD);
    }

    /** Submits as the user (envelope sender the user's address) with this From, to the user itself. */
    private static SmtpReply submit(SmtpTestClient client, String user, String from, String id) throws IOException {
        return Submission.send(client, user, PASSWORD, user, "From: " + from + "\r\nTo: " + user + "\r\nSubject: "
            + id + "\r\nMessage-ID: <" + id + "@client.example>\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000\r\n\r\nHello.\r\n");
    }

    private static void awaitDelivered(String user, String subject) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            boolean found = james.inbox(user).stream().anyMatch(message -> {
                try {
                    return subject.equals(message.getSubject());
                } catch (Exception e) {
                    return false;
                }
            });
            if (found) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError("no message '" + subject + "' delivered to " + user);
    }

    private static boolean delivered(String user, String subject) throws Exception {
        for (var message : james.inbox(user)) {
            if (subject.equals(message.getSubject())) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Nested
    class RejectPolicies {
        @Test
        void aUserWhoseDomainHasAKeyIsAccepted() throws Exception {
            try (SmtpTestClient client = Submission.startTls(james)) {
                assertThat(submit(client, SIGNER, SIGNER, "keyed").code()).isEqualTo(250);
            }
            awaitDelivered(SIGNER, "keyed");
        }

        @Test
        void aDomainWithoutKeyIsRejectedWith550AtTheEndOfData() throws Exception {
            SmtpReply reply;
            try (SmtpTestClient client = Submission.startTls(james)) {
                reply = submit(client, NO_KEY, NO_KEY, "rejected-no-key");
            }

            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 No DKIM key for nokey.test; the message was not accepted"
                + " (<rejected-no-key@client.example>)");
            sleep(1000);
            assertThat(delivered(NO_KEY, "rejected-no-key")).as("the rejected message is not delivered").isFalse();
        }

        @Test
        void aFromDomainTheUserMayNotSendAsIsRejectedWith550() throws Exception {
            SmtpReply reply;
            try (SmtpTestClient client = Submission.startTls(james)) {
                reply = submit(client, SIGNER, "Someone <someone@other.example>", "rejected-from");
            }

            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 writer@tes.test may not send as other.example; the message"
                + " was not accepted (<rejected-from@client.example>)");
        }

        @Test
        void aMessageWithTwoFromAddressesIsRejectedWith550() throws Exception {
            SmtpReply reply;
            try (SmtpTestClient client = Submission.startTls(james)) {
                reply = submit(client, SIGNER, SIGNER + ", someone@other.example", "two-from");
            }

            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 No single From address to sign for: From holds 2 addresses,"
                + " not one; the message was not accepted (<two-from@client.example>)");
        }

        @Test
        void unauthenticatedSubmissionNeverReachesTheEndOfData() throws Exception {
            try (SmtpTestClient client = Submission.startTls(james)) {
                assertThat(client.mailFrom("someone@remote.example").code()).isEqualTo(250);
                assertThat(client.rcptTo(NO_KEY).code()).isEqualTo(530);
                assertThat(client.data().code()).as("no DATA without a recipient").isNotEqualTo(354);
            }
        }
    }

    @Nested
    class DeferPolicy {
        @Test
        void aDomainWithoutKeyIsDeferredWith451AndAcceptedOnceAKeyIsReloaded() throws Exception {
            SmtpReply first;
            try (SmtpTestClient client = Submission.implicitTls(james)) {
                first = submit(client, LATER, LATER, "deferred");
            }
            assertThat(first.code()).isEqualTo(451);
            assertThat(first.text()).isEqualTo("4.7.0 No DKIM key for later.test yet; try again later"
                + " (<deferred@client.example>)");

            KEYS.write("later.test", DkimKeyType.RSA, "new2026");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            SmtpReply retried;
            do {
                sleep(500);
                try (SmtpTestClient client = Submission.implicitTls(james)) {
                    retried = submit(client, LATER, LATER, "deferred");
                }
            } while (retried.code() == 451 && Instant.now().isBefore(deadline));

            assertThat(retried.code()).as("accepted after the key directory is reloaded").isEqualTo(250);
            awaitDelivered(LATER, "deferred");
        }

        @Test
        void aFromDomainTheUserMayNotSendAsIsAcceptedUnderSkip() throws Exception {
            try (SmtpTestClient client = Submission.implicitTls(james)) {
                assertThat(submit(client, SIGNER, "someone@other.example", "skipped-from").code()).isEqualTo(250);
            }
            awaitDelivered(SIGNER, "skipped-from");
        }
    }
}
