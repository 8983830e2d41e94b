package org.tesjames.it.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.xbill.DNS.Type;

/**
 * A session waiting for a TES lookup suspends only itself: through a real James with the shipped inbound listener,
 * sessions whose sender's DNS answers slowly (at MAIL FROM, or at the end of DATA) do not hold up other clients;
 * pipelined commands are answered in order after the pending reply; the bound on lookups in progress per client
 * answers {@code 451 4.7.0} at once, without asking anything for the refused sender (cached answers stay open); a
 * line over James's limit gives DATA exactly one reply; a STARTTLS held behind a pending reply upgrades the session
 * after it, and plaintext sent after it is never carried out.
 */
class SessionIsolationTest {
    private static final Duration SLOW = Duration.ofSeconds(6);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf.modify("tes.properties", text -> text
        + "\ndns.timeout=10s\ndns.retries=0\nsmtp.pending.max-per-client=2\n"));

    private static TesJamesServer james;
    private static TestDnsServer dns;

    @BeforeAll
    static void setUp() {
        james = extension.james();
        dns = extension.dns();
    }

    private static String recipient() throws Exception {
        String user = "iso" + SEQUENCE.incrementAndGet() + "@tes.test";
        james.addUser(user, "secret-Pa55");
        return user;
    }

    /** A fresh sender domain whose membership lookup (tes-master CNAME) answers after {@link #SLOW}. */
    private static String slowMembershipDomain() {
        return slowMembershipDomain(SLOW);
    }

    private static String slowMembershipDomain(Duration delay) {
        String domain = "slowmember" + SEQUENCE.incrementAndGet() + ".test";
        dns.fault("tes-master." + domain, Type.CNAME, Fault.delay(delay));
        return domain;
    }

    /** A fresh From domain whose DMARC record lookup answers after {@link #SLOW}. */
    private static String slowDmarcDomain() {
        String domain = "slowdmarc" + SEQUENCE.incrementAndGet() + ".test";
        dns.fault("_dmarc." + domain, Type.TXT, Fault.delay(SLOW));
        return domain;
    }

    private static SmtpTestClient connect(String localAddress) throws Exception {
        SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort()).localAddress(localAddress)
            .connect();
        assertThat(client.ehlo("peer.example").code()).isEqualTo(250);
        return client;
    }

    private static String message(String from) {
        return "From: " + from + "\r\nSubject: isolation\r\nMessage-ID: <" + SEQUENCE.incrementAndGet()
            + "@peer.example>\r\n\r\nbody\r\n";
    }

    @Test
    void sessionsWaitingForSlowDnsDoNotHoldUpOtherClients() throws Exception {
        String rcpt = recipient();
        List<SmtpTestClient> waitingAtRcpt = new ArrayList<>();
        List<SmtpTestClient> waitingAtEndOfData = new ArrayList<>();
        try {
            // More slow sessions than James has event loops (2 x cores), each from its own address.
            for (int i = 0; i < 8; i++) {
                SmtpTestClient client = connect("127.0.1." + (i + 1));
                assertThat(client.mailFrom("x@" + slowMembershipDomain()).code()).isEqualTo(250);
                client.writeLine("RCPT TO:<" + rcpt + ">");
                waitingAtRcpt.add(client);
            }
            for (int i = 0; i < 4; i++) {
                SmtpTestClient client = connect("127.0.2." + (i + 1));
                assertThat(client.mailFrom("y@unlisted" + i + ".example").code()).isEqualTo(250);
                assertThat(client.rcptTo(rcpt).code()).isEqualTo(250);
                assertThat(client.data().code()).isEqualTo(354);
                client.writeRaw((message("z@" + slowDmarcDomain()) + ".\r\n").getBytes());
                waitingAtEndOfData.add(client);
            }

            long start = System.nanoTime();
            try (SmtpTestClient ordinary = connect("127.0.3.1")) {
                assertThat(ordinary.mailFrom("bob@unlisted.example").code()).isEqualTo(250);
                assertThat(ordinary.rcptTo(rcpt).code()).isEqualTo(250);
                assertThat(ordinary.data().code()).isEqualTo(354);
                assertThat(ordinary.message(message("bob@unlisted.example")).code()).isEqualTo(250);
            }
            Duration ordinaryTransaction = Duration.ofNanos(System.nanoTime() - start);

            // Were an event loop blocked, the ordinary transaction would take at least SLOW.
            assertThat(ordinaryTransaction).isLessThan(SLOW.dividedBy(2));
            for (SmtpTestClient client : waitingAtRcpt) {
                SmtpReply reply = client.readReply();
                assertThat(reply.code()).as("the held RCPT, answered once the lookup is done").isEqualTo(250);
            }
            for (SmtpTestClient client : waitingAtEndOfData) {
                assertThat(client.readReply().code()).as("the held end of DATA").isEqualTo(250);
            }
        } finally {
            waitingAtRcpt.forEach(SmtpTestClient::close);
            waitingAtEndOfData.forEach(SmtpTestClient::close);
        }
        assertThat(james.awaitInbox(rcpt, 5, Duration.ofSeconds(30))).hasSize(5)
            .allSatisfy(message -> assertThat(message.getHeader("X-TES-Status")).containsExactly("non-member"));
    }

    @Test
    void pipelinedCommandsDuringAPendingReplyAreAnsweredInOrder() throws Exception {
        String rcpt = recipient();
        try (SmtpTestClient client = connect("127.0.4.1")) {
            client.writeRaw(("MAIL FROM:<a@" + slowMembershipDomain() + ">\r\n"
                + "RCPT TO:<" + rcpt + ">\r\n"
                + "NOOP\r\n"
                + "RSET\r\n"
                + "MAIL FROM:<b@unlisted.example>\r\n"
                + "RCPT TO:<" + rcpt + ">\r\n"
                + "DATA\r\n").getBytes());

            List<SmtpReply> replies = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                replies.add(client.readReply());
            }
            assertThat(replies).extracting(SmtpReply::code).containsExactly(250, 250, 250, 250, 250, 250, 354);
            assertThat(replies.get(0).text()).contains("Sender <a@slowmember");
            assertThat(replies.get(1).text()).contains("Recipient <" + rcpt + ">");
            assertThat(replies.get(4).text()).contains("Sender <b@unlisted.example>");
            assertThat(client.message(message("b@unlisted.example")).code()).isEqualTo(250);
        }
        MimeMessage delivered = james.awaitInbox(rcpt, 1, Duration.ofSeconds(30)).get(0);
        assertThat(delivered.getHeader("X-TES-Status")).containsExactly("non-member");
        assertThat(delivered.getHeader("Return-Path")[0]).contains("b@unlisted.example");
    }

    /**
     * MAIL FROM of a slow sender, then STARTTLS while its reply is pending. Sent apart: James's framer refuses STARTTLS
     * read together with another line, even pipelined last.
     */
    private static void startTlsBehindAPendingMailFrom(SmtpTestClient client) throws Exception {
        client.writeLine("MAIL FROM:<a@" + slowMembershipDomain() + ">");
        Thread.sleep(300);
        client.writeLine("STARTTLS");
    }

    @Test
    void aStartTlsHeldBehindAPendingReplyUpgradesTheSessionAfterIt() throws Exception {
        String rcpt = recipient();
        try (SmtpTestClient client = connect("127.0.7.1")) {
            startTlsBehindAPendingMailFrom(client);

            assertThat(client.readReply().text()).contains("Sender <a@slowmember");
            assertThat(client.readReply().code()).isEqualTo(220);
            client.startTlsHandshake();
            assertThat(client.isTls()).isTrue();
            assertThat(client.ehlo("peer.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(rcpt).code()).as("STARTTLS reset the transaction").isEqualTo(503);
            assertThat(client.mailFrom("b@unlisted.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(rcpt).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message(message("b@unlisted.example")).code()).isEqualTo(250);
        }
        MimeMessage delivered = james.awaitInbox(rcpt, 1, Duration.ofSeconds(30)).get(0);
        assertThat(delivered.getHeader("Return-Path")[0]).contains("b@unlisted.example");
    }

    /**
     * The STARTTLS command injection of RFC 3207 section 5 (plaintext sent after STARTTLS, then taken as sent under
     * TLS) stays closed while the gate holds lines: James's framer, in front of the gate, refuses any line after a
     * STARTTLS it framed, so no held line can follow one.
     */
    @Test
    void aCommandSentInPlaintextAfterAHeldStartTlsIsNeverExecuted() throws Exception {
        String rcpt = recipient();
        try (SmtpTestClient client = connect("127.0.7.2")) {
            startTlsBehindAPendingMailFrom(client);
            Thread.sleep(300);
            client.writeLine("RCPT TO:<" + rcpt + ">");

            assertThat(client.readReply().text()).contains("Sender <a@slowmember");
            List<SmtpReply> after = new ArrayList<>();
            assertThatThrownBy(() -> {
                while (true) {
                    after.add(client.readReply());
                }
            }).as("the server closes the connection").isInstanceOf(EOFException.class);
            assertThat(after).extracting(SmtpReply::code).as("neither STARTTLS nor RCPT was carried out")
                .allSatisfy(code -> assertThat(code).isBetween(400, 499));
        }
        try (SmtpTestClient client = connect("127.0.7.3")) {
            client.writeRaw("MAIL FROM:<b@unlisted.example>\r\nSTARTTLS\r\n".getBytes());

            SmtpReply refused = client.readReply();
            assertThat(refused.code()).as("read together, even STARTTLS pipelined last is refused").isEqualTo(451);
            assertThat(refused.text()).isEqualTo("Unable to process request");
            assertThatThrownBy(client::readReply).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aClientOverItsBoundGets451AtOnceAndNothingIsAskedForIt() throws Exception {
        try (SmtpTestClient warm = connect("127.0.5.9")) {
            assertThat(warm.mailFrom("x@unlisted.example").code()).as("its answer now cached").isEqualTo(250);
        }
        List<SmtpTestClient> clients = new ArrayList<>();
        try {
            // the two places held for 9 s (below dns.timeout): the flood below must end long before
            for (int i = 0; i < 2; i++) {
                SmtpTestClient client = connect("127.0.5.1");
                assertThat(client.mailFrom("x@" + slowMembershipDomain(Duration.ofSeconds(9))).code())
                    .isEqualTo(250);
                clients.add(client);
            }
            SmtpTestClient third = connect("127.0.5.1");
            clients.add(third);
            long start = System.nanoTime();
            String refusedDomain = slowMembershipDomain();
            SmtpReply refused = third.mailFrom("x@" + refusedDomain);

            assertThat(refused.code()).isEqualTo(451);
            assertThat(refused.text()).startsWith("4.7.0 ");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SLOW.dividedBy(2));

            // fresh names by the line, as an attacker controlling a slow zone would send them: nothing is asked
            String slowZone = "slowzone" + SEQUENCE.incrementAndGet() + ".test";
            dns.faultBelow(slowZone, Fault.delay(SLOW));
            StringBuilder flood = new StringBuilder();
            List<String> floodDomains = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String domain = "f" + i + "." + slowZone;
                floodDomains.add(domain);
                flood.append("MAIL FROM:<x@").append(domain).append(">\r\n");
            }
            third.writeRaw(flood.toString().getBytes());
            for (int i = 0; i < floodDomains.size(); i++) {
                assertThat(third.readReply().code()).isEqualTo(451);
            }
            assertThat(third.mailFrom("y@unlisted.example").code()).as("what the cache answers stays open")
                .isEqualTo(250);
            assertThat(dns.queryCount("tes-master." + refusedDomain, Type.CNAME)).isZero();
            assertThat(floodDomains).allSatisfy(domain ->
                assertThat(dns.queryCount("tes-master." + domain, Type.CNAME)).as(domain).isZero());

            try (SmtpTestClient otherAddress = connect("127.0.5.2")) {
                String domain = slowMembershipDomain();
                assertThat(otherAddress.mailFrom("x@" + domain).code()).isEqualTo(250);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (dns.queryCount("tes-master." + domain, Type.CNAME) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(dns.queryCount("tes-master." + domain, Type.CNAME)).as("another client is looked up")
                    .isEqualTo(1);
            }
        } finally {
            clients.forEach(SmtpTestClient::close);
        }
    }

    @Test
    void aLineLongerThanJamesLimitInDataGetsExactlyOneReply() throws Exception {
        String rcpt = recipient();
        try (SmtpTestClient client = connect("127.0.6.1")) {
            assertThat(client.mailFrom("bob@unlisted.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(rcpt).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            SmtpReply reply = client.message(message("bob@unlisted.example") + "x".repeat(9000) + "\r\nafter\r\n");

            assertThat(reply.code()).isEqualTo(554);
            assertThat(reply.text()).isEqualTo("5.6.0 Message refused: a line is longer than 8192 octets");
            SmtpReply noop = client.noop();
            assertThat(noop.code()).as("the next reply belongs to the next command").isEqualTo(250);
            assertThat(noop.text()).doesNotContain("Line length");
        }
        assertThat(james.inbox(rcpt)).isEmpty();
    }
}
