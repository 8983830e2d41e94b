package org.tesjames.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.Type;

/** {@code tes membership} end to end, against the test DNS server. */
class MembershipCommandTest {
    private static final String MASTER_QUERY = "tes-master.example.com.";
    private static final String MEMBER_QUERY = "example.com.tes-member.master.example.net.";
    private static final String REGISTRY_QUERY = "master.example.net.tes-member.trusted-email-services.com.";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Tes tes = new Tes(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    private TestDnsServer dns;

    @BeforeEach
    void startDnsWithAMemberChain() {
        dns = TestDnsServer.start();
        dns.zone("example.com").cname("tes-master", "master.example.net.");
        dns.zone("example.net").txt("example.com.tes-member.master", "ok");
        dns.zone("trusted-email-services.com").txt("master.example.net.tes-member", "ok");
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    private int membership(String... extra) {
        List<String> args = new ArrayList<>(List.of("membership"));
        args.addAll(List.of(extra));
        return tes.run(args);
    }

    private int membershipOf(String domain, String... options) {
        List<String> args = new ArrayList<>(List.of(domain, "--resolver", "127.0.0.1:" + dns.port()));
        args.addAll(List.of(options));
        return membership(args.toArray(String[]::new));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String verdictLine() {
        return output().lines().filter(line -> line.startsWith("verdict: ")).findFirst().orElse("");
    }

    @Nested
    class Member {
        @Test
        void printsTheThreeQueriesInChainOrderAndTheMasterAndExitsZero() {
            assertThat(membershipOf("example.com")).isEqualTo(Tes.OK);

            assertThat(output())
                .contains("query 1: " + MASTER_QUERY + " CNAME")
                .contains("query 2: " + MEMBER_QUERY + " TXT")
                .contains("query 3: " + REGISTRY_QUERY + " TXT")
                .contains("CNAME\tmaster.example.net.")
                .contains("\"ok\"")
                .contains("answer, ttl 3600 s");
            assertThat(output().indexOf("query 1:")).isLessThan(output().indexOf("query 2:"));
            assertThat(output().indexOf("query 2:")).isLessThan(output().indexOf("query 3:"));
            assertThat(verdictLine()).isEqualTo("verdict: member (master master.example.net., ttl 3600 s)");
            assertThat(errors()).isEmpty();
        }

        @Test
        void acceptsATrailingDotAndUpperCase() {
            assertThat(membershipOf("Example.COM.")).isEqualTo(Tes.OK);
        }

        @Test
        void usesTheGivenRegistryRoot() {
            dns.zone("registry.test").txt("master.example.net.tes-member", "ok");

            assertThat(membershipOf("example.com", "--registry-root", "registry.test")).isEqualTo(Tes.OK);
            assertThat(output()).contains("query 3: master.example.net.tes-member.registry.test. TXT");
        }
    }

    @Nested
    class NotAMember {
        @Test
        void withoutTesMasterNamesStepOneAndSendsNothingMore() {
            dns.zone("example.com").remove("tes-master", Type.CNAME);

            assertThat(membershipOf("example.com")).isEqualTo(Tes.FAILED);

            assertThat(output()).contains("query 1: " + MASTER_QUERY + " CNAME").contains("NXDOMAIN, negative ttl 300 s")
                .doesNotContain("query 2:");
            assertThat(verdictLine()).startsWith("verdict: not a member (step CNAME tes-master.D, reason ")
                .contains("NXDOMAIN");
        }

        @Test
        void whenTheMasterDoesNotVouchForTheDomainNamesStepTwo() {
            dns.zone("example.net").remove("example.com.tes-member.master", Type.TXT);

            assertThat(membershipOf("example.com")).isEqualTo(Tes.FAILED);

            assertThat(output()).contains("query 2: " + MEMBER_QUERY + " TXT").contains("query 3: " + REGISTRY_QUERY);
            assertThat(verdictLine()).startsWith("verdict: not a member (step TXT D.tes-member.M, reason ");
        }

        @Test
        void whenTheRegistryDoesNotListTheMasterNamesStepThree() {
            dns.zone("trusted-email-services.com").remove("master.example.net.tes-member", Type.TXT);
            dns.zone("trusted-email-services.com").a("master.example.net.tes-member", "192.0.2.1");

            assertThat(membershipOf("example.com")).isEqualTo(Tes.FAILED);

            assertThat(output()).contains("query 3: " + REGISTRY_QUERY + " TXT").contains("NODATA, negative ttl 300 s");
            assertThat(verdictLine()).startsWith("verdict: not a member (step TXT M.tes-member.R, reason ");
        }

        @Test
        void anInvalidDomainGivesTheSyntaxReasonWithoutAnyQuery() {
            assertThat(membershipOf("exa_mple..com")).isEqualTo(Tes.FAILED);

            assertThat(output()).doesNotContain("query 1:");
            assertThat(verdictLine()).startsWith("verdict: not a member (step domain syntax, reason ")
                .contains("exa_mple..com");
            assertThat(dns.queryCount()).isZero();
        }
    }

    @Nested
    class TemporaryFailure {
        @Test
        void servfailAtTesMasterExitsTwoNamingStepOne() {
            dns.fault(MASTER_QUERY, Type.CNAME, Fault.servfail());

            assertThat(membershipOf("example.com")).isEqualTo(Tes.TEMPORARY_FAILURE);

            assertThat(output()).contains("failure SERVFAIL");
            assertThat(verdictLine()).startsWith("verdict: temporary failure (step CNAME tes-master.D, reason ");
        }

        @Test
        void servfailAtTheRegistryExitsTwoNamingStepThree() {
            dns.fault(REGISTRY_QUERY, Type.TXT, Fault.servfail());

            assertThat(membershipOf("example.com")).isEqualTo(Tes.TEMPORARY_FAILURE);

            assertThat(output()).contains("query 3: " + REGISTRY_QUERY + " TXT").contains("failure SERVFAIL");
            assertThat(verdictLine()).startsWith("verdict: temporary failure (step TXT M.tes-member.R, reason ");
        }

        @Test
        void aTimeoutAtTheMemberQueryExitsTwo() {
            dns.fault(MEMBER_QUERY, Type.TXT, Fault.noAnswer());

            assertThat(membershipOf("example.com", "--timeout", "2s")).isEqualTo(Tes.TEMPORARY_FAILURE);

            assertThat(output()).contains("timeout 2000 ms").contains("failure TIMEOUT");
            assertThat(verdictLine()).startsWith("verdict: temporary failure (step TXT D.tes-member.M, reason ");
        }
    }

    @Nested
    class UsageErrors {
        @Test
        void aMissingDomain() {
            assertThat(membership()).isEqualTo(Tes.USAGE);
            assertThat(errors()).startsWith("tes: membership needs a domain");
        }

        @Test
        void twoDomains() {
            assertThat(membership("example.com", "example.org")).isEqualTo(Tes.USAGE);
            assertThat(errors()).startsWith("tes: membership takes one domain, got 'example.com' and 'example.org'");
        }

        @Test
        void anUnknownOption() {
            assertThat(membership("example.com", "--verbose")).isEqualTo(Tes.USAGE);
            assertThat(errors()).startsWith("tes: unknown option '--verbose' for membership");
        }

        @Test
        void aBadResolverAddress() {
            assertThat(membership("example.com", "--resolver", "dns.example")).isEqualTo(Tes.USAGE);
            assertThat(errors()).startsWith("tes: bad --resolver: 'dns.example' is not a resolver address");
        }

        @Test
        void aBadDuration() {
            assertThat(membership("example.com", "--timeout", "5")).isEqualTo(Tes.USAGE);
            assertThat(errors()).startsWith("tes: bad --timeout: '5' is not a duration");
        }

        @Test
        void aZeroDuration() {
            assertThat(membership("example.com", "--timeout=0s")).isEqualTo(Tes.USAGE);
            assertThat(errors()).startsWith("tes: bad --timeout: '0s' must be positive");
        }

        @Test
        void anOptionWithoutItsValue() {
            assertThat(membership("example.com", "--timeout")).isEqualTo(Tes.USAGE);
            assertThat(errors()).startsWith("tes: --timeout needs a value");
        }

        @Test
        void anInvalidRegistryRoot() {
            assertThat(membership("example.com", "--registry-root", "root")).isEqualTo(Tes.USAGE);
            assertThat(errors()).startsWith("tes: bad --registry-root: ");
        }

        @Test
        void usageErrorsSendNoQuery() {
            membership("example.com", "--resolver", "127.0.0.1:" + dns.port(), "--timeout", "fast");

            assertThat(dns.queryCount()).isZero();
            assertThat(output()).isEmpty();
        }
    }

    @Test
    void helpListsTheMembershipCommand() {
        assertThat(tes.run(List.of("help"))).isEqualTo(Tes.OK);
        assertThat(output()).contains("membership <domain> [--resolver host:port]");
    }
}
