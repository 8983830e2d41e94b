package org.tesjames.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.MutableClock;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tes.TesMembershipZones.Chain;
import org.xbill.DNS.Type;

/** The membership resolver over the real DNS client and cache, against the test DNS server. */
class MembershipOverDnsTest {
    private TestDnsServer dns;
    private MutableClock clock;
    private MembershipResolver resolver;
    private Chain chain;

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        DnsJavaClient upstream = DnsJavaClient.create(List.of(new InetSocketAddress(dns.host(), dns.port())),
            Duration.ofSeconds(2), 0);
        resolver = new MembershipResolver(CachingDnsClient.builder(upstream).clock(clock).build(),
            TesMembershipZones.REGISTRY_ROOT);
        dns.zone("example.com").ttl(600);
        chain = new TesMembershipZones(dns).member("example.com", "master.example.net");
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private long chainQueries() {
        return dns.queryCount(chain.tesMaster(), Type.CNAME) + dns.queryCount(chain.memberOfMaster(), Type.TXT)
            + dns.queryCount(chain.masterInRegistry(), Type.TXT);
    }

    private MembershipVerdict resolve() {
        return resolver.resolveWithin("example.com", Duration.ofSeconds(10));
    }

    @Test
    void aWarmVerdictCostsNoQuery() {
        assertThat(resolve()).isInstanceOf(MembershipVerdict.Member.class);
        assertThat(chainQueries()).isEqualTo(3);

        assertThat(resolve()).isInstanceOf(MembershipVerdict.Member.class);
        assertThat(chainQueries()).isEqualTo(3);
    }

    @Test
    void twoHundredConcurrentFirstLookupsCostOneQueryPerStep() {
        dns.fault(chain.tesMaster(), Type.CNAME, Fault.delay(Duration.ofMillis(300)));

        List<CompletableFuture<MembershipVerdict>> lookups = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            CompletionStage<MembershipVerdict> lookup = resolver.resolve("example.com");
            lookups.add(lookup.toCompletableFuture());
        }
        CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).join();

        assertThat(lookups).allSatisfy(lookup -> assertThat(lookup.join()).isInstanceOf(MembershipVerdict.Member.class));
        assertThat(dns.queryCount(chain.tesMaster(), Type.CNAME)).isEqualTo(1);
        assertThat(dns.queryCount(chain.memberOfMaster(), Type.TXT)).isEqualTo(1);
        assertThat(dns.queryCount(chain.masterInRegistry(), Type.TXT)).isEqualTo(1);
    }

    @Test
    void theVerdictTtlIsTheSmallestOfTheChainAndItsExpiryTriggersARefresh() {
        MembershipVerdict first = resolve();
        assertThat(first).isInstanceOfSatisfying(MembershipVerdict.Member.class,
            member -> assertThat(member.ttl()).isEqualTo(Duration.ofSeconds(600)));

        clock.advance(Duration.ofSeconds(601));
        dns.zone("example.com").remove("tes-master", Type.CNAME);

        assertThat(resolve()).isInstanceOfSatisfying(MembershipVerdict.NotMember.class,
            notMember -> assertThat(notMember.step()).isEqualTo(Step.TES_MASTER));
        assertThat(dns.queryCount(chain.tesMaster(), Type.CNAME)).isEqualTo(2);
    }

    @Test
    void aCnameLoopAtTheMemberStepIsATemporaryFailureNotNotAMember() {
        dns.zone("master.example.net").remove("example.com.tes-member", Type.TXT)
            .cname("example.com.tes-member", "loop.master.example.net.")
            .cname("loop", "example.com.tes-member.master.example.net.");

        assertThat(resolve()).isInstanceOfSatisfying(MembershipVerdict.TemporaryFailure.class,
            failure -> assertThat(failure.step()).isEqualTo(Step.MEMBER_OF_MASTER));
    }
}
