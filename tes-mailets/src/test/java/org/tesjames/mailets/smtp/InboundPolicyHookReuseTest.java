package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.tes.TesMembershipZones;
import org.xbill.DNS.Type;

/**
 * A connection that sends several messages from one domain asks for its membership once, for as long as the
 * verdict's TTL allows: the hook over a resolver without a DNS cache, so that every lookup reaches the DNS server
 * and is counted there. Plaintext sessions: a member is refused at RCPT ({@code 550}), a non-member accepted
 * ({@code DECLINED}), a lookup failure deferred ({@code 451}).
 */
class InboundPolicyHookReuseTest {
    private TestDnsServer dns;
    private TesMembershipZones zones;
    private RecordingMetricFactory metrics;
    private InboundPolicyHook hook;

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.start();
        zones = new TesMembershipZones(dns);
        metrics = new RecordingMetricFactory();
        MembershipResolver resolver = new MembershipResolver(
            DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0), TesMembershipZones.REGISTRY_ROOT);
        hook = new InboundPolicyHook(resolver, TesSettings.defaults(), metrics, new PendingSessions(10, 2, metrics));
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    @Test
    void aConnectionAsksOnceForTheDomainOfItsSenders() throws Exception {
        zones.member("a.example", "m.example");
        Connection connection = new Connection();

        assertThat(connection.transaction("alice@a.example").getSmtpRetCode()).isEqualTo("550");
        assertThat(connection.transaction("bob@a.example").getSmtpRetCode()).isEqualTo("550");
        assertThat(connection.transaction("carol@A.EXAMPLE").getSmtpRetCode()).isEqualTo("550");

        assertThat(masterQueries("a.example")).isEqualTo(1);
        assertThat(metrics.countFor("tes.inbound.membership.reused")).isEqualTo(2);
    }

    @Test
    void anotherDomainAndAnotherConnectionAreLookedUp() throws Exception {
        zones.member("a.example", "m.example");
        dns.zone("b.example").a("www", "192.0.2.9"); // a zone without tes-master: NXDOMAIN, not a member
        Connection connection = new Connection();
        connection.transaction("alice@a.example");

        assertThat(connection.transaction("alice@b.example").getSmtpRetCode()).isNull(); // not a member: accepted
        assertThat(new Connection().transaction("alice@a.example").getSmtpRetCode()).isEqualTo("550");

        assertThat(masterQueries("a.example")).isEqualTo(2);
        assertThat(masterQueries("b.example")).isEqualTo(1);
        // only the last verdict is kept: a.example again after b.example is asked again
        assertThat(connection.transaction("alice@a.example").getSmtpRetCode()).isEqualTo("550");
        assertThat(masterQueries("a.example")).isEqualTo(3);
        assertThat(metrics.countFor("tes.inbound.membership.reused")).isZero();
    }

    @Test
    void aVerdictIsKeptNoLongerThanItsTtl() throws Exception {
        dns.zone("a.example").ttl(1);
        dns.zone("m.example").ttl(1);
        dns.zone(TesMembershipZones.REGISTRY_ROOT).ttl(1);
        zones.member("a.example", "m.example");
        Connection connection = new Connection();
        connection.transaction("alice@a.example");

        Thread.sleep(1200);
        assertThat(connection.transaction("alice@a.example").getSmtpRetCode()).isEqualTo("550");

        assertThat(masterQueries("a.example")).isEqualTo(2);
        assertThat(metrics.countFor("tes.inbound.membership.reused")).isZero();
    }

    @Test
    void aTemporaryFailureIsNotKept() throws Exception {
        zones.member("a.example", "m.example");
        dns.fault("tes-master.a.example", Type.CNAME, Fault.servfail());
        Connection connection = new Connection();

        assertThat(connection.transaction("alice@a.example").getSmtpRetCode()).isEqualTo("451");
        dns.clearFaults();
        assertThat(connection.transaction("alice@a.example").getSmtpRetCode()).isEqualTo("550");

        assertThat(metrics.countFor("tes.inbound.membership.reused")).isZero();
    }

    private long masterQueries(String domain) {
        return dns.queryCount("tes-master." + domain, Type.CNAME);
    }

    /** One SMTP connection without TLS, a transaction per message. */
    private final class Connection {
        private final PlainSmtpConnection connection = new PlainSmtpConnection();

        /** MAIL FROM and one RCPT; the RCPT's result. Then the transaction ends (RSET). */
        HookResult transaction(String sender) throws Exception {
            MaybeSender from = MaybeSender.of(new MailAddress(sender));
            hook.doMail(connection.session, from);
            HookResult rcpt = hook.doRcpt(connection.session, from, new MailAddress("rcpt@local.test"));
            connection.endTransaction();
            return rcpt;
        }
    }
}
