package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.delivery.DeliveryPlanner;
import org.tesjames.core.dane.delivery.DeliveryPlans;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.sts.StsDeliveryRules;
import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.core.tlsrpt.TlsResultRecorder;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.Type;

/**
 * The planning of a destination by {@link DanePlanningDnsService} with MTA-STS on, over the test DNS server: the
 * MTA-STS and DANE lookups run at the same time (the server holds both delayed answers at once), and their verdicts
 * are those of the lookups made one after the other.
 */
class DanePlanningDnsServiceTest {
    private static final String DOMAIN = "overlap.test";
    private static final Duration ANSWER_DELAY = Duration.ofSeconds(3);
    private static final String POLICY = "version: STSv1\nmode: enforce\nmx: mx1.overlap.test\nmax_age: 86400\n";

    private TestDnsServer dns;
    private DnsClient client;
    private StsPolicies policies;
    private DanePlanningDnsService service;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        dns.zone(DOMAIN).mx("@", 10, "mx1").mx("@", 20, "mx2").a("mx1", "192.0.2.1").a("mx2", "192.0.2.2")
            .txt("_mta-sts", "v=STSv1; id=20261202;");
        client = DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(10), 0);
        policies = new StsPolicies(client, domain -> POLICY, Clock.systemUTC(), Duration.ofSeconds(10), 10);
        service = new DanePlanningDnsService(new UnusedJamesDns(), new DaneLookup(client), new RecordingMetricFactory(),
            TlsResultRecorder.NONE);
        service.configure(new DanePlanningDnsService.Settings(DeliveryPolicy.DANE_OPPORTUNISTIC, planner(), 25,
            Duration.ofSeconds(20), Optional.of(new DanePlanningDnsService.Sts(policies,
                new StsDeliveryRules(WebPkiTrust.jdk(), TlsVersion.TLS_V1_2)))));
    }

    @AfterEach
    void stop() {
        DeliveryPlans.clear();
        dns.close();
    }

    private static DeliveryPlanner planner() {
        return new DeliveryPlanner(TlsVersion.TLS_V1_2, new DaneVerifier(Clock.systemUTC()));
    }

    private void delayTheMxAndTheMtaStsAnswers() {
        dns.fault(DOMAIN, Type.MX, Fault.delay(ANSWER_DELAY));
        dns.fault("_mta-sts." + DOMAIN, Type.TXT, Fault.delay(ANSWER_DELAY));
    }

    @Test
    void theMtaStsAndDaneLookupsOfADestinationOverlap() {
        delayTheMxAndTheMtaStsAnswers();

        Collection<String> hosts = service.findMXRecords(DOMAIN);

        assertThat(dns.queryCount(DOMAIN, Type.MX)).isOne();
        assertThat(dns.queryCount("_mta-sts." + DOMAIN, Type.TXT)).isOne();
        assertThat(dns.peakDelayedAnswers()).as("both delayed queries were outstanding at once").isEqualTo(2);
        assertThat(hosts).containsExactly("mx1.overlap.test", "mx2.overlap.test");
        assertThat(DeliveryPlans.host("mx1.overlap.test")).map(HostPlan::action).hasValue(HostPlan.Action.STS_TLS);
        assertThat(DeliveryPlans.host("mx2.overlap.test")).map(HostPlan::action).hasValue(HostPlan.Action.REFUSE);
        assertThat(DeliveryPlans.host("mx2.overlap.test")).map(HostPlan::reason).hasValueSatisfying(reason ->
            assertThat(reason).contains("not listed in the MTA-STS policy"));
    }

    @Test
    void theServerTellsLookupsMadeOneAfterTheOtherFromOverlappingOnes() {
        delayTheMxAndTheMtaStsAnswers();

        policies.lookup(DOMAIN);
        OutboundPlanning.plan(new DaneLookup(client), planner(), DeliveryPolicy.DANE_OPPORTUNISTIC, DOMAIN,
            Duration.ofSeconds(20));

        assertThat(dns.queryCount(DOMAIN, Type.MX)).isOne();
        assertThat(dns.peakDelayedAnswers()).isOne();
    }

    @Test
    void aFailedMxLookupStillDefersTheDestinationUnderAnEnforcePolicy() {
        dns.fault(DOMAIN, Type.MX, Fault.servfail());

        Collection<String> hosts = service.findMXRecords(DOMAIN);

        assertThat(hosts).containsExactly(DOMAIN);
        assertThat(DeliveryPlans.host(DOMAIN)).map(HostPlan::action).hasValue(HostPlan.Action.REFUSE);
        assertThat(policies.cached(DOMAIN)).as("the policy was fetched all the same").isPresent();
    }

    /** James's DNS service, which planning a destination must not consult. */
    private static final class UnusedJamesDns implements DNSService {
        @Override
        public Collection<String> findMXRecords(String hostname) {
            throw new AssertionError("James's MX lookup used for " + hostname);
        }

        @Override
        public Collection<String> findTXTRecords(String hostname) {
            throw new AssertionError("James's TXT lookup used for " + hostname);
        }

        @Override
        public Collection<InetAddress> getAllByName(String host) {
            throw new AssertionError("James's address lookup used for " + host);
        }

        @Override
        public InetAddress getByName(String host) {
            throw new AssertionError("James's address lookup used for " + host);
        }

        @Override
        public InetAddress getLocalHost() {
            throw new AssertionError("James's local host used");
        }

        @Override
        public String getHostName(InetAddress addr) {
            throw new AssertionError("James's reverse lookup used for " + addr);
        }
    }
}
