package org.tesjames.it.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.SigningMembers;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tes.TesMembershipZones.Chain;
import org.xbill.DNS.Type;

/**
 * The shipped processor-chain variant (james-conf/src/main/variants/chain) through a real James: the inbound
 * listener accepts, then the chain enforces the TES server policy, stamps X-TES-Status, rejects with a DSN,
 * and parks mail whose membership lookup failed until the DNS recovers (TesDefer), bouncing it when too old.
 */
class ChainVariantTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    private static final String PASSWORD = "secret-Pa55";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @RegisterExtension
    static TesJamesExtension extension = TesJamesExtension.variant("chain", conf -> conf
        .modify("tes.properties", text -> text + "\ndns.timeout=2s\ndns.retries=0\ndns.cache.failure-hold-down=0s\n")
        .replace("mailetcontainer.xml", "<repository>memory://var/mail/tes-deferred/</repository>",
            "<repository>memory://var/mail/tes-deferred/</repository>\n"
                + "                <delays>1s</delays>\n"
                + "                <checkInterval>500ms</checkInterval>\n"
                + "                <maxAge>8s</maxAge>"));

    private static TesJamesServer james;
    private static TestDnsServer dns;
    private static TesMembershipZones zones;
    /** Members that DKIM-sign their mail ({@link #send} signs it), as members must. */
    private static SigningMembers members;

    @BeforeAll
    static void setUp() {
        james = extension.james();
        dns = extension.dns();
        zones = new TesMembershipZones(dns);
        members = new SigningMembers(dns);
    }

    private static String newRecipient() throws Exception {
        String user = "rcpt" + SEQUENCE.incrementAndGet() + "@tes.test";
        james.addUser(user, PASSWORD);
        return user;
    }

    private static void send(String sender, String recipient, boolean tls, String headers) throws Exception {
        SmtpTestClient.Builder builder = SmtpTestClient.builder("127.0.0.1", james.inboundPort()).trustAll();
        try (SmtpTestClient client = builder.connect()) {
            client.ehlo("peer.example");
            if (tls) {
                assertThat(client.starttls().code()).isEqualTo(220);
                client.ehlo("peer.example");
            }
            assertThat(client.mailFrom(sender).code()).isEqualTo(250);
            assertThat(client.rcptTo(recipient).code()).as("accepted at SMTP time").isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            String from = headers.startsWith("From: ") ? "" : "From: " + sender + "\r\n";
            String message = headers + from + "Subject: chain\r\nMessage-ID: <chain"
                + SEQUENCE.incrementAndGet() + "@tes.test>\r\n\r\nbody\r\n";
            assertThat(client.message(members.sign(sender, message)).code()).isEqualTo(250);
        }
    }

    @Test
    void aSigningMemberOverTlsIsDeliveredAuthenticatedAndStampedMember() throws Exception {
        int n = SEQUENCE.incrementAndGet();
        members.add("cm" + n + ".test", "m" + n + ".master.test");
        String rcpt = newRecipient();

        send("alice@cm" + n + ".test", rcpt, true, "X-TES-Status: non-member\r\n");

        MimeMessage message = james.awaitInbox(rcpt, 1, DELIVERY).get(0);
        assertThat(message.getHeader("X-TES-Status")).containsExactly("member");
        assertThat(message.getHeader("Authentication-Results")).singleElement().asString()
            .contains("dkim=pass").contains("header.d=cm" + n + ".test");
    }

    @Test
    void anUnsignedMemberIsRejectedAfterAcceptanceWithTheReasonInTheDsn() throws Exception {
        int n = SEQUENCE.incrementAndGet();
        String domain = "unsigned" + n + ".test";
        zones.member(domain, "m" + n + ".master.test");
        james.addUser("alice@" + domain, PASSWORD);
        String rcpt = newRecipient();

        send("alice@" + domain, rcpt, true, "");

        MimeMessage dsn = james.awaitInbox("alice@" + domain, 1, DELIVERY).get(0);
        assertThat(new String(dsn.getInputStream().readAllBytes()))
            .containsPattern("The message is not DKIM signed by policy of " + domain + " \\(<chain\\d+@tes.test>\\)");
        assertThat(james.inbox(rcpt)).isEmpty();
    }

    @Test
    void aSigningMemberFailingDmarcRejectIsRejectedAfterAcceptance() throws Exception {
        int n = SEQUENCE.incrementAndGet();
        String domain = "dmarc" + n + ".test";
        members.add(domain, "m" + n + ".master.test");
        dns.zone("brand" + n + ".test").txt("_dmarc", "v=DMARC1; p=reject");
        james.addUser("alice@" + domain, PASSWORD);
        String rcpt = newRecipient();

        send("alice@" + domain, rcpt, true, "From: ceo@brand" + n + ".test\r\n");

        MimeMessage dsn = james.awaitInbox("alice@" + domain, 1, DELIVERY).get(0);
        assertThat(new String(dsn.getInputStream().readAllBytes()))
            .contains("The message violates the DMARC policy of " + domain);
        assertThat(james.inbox(rcpt)).isEmpty();
    }

    @Test
    void aNonMemberOverPlaintextIsDeliveredAndAForgedStatusRemoved() throws Exception {
        String rcpt = newRecipient();

        send("bob@unlisted.example", rcpt, false, "X-TES-Status: member\r\n");

        assertThat(james.awaitInbox(rcpt, 1, DELIVERY).get(0).getHeader("X-TES-Status"))
            .containsExactly("non-member");
    }

    @Test
    void aMemberOverPlaintextIsRejectedAfterAcceptanceWithADsnToTheSender() throws Exception {
        int n = SEQUENCE.incrementAndGet();
        String domain = "local" + n + ".test";
        zones.member(domain, "m" + n + ".master.test");
        james.addUser("alice@" + domain, PASSWORD);
        String rcpt = newRecipient();

        send("alice@" + domain, rcpt, false, "");

        MimeMessage dsn = james.awaitInbox("alice@" + domain, 1, DELIVERY).get(0);
        assertThat(new String(dsn.getInputStream().readAllBytes())).contains("Member is not TES compliant");
        assertThat(james.inbox(rcpt)).isEmpty();
    }

    @Test
    void aLookupFailureParksTheMailUntilTheDnsRecovers() throws Exception {
        int n = SEQUENCE.incrementAndGet();
        Chain chain = members.add("cd" + n + ".test", "m" + n + ".master.test");
        String rcpt = newRecipient();
        dns.fault(chain.memberOfMaster(), Type.TXT, Fault.servfail());

        send("alice@cd" + n + ".test", rcpt, true, "");
        Thread.sleep(2_500); // a few defer cycles while the DNS fails
        assertThat(james.inbox(rcpt)).as("parked while the DNS fails").isEmpty();
        long queriesWhileFailing = dns.queryCount(chain.memberOfMaster(), Type.TXT);
        assertThat(queriesWhileFailing).as("retried later, but not in a hot loop").isBetween(1L, 10L);

        dns.clearFault(chain.memberOfMaster(), Type.TXT);

        List<MimeMessage> delivered = james.awaitInbox(rcpt, 1, DELIVERY);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).getHeader("X-TES-Status")).containsExactly("member");
    }

    @Test
    void aMailParkedLongerThanMaxAgeIsBouncedToTheSender() throws Exception {
        int n = SEQUENCE.incrementAndGet();
        String domain = "expire" + n + ".test";
        Chain chain = zones.member(domain, "m" + n + ".master.test");
        james.addUser("alice@" + domain, PASSWORD);
        String rcpt = newRecipient();
        dns.fault(chain.tesMaster(), Type.CNAME, Fault.servfail());

        send("alice@" + domain, rcpt, true, "");

        MimeMessage bounce = james.awaitInbox("alice@" + domain, 1, Duration.ofSeconds(40)).get(0);
        assertThat(new String(bounce.getInputStream().readAllBytes())).containsIgnoringCase("TES");
        assertThat(james.inbox(rcpt)).isEmpty();
    }
}
