package org.tesjames.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tesjames.core.dns.CannedResolver;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dns.DnsResult.Failure.Kind;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class MembershipResolverTest {
    private static final String MASTER_QUERY = "tes-master.example.com.";
    private static final String MEMBER_QUERY = "example.com.tes-member.master.example.net.";
    private static final String REGISTRY_QUERY = "master.example.net.tes-member.trusted-email-services.com.";

    /** Answers from a table; anything not in it is NXDOMAIN. Records every query. */
    static final class TableDns implements DnsClient {
        final Map<String, DnsResult> table = new ConcurrentHashMap<>();
        final List<String> queries = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<DnsResult> query(Name name, int type) {
            String key = name + "/" + Type.string(type);
            queries.add(key);
            return CompletableFuture.completedFuture(table.getOrDefault(key,
                new DnsResult.NxDomain(name, type, Duration.ofSeconds(300), false)));
        }

        TableDns put(String name, int type, DnsResult result) {
            table.put(name + "/" + Type.string(type), result);
            return this;
        }
    }

    private static Name name(String text) {
        return Name.fromConstantString(text);
    }

    private static DnsResult cname(String owner, String target, long ttl) {
        return new DnsResult.Answer(name(owner), Type.CNAME,
            List.of(new CNAMERecord(name(owner), DClass.IN, ttl, name(target))), Duration.ofSeconds(ttl), false);
    }

    private static DnsResult txt(String owner, long ttl) {
        return new DnsResult.Answer(name(owner), Type.TXT,
            List.of(new TXTRecord(name(owner), DClass.IN, ttl, "member")), Duration.ofSeconds(ttl), false);
    }

    private static TableDns memberChain() {
        return new TableDns()
            .put(MASTER_QUERY, Type.CNAME, cname(MASTER_QUERY, "master.example.net.", 3600))
            .put(MEMBER_QUERY, Type.TXT, txt(MEMBER_QUERY, 600))
            .put(REGISTRY_QUERY, Type.TXT, txt(REGISTRY_QUERY, 1800));
    }

    private static MembershipVerdict resolve(DnsClient dns, String domain) {
        return new MembershipResolver(dns, MembershipResolver.DEFAULT_REGISTRY_ROOT)
            .resolve(domain).toCompletableFuture().join();
    }

    @Test
    void aDomainWhoseChainHoldsIsAMemberWithTheSmallestTtlOfTheChain() {
        MembershipVerdict verdict = resolve(memberChain(), "example.com");

        assertThat(verdict).isEqualTo(new MembershipVerdict.Member("example.com", name("master.example.net."),
            Duration.ofSeconds(600)));
    }

    @Test
    void normalisesCaseTrailingDotAndIdnBeforeQuerying() {
        TableDns dns = memberChain();
        assertThat(resolve(dns, "Example.COM.")).isInstanceOf(MembershipVerdict.Member.class);

        TableDns idn = new TableDns();
        resolve(idn, "bücher.example");
        assertThat(idn.queries).containsExactly("tes-master.xn--bcher-kva.example./CNAME");
    }

    @Test
    void usesTheConfiguredRegistryRoot() {
        TableDns dns = memberChain()
            .put("master.example.net.tes-member.registry.test.", Type.TXT,
                txt("master.example.net.tes-member.registry.test.", 60));

        MembershipVerdict verdict = new MembershipResolver(dns, "registry.test").resolve("example.com")
            .toCompletableFuture().join();

        assertThat(verdict).isInstanceOf(MembershipVerdict.Member.class);
        assertThat(dns.queries).contains("master.example.net.tes-member.registry.test./TXT");
    }

    @Nested
    class NotAMember {
        @Test
        void whenTesMasterDoesNotExist() {
            MembershipVerdict verdict = resolve(new TableDns(), "example.com");

            assertThat(verdict).isInstanceOfSatisfying(MembershipVerdict.NotMember.class, notMember -> {
                assertThat(notMember.step()).isEqualTo(Step.TES_MASTER);
                assertThat(notMember.reason()).contains("NXDOMAIN");
                assertThat(notMember.ttl()).isEqualTo(Duration.ofSeconds(300));
            });
        }

        @Test
        void whenTesMasterHasNoCname() {
            TableDns dns = new TableDns().put(MASTER_QUERY, Type.CNAME,
                new DnsResult.NoData(name(MASTER_QUERY), Type.CNAME, Duration.ofSeconds(60), false));

            assertThat(resolve(dns, "example.com")).isInstanceOfSatisfying(MembershipVerdict.NotMember.class,
                notMember -> assertThat(notMember.reason()).contains("no record"));
        }

        @Test
        void whenTheMasterDoesNotVouchForTheDomain() {
            TableDns dns = memberChain();
            dns.table.remove(MEMBER_QUERY + "/TXT");

            assertThat(resolve(dns, "example.com")).isInstanceOfSatisfying(MembershipVerdict.NotMember.class,
                notMember -> assertThat(notMember.step()).isEqualTo(Step.MEMBER_OF_MASTER));
        }

        @Test
        void whenTheRegistryDoesNotListTheMaster() {
            TableDns dns = memberChain().put(REGISTRY_QUERY, Type.TXT,
                new DnsResult.NoData(name(REGISTRY_QUERY), Type.TXT, Duration.ofSeconds(30), false));

            assertThat(resolve(dns, "example.com")).isInstanceOfSatisfying(MembershipVerdict.NotMember.class,
                notMember -> {
                    assertThat(notMember.step()).isEqualTo(Step.MASTER_IN_REGISTRY);
                    assertThat(notMember.ttl()).isEqualTo(Duration.ofSeconds(30));
                });
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "localhost", "[192.0.2.1]", "exa mple.com", "-bad.example", "a..example",
            "under_score.example"})
        void whenTheDomainIsInvalidWithoutAnyQuery(String domain) {
            TableDns dns = new TableDns();

            assertThat(resolve(dns, domain)).isInstanceOfSatisfying(MembershipVerdict.NotMember.class,
                notMember -> assertThat(notMember.step()).isEqualTo(Step.DOMAIN_SYNTAX));
            assertThat(dns.queries).isEmpty();
        }

        @Test
        void whenOneStepSaysNoWhileTheOtherFailsTemporarily() {
            TableDns dns = memberChain()
                .put(MEMBER_QUERY, Type.TXT, new DnsResult.Failure(name(MEMBER_QUERY), Type.TXT, Kind.TIMEOUT, "x"))
                .put(REGISTRY_QUERY, Type.TXT,
                    new DnsResult.NxDomain(name(REGISTRY_QUERY), Type.TXT, Duration.ofSeconds(60), false));

            assertThat(resolve(dns, "example.com")).isInstanceOfSatisfying(MembershipVerdict.NotMember.class,
                notMember -> assertThat(notMember.step()).isEqualTo(Step.MASTER_IN_REGISTRY));
        }
    }

    @Nested
    class TemporaryFailure {
        @ParameterizedTest
        @EnumSource(Kind.class)
        void atTheTesMasterStep(Kind kind) {
            TableDns dns = new TableDns().put(MASTER_QUERY, Type.CNAME,
                new DnsResult.Failure(name(MASTER_QUERY), Type.CNAME, kind, "server 127.0.0.1:53"));

            assertThat(resolve(dns, "example.com")).isInstanceOfSatisfying(MembershipVerdict.TemporaryFailure.class,
                failure -> {
                    assertThat(failure.step()).isEqualTo(Step.TES_MASTER);
                    assertThat(failure.reason()).contains(kind.name()).contains("server 127.0.0.1:53");
                });
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void atTheMemberStep(Kind kind) {
            TableDns dns = memberChain()
                .put(MEMBER_QUERY, Type.TXT, new DnsResult.Failure(name(MEMBER_QUERY), Type.TXT, kind, "d"));

            assertThat(resolve(dns, "example.com")).isInstanceOfSatisfying(MembershipVerdict.TemporaryFailure.class,
                failure -> assertThat(failure.step()).isEqualTo(Step.MEMBER_OF_MASTER));
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void atTheRegistryStep(Kind kind) {
            TableDns dns = memberChain()
                .put(REGISTRY_QUERY, Type.TXT, new DnsResult.Failure(name(REGISTRY_QUERY), Type.TXT, kind, "d"));

            assertThat(resolve(dns, "example.com")).isInstanceOfSatisfying(MembershipVerdict.TemporaryFailure.class,
                failure -> assertThat(failure.step()).isEqualTo(Step.MASTER_IN_REGISTRY));
        }
    }

    /**
     * A CNAME chain at step 2 or 3 that loops or is too long is a DNS failure: a temporary failure of the
     * membership, never "not a member" (the real client, over a resolver giving such NOERROR answers).
     */
    @Nested
    class BrokenCnameChains {
        private MembershipVerdict resolveOver(java.util.function.BiConsumer<org.xbill.DNS.Message,
            org.xbill.DNS.Message> memberStepAnswer) {
            CannedResolver resolver = new CannedResolver((query, response) -> {
                Name q = query.getQuestion().getName();
                if (query.getQuestion().getType() == Type.CNAME) {
                    response.addRecord(new CNAMERecord(q, DClass.IN, 60, name("master.example.net.")),
                        org.xbill.DNS.Section.ANSWER);
                } else if (q.equals(name(MEMBER_QUERY))) {
                    memberStepAnswer.accept(query, response);
                } else {
                    response.addRecord(new TXTRecord(q, DClass.IN, 60, "member"), org.xbill.DNS.Section.ANSWER);
                }
            });
            return new MembershipResolver(DnsJavaClient.overResolvers(List.of(resolver.upstream()), 0),
                MembershipResolver.DEFAULT_REGISTRY_ROOT).resolveWithin("example.com", Duration.ofSeconds(10));
        }

        @Test
        void aCnameLoopIsATemporaryFailureNotNotAMember() {
            MembershipVerdict verdict = resolveOver((query, response) -> {
                response.addRecord(new CNAMERecord(name(MEMBER_QUERY), DClass.IN, 60, name("loop.example.net.")),
                    org.xbill.DNS.Section.ANSWER);
                response.addRecord(new CNAMERecord(name("loop.example.net."), DClass.IN, 60, name(MEMBER_QUERY)),
                    org.xbill.DNS.Section.ANSWER);
            });

            assertThat(verdict).isInstanceOfSatisfying(MembershipVerdict.TemporaryFailure.class, failure -> {
                assertThat(failure.step()).isEqualTo(Step.MEMBER_OF_MASTER);
                assertThat(failure.reason()).contains("CNAME_LOOP");
            });
        }

        @Test
        void aCnameChainLongerThanTheClientFollowsIsATemporaryFailureNotNotAMember() {
            MembershipVerdict verdict = resolveOver((query, response) -> {
                Name owner = name(MEMBER_QUERY);
                for (int i = 0; i <= DnsJavaClient.MAX_CNAME_CHAIN; i++) {
                    Name target = name("c" + i + ".example.net.");
                    response.addRecord(new CNAMERecord(owner, DClass.IN, 60, target), org.xbill.DNS.Section.ANSWER);
                    owner = target;
                }
                response.addRecord(new TXTRecord(owner, DClass.IN, 60, "member"), org.xbill.DNS.Section.ANSWER);
            });

            assertThat(verdict).isInstanceOfSatisfying(MembershipVerdict.TemporaryFailure.class, failure ->
                assertThat(failure.reason()).contains("CNAME_CHAIN_TOO_LONG"));
        }
    }

    @Test
    void aLookupPastItsDeadlineIsATemporaryFailure() {
        DnsClient never = (name, type) -> new CompletableFuture<>();

        MembershipVerdict verdict = new MembershipResolver(never, MembershipResolver.DEFAULT_REGISTRY_ROOT)
            .resolveWithin("example.com", Duration.ofMillis(50));

        assertThat(verdict).isInstanceOfSatisfying(MembershipVerdict.TemporaryFailure.class,
            failure -> assertThat(failure.step()).isEqualTo(Step.DEADLINE));
    }

    @Test
    void stepsTwoAndThreeAreBothAskedOnceStepOneHasAnswered() {
        TableDns dns = memberChain();

        resolve(dns, "example.com");

        assertThat(dns.queries).containsExactly(MASTER_QUERY + "/CNAME", MEMBER_QUERY + "/TXT",
            REGISTRY_QUERY + "/TXT");
    }
}
