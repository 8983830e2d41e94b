package org.tesjames.it.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.internet.MimeMessage;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.HarnessProbe;
import org.tesjames.it.harness.SigningMembers;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.it.harness.TestDkimSigner;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.xbill.DNS.Type;

/**
 * Message authentication and the TES member rules at the end of DATA on the shipped inbound listener
 * ({@code InboundAuthenticationHook}), through a real James: messages signed in the test with the project's
 * signer, keys and DMARC records served by the test DNS server.
 */
class InboundAuthenticationTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    private static final String AUTHSERV_ID = "mx.tes.test";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf.modify("tes.properties", text -> text
        // Short DNS failures (not under 2 s: dnsjava 3.5.2's client can hold an answer up to about 1 s).
        + "\ndns.timeout=2s\ndns.retries=0\ndns.cache.failure-hold-down=0s\nauth.authserv-id=" + AUTHSERV_ID
        + "\n"));

    private static TesJamesServer james;
    private static TestDnsServer dns;
    private static SigningMembers members;

    @BeforeAll
    static void setUp() {
        james = extension.james();
        dns = extension.dns();
        members = new SigningMembers(dns);
    }

    private static String recipient() throws Exception {
        String user = "auth" + SEQUENCE.incrementAndGet() + "@tes.test";
        james.addUser(user, "secret-Pa55");
        return user;
    }

    /** A fresh member domain (own master, own cache entries) with a published RSA-2048 key, selector s1. */
    private static TestDkimSigner member() throws Exception {
        int n = SEQUENCE.incrementAndGet();
        String domain = "signed" + n + ".test";
        members.add(domain, "m" + n + ".master.test");
        return members.signer(domain);
    }

    private static String message(String from, String rcpt, String messageId, String extraHeaders) {
        return extraHeaders + "From: " + from + "\r\nTo: " + rcpt + "\r\nSubject: authentication\r\n"
            + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-ID: " + messageId + "\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\nHello,\r\n\r\nsigned  mail.\r\n";
    }

    private static SmtpReply send(String sender, String rcpt, String message) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                .tlsProtocols("TLSv1.3").trustAll().connect()) {
            client.ehlo("peer.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("peer.example");
            assertThat(client.mailFrom(sender).code()).isEqualTo(250);
            assertThat(client.rcptTo(rcpt).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            return client.message(message);
        }
    }

    private static MimeMessage delivered(String rcpt) {
        return james.awaitInbox(rcpt, 1, DELIVERY).get(0);
    }

    private static String authenticationResults(MimeMessage message) throws Exception {
        String[] values = message.getHeader("Authentication-Results");
        assertThat(values).as("Authentication-Results").isNotNull();
        return String.join("\n", values);
    }

    @Nested
    class Members {
        @Test
        void aMemberSignedByItsOwnDomainIsAcceptedAndStamped() throws Exception {
            TestDkimSigner signer = member();
            String rcpt = recipient();

            SmtpReply reply = send("alice@" + signer.domain(), rcpt,
                signer.sign(message("Alice <alice@" + signer.domain() + ">", rcpt, "<ok1@tes.test>", "")));

            assertThat(reply.code()).isEqualTo(250);
            MimeMessage message = delivered(rcpt);
            assertThat(message.getHeader("X-TES-Status")).containsExactly("member");
            assertThat(message.getHeader("Authentication-Results")).hasSize(1);
            assertThat(authenticationResults(message)).startsWith(AUTHSERV_ID + ";")
                .contains("dkim=pass").contains("header.d=" + signer.domain()).contains("header.s=s1");
            // The top of the header: the first field after James's own trace fields.
            List<String> names = java.util.Collections.list(message.getAllHeaders()).stream()
                .map(javax.mail.Header::getName).toList();
            assertThat(names.indexOf("Authentication-Results")).isLessThan(names.indexOf("DKIM-Signature"));
            // Rewriting the header kept every signed field's bytes: the signature still verifies downstream.
            byte[] raw = james.probe(HarnessProbe.class).inbox(rcpt).get(0);
            List<SignatureRecord> verified = new DKIMVerifier((method, selector, domain) ->
                List.of(signer.key().keyRecord().text())).verify(new ByteArrayInputStream(raw));
            assertThat(verified).extracting(SignatureRecord::getDToken).containsExactly(signer.domain());
        }

        /**
         * Three messages in one session, each authenticated and stamped on its own: what the hooks keep per
         * transaction during DATA is never the previous message's (a signed message, an unsigned one, then a signed
         * one with another body and a forged status).
         */
        @Test
        void everyMessageOfASessionIsAuthenticatedOnItsOwn() throws Exception {
            TestDkimSigner signer = member();
            String rcpt = recipient();
            String sender = "alice@" + signer.domain();
            String first = signer.sign(message(sender, rcpt, "<session1@tes.test>", ""));
            String second = message(sender, rcpt, "<session2@tes.test>", "");
            String third = signer.sign(message(sender, rcpt, "<session3@tes.test>", "X-TES-Status: forged\r\n")
                .replace("signed  mail.", "another   body,\tsigned too."));

            try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                    .tlsProtocols("TLSv1.3").trustAll().connect()) {
                client.ehlo("peer.example");
                assertThat(client.starttls().code()).isEqualTo(220);
                client.ehlo("peer.example");
                List<String> messages = List.of(first, second, third);
                for (int i = 0; i < messages.size(); i++) {
                    assertThat(client.mailFrom(sender).code()).isEqualTo(250);
                    assertThat(client.rcptTo(rcpt).code()).isEqualTo(250);
                    assertThat(client.data().code()).isEqualTo(354);
                    SmtpReply reply = client.message(messages.get(i));
                    assertThat(reply.code()).as("message %d: %s", i + 1, reply).isEqualTo(i == 1 ? 550 : 250);
                }
            }

            List<MimeMessage> inbox = james.awaitInbox(rcpt, 2, DELIVERY);
            assertThat(inbox).hasSize(2);
            for (MimeMessage message : inbox) {
                assertThat(message.getHeader("X-TES-Status")).containsExactly("member");
                assertThat(message.getHeader("Authentication-Results")).hasSize(1);
                assertThat(authenticationResults(message)).contains("dkim=pass")
                    .contains("header.d=" + signer.domain());
            }
            assertThat(inbox).extracting(MimeMessage::getMessageID)
                .containsExactlyInAnyOrder("<session1@tes.test>", "<session3@tes.test>");
        }

        @Test
        void aMemberUnsignedIsRejectedWithTheExactText() throws Exception {
            TestDkimSigner signer = member();
            String rcpt = recipient();

            SmtpReply reply = send("alice@" + signer.domain(), rcpt,
                message("alice@" + signer.domain(), rcpt, "<unsigned1@tes.test>", ""));

            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 The message is not DKIM signed by policy of "
                + signer.domain() + " (<unsigned1@tes.test>)");
            assertThat(james.inbox(rcpt)).isEmpty();
        }

        @Test
        void aMemberSignedByAnotherDomainIsRejected() throws Exception {
            TestDkimSigner member = member();
            TestDkimSigner esp = TestDkimSigner.publish(dns, "esp" + SEQUENCE.incrementAndGet() + ".test");
            String rcpt = recipient();

            SmtpReply reply = send("alice@" + member.domain(), rcpt,
                esp.sign(message("alice@" + member.domain(), rcpt, "<esp1@tes.test>", "")));

            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 The message is not DKIM signed by policy of "
                + member.domain() + " (<esp1@tes.test>)");
        }

        @Test
        void aMemberWhoseMessageFailsDmarcWithRejectIsRejected() throws Exception {
            TestDkimSigner member = member();
            String author = "brand" + SEQUENCE.incrementAndGet() + ".test";
            dns.zone(author).txt("_dmarc", "v=DMARC1; p=reject");
            String rcpt = recipient();

            // Signed by the member (its own rule holds), but the From domain is not aligned and says reject.
            SmtpReply reply = send("alice@" + member.domain(), rcpt,
                member.sign(message("ceo@" + author, rcpt, "<dmarc1@tes.test>", "")));

            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 The message violates the DMARC policy of " + member.domain()
                + " (<dmarc1@tes.test>)");
        }

        @Test
        void aMemberMessageWithSeveralFromDomainsFailsClosed() throws Exception {
            TestDkimSigner member = member();
            String rcpt = recipient();

            SmtpReply reply = send("alice@" + member.domain(), rcpt, member.sign(message(
                "alice@" + member.domain() + ", ceo@brand.example", rcpt, "<twofrom1@tes.test>", "")));

            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 The message violates the DMARC policy of " + member.domain()
                + " (<twofrom1@tes.test>)");
        }

        @Test
        void aTimeoutOnTheKeyRecordDefers() throws Exception {
            TestDkimSigner signer = member();
            String rcpt = recipient();
            dns.fault("s1._domainkey." + signer.domain(), Type.TXT, Fault.noAnswer());
            try {
                SmtpReply reply = send("alice@" + signer.domain(), rcpt,
                    signer.sign(message("alice@" + signer.domain(), rcpt, "<slow1@tes.test>", "")));

                assertThat(reply.code()).isEqualTo(451);
                assertThat(reply.text()).isEqualTo("4.4.3 TES lookup failed: DKIM key of " + signer.domain()
                    + " (<slow1@tes.test>)");
            } finally {
                dns.clearFaults();
            }
            assertThat(james.inbox(rcpt)).isEmpty();

            SmtpReply retried = send("alice@" + signer.domain(), rcpt,
                signer.sign(message("alice@" + signer.domain(), rcpt, "<slow1@tes.test>", "")));

            assertThat(retried.code()).isEqualTo(250);
            assertThat(authenticationResults(delivered(rcpt))).contains("dkim=pass");
        }
    }

    @Nested
    class NonMembers {
        @Test
        void anUnsignedNonMemberIsAcceptedAndStampedNonMember() throws Exception {
            String rcpt = recipient();

            SmtpReply reply = send("bob@unlisted.example", rcpt,
                message("bob@unlisted.example", rcpt, "<plain1@tes.test>", ""));

            assertThat(reply.code()).isEqualTo(250);
            MimeMessage message = delivered(rcpt);
            assertThat(message.getHeader("X-TES-Status")).containsExactly("non-member");
            assertThat(authenticationResults(message)).startsWith(AUTHSERV_ID + ";").contains("dkim=none")
                .contains("dmarc=none");
        }

        @Test
        void aNonMemberFailingDmarcRejectIsAcceptedByDefault() throws Exception {
            String author = "brand" + SEQUENCE.incrementAndGet() + ".test";
            dns.zone(author).txt("_dmarc", "v=DMARC1; p=reject");
            String rcpt = recipient();

            SmtpReply reply = send("bob@unlisted.example", rcpt,
                message("ceo@" + author, rcpt, "<dmarc2@tes.test>", ""));

            assertThat(reply.code()).isEqualTo(250);
            assertThat(authenticationResults(delivered(rcpt))).contains("dmarc=fail");
        }
    }

    @Test
    void forgedAuthenticationResultsClaimingOurAuthservIdAreRemovedOthersKept() throws Exception {
        String rcpt = recipient();
        String forged = "Authentication-Results: " + AUTHSERV_ID + "; dkim=pass header.d=bank.example\r\n"
            + "Authentication-Results: MX.TES.TEST (forged, other case);\r\n\tspf=pass smtp.mailfrom=bank.example\r\n"
            + "Authentication-Results: relay.other.example; spf=pass smtp.mailfrom=unlisted.example\r\n";

        SmtpReply reply = send("bob@unlisted.example", rcpt,
            message("bob@unlisted.example", rcpt, "<forged1@tes.test>", forged));

        assertThat(reply.code()).isEqualTo(250);
        String[] results = delivered(rcpt).getHeader("Authentication-Results");
        assertThat(results).hasSize(2);
        assertThat(results[0]).startsWith(AUTHSERV_ID + ";").contains("dkim=none").doesNotContain("bank.example");
        assertThat(results[1]).isEqualTo("relay.other.example; spf=pass smtp.mailfrom=unlisted.example");
    }
}
