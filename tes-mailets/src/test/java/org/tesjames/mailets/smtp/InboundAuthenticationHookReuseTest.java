package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tesjames.core.auth.MessageAuthenticator;
import org.tesjames.core.auth.SpfCheck;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dmarc.DmarcEvaluator;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.SpfResult;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.mailets.auth.InboundAuthentication;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.xbill.DNS.Type;

/**
 * A connection that sends several messages with one SMTP identity (client address, HELO, MAIL FROM) evaluates SPF
 * once, and discovers the DMARC policy of one Author Domain once, for as long as the shortest TTL of the answers
 * behind the result allows: the hook over a DNS client without a cache, so that every evaluation reaches the DNS
 * server and is counted there (the TXT query of the SPF record, of the {@code _dmarc} name).
 */
class InboundAuthenticationHookReuseTest {
    private TestDnsServer dns;
    private RecordingMetricFactory metrics;
    private InboundAuthenticationHook hook;

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        metrics = new RecordingMetricFactory();
        DnsClient client = DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0);
        InboundAuthentication authentication = new InboundAuthentication(new MessageAuthenticator(
            new DkimVerifier(client, Clock.systemUTC()), new SpfVerifier(client), new DmarcPolicyDiscovery(client),
            DmarcEvaluator.withRandom(new Random(1))), "mx.tes.test", Duration.ofSeconds(5), false, metrics);
        hook = new InboundAuthenticationHook(authentication, new MembershipResolver(client, "registry.test"),
            TesSettings.defaults(), metrics, new PendingSessions(10, 2, metrics));
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    @Test
    void aConnectionEvaluatesSpfOnceForTheSameIdentity() throws Exception {
        dns.zone("a.example").ttl(3600).txt("@", "v=spf1 ip4:192.0.2.1 -all");
        Connection connection = new Connection("mta.a.example");

        for (int i = 0; i < 3; i++) {
            SpfCheck check = connection.spf("alice@a.example");
            assertThat(check.result()).as(check.reason()).isEqualTo(SpfResult.PASS);
        }

        assertThat(dns.queryCount("a.example", Type.TXT)).isEqualTo(1);
        assertThat(metrics.countFor("tes.inbound.spf.reused")).isEqualTo(2);
    }

    @Test
    void anotherSenderAnotherHeloAndAnotherConnectionAreEvaluated() throws Exception {
        dns.zone("a.example").ttl(3600).txt("@", "v=spf1 ip4:192.0.2.1 -all");
        Connection connection = new Connection("mta.a.example");
        connection.spf("alice@a.example");

        connection.spf("bob@a.example"); // the l macro may differ: another identity
        new Connection("mta.a.example").spf("alice@a.example");
        new Connection("other.a.example").spf("alice@a.example");
        // only the last identity is kept: alice again after bob is evaluated again
        connection.spf("alice@a.example");

        assertThat(dns.queryCount("a.example", Type.TXT)).isEqualTo(5);
        assertThat(metrics.countFor("tes.inbound.spf.reused")).isZero();
    }

    @Test
    void aResultIsKeptNoLongerThanTheShortestTtlBehindIt() throws Exception {
        dns.zone("a.example").ttl(3600).txt("@", "v=spf1 include:_spf.b.example -all");
        dns.zone("b.example").ttl(1).txt("_spf", "v=spf1 ip4:192.0.2.1 -all");
        Connection connection = new Connection("mta.a.example");
        assertThat(connection.spf("alice@a.example").result()).isEqualTo(SpfResult.PASS);

        Thread.sleep(1200);
        assertThat(connection.spf("alice@a.example").result()).isEqualTo(SpfResult.PASS);

        assertThat(dns.queryCount("_spf.b.example", Type.TXT)).isEqualTo(2);
        assertThat(metrics.countFor("tes.inbound.spf.reused")).isZero();
    }

    @Test
    void aTemporaryErrorIsNotKept() throws Exception {
        dns.zone("a.example").ttl(3600).txt("@", "v=spf1 ip4:192.0.2.1 -all");
        dns.fault("a.example", Type.TXT, Fault.servfail());
        Connection connection = new Connection("mta.a.example");

        assertThat(connection.spf("alice@a.example").result()).isEqualTo(SpfResult.TEMPERROR);
        dns.clearFaults();
        assertThat(connection.spf("alice@a.example").result()).isEqualTo(SpfResult.PASS);
        assertThat(connection.spf("alice@a.example").result()).isEqualTo(SpfResult.PASS);

        assertThat(metrics.countFor("tes.inbound.spf.reused")).isEqualTo(1);
    }

    @Test
    void aConnectionDiscoversTheDmarcPolicyOfAnAuthorDomainOnce() throws Exception {
        dns.zone("a.example").ttl(3600).txt("_dmarc", "v=DMARC1; p=reject");
        dns.zone("b.example").ttl(3600).txt("_dmarc", "v=DMARC1; p=none");
        Connection connection = new Connection("mta.a.example");

        connection.header("alice@a.example", "a.example");
        connection.header("bob@a.example", "a.example");
        connection.header("alice@a.example", "b.example");
        connection.header("alice@a.example", "b.example");
        new Connection("mta.a.example").header("alice@a.example", "b.example");

        assertThat(dns.queryCount("_dmarc.a.example", Type.TXT)).isEqualTo(1);
        assertThat(dns.queryCount("_dmarc.b.example", Type.TXT)).isEqualTo(2);
        assertThat(metrics.countFor("tes.inbound.dmarc-policy.reused")).isEqualTo(2);
    }

    @Test
    void aDmarcPolicyIsKeptNoLongerThanItsTtlAndATemporaryErrorNotAtAll() throws Exception {
        dns.zone("a.example").ttl(1).txt("_dmarc", "v=DMARC1; p=reject");
        dns.zone("b.example").ttl(3600).txt("_dmarc", "v=DMARC1; p=none");
        dns.fault("_dmarc.b.example", Type.TXT, Fault.servfail());
        Connection connection = new Connection("mta.a.example");
        connection.header("alice@a.example", "a.example");
        Thread.sleep(1200);
        connection.header("alice@a.example", "a.example");

        connection.header("alice@a.example", "b.example");
        connection.header("alice@a.example", "b.example");

        assertThat(dns.queryCount("_dmarc.a.example", Type.TXT)).isEqualTo(2);
        // a temporary error is asked again within the message (at the end of DATA), and never kept for the next
        assertThat(dns.queryCount("_dmarc.b.example", Type.TXT)).isEqualTo(4);
        assertThat(metrics.countFor("tes.inbound.dmarc-policy.reused")).isZero();
    }

    /** One SMTP connection from 192.0.2.1 after HELO, a transaction per message. */
    private final class Connection {
        private final PlainSmtpConnection connection = new PlainSmtpConnection();
        private final SMTPSession session = connection.session;

        Connection(String helo) {
            connection.state(ProtocolSession.State.Connection).put(SMTPSession.CURRENT_HELO_NAME, helo);
        }

        /**
         * MAIL FROM, then a message from {@code author} (the DMARC policy lookup starts at the empty line that ends
         * its header), then its end: the authentication the line ending DATA waits for. Then the transaction ends
         * (RSET).
         */
        void header(String sender, String author) throws Exception {
            hook.doMail(session, MaybeSender.of(new MailAddress(sender)));
            for (String line : List.of("From: <someone@" + author + ">\r\n", "Subject: hello\r\n", "\r\n")) {
                hook.onLine(session, line.getBytes(StandardCharsets.US_ASCII), (s, l) -> null);
            }
            assertThat(transaction().prefetched).as("the header is complete").isNotNull();
            hook.startAuthentication(session).get(10, TimeUnit.SECONDS); // the end of DATA waits for it
            connection.endTransaction();
        }

        /** MAIL FROM, then the SPF result the transaction authenticates with. Then the transaction ends (RSET). */
        SpfCheck spf(String sender) throws Exception {
            hook.doMail(session, MaybeSender.of(new MailAddress(sender)));
            InboundAuthenticationHook.Transaction transaction = transaction();
            connection.endTransaction();
            return transaction.spf.get(10, TimeUnit.SECONDS);
        }

        private InboundAuthenticationHook.Transaction transaction() {
            return connection.state(ProtocolSession.State.Transaction).values().stream()
                .filter(InboundAuthenticationHook.Transaction.class::isInstance)
                .map(InboundAuthenticationHook.Transaction.class::cast).findFirst().orElseThrow();
        }
    }
}
