package org.tesjames.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Behaviour every {@link DnsClient} over a recursive resolver shares. Implementations serve the zone
 * {@code example.com} from {@link #dns()} with the data of {@link #populate(TestDnsServer)}.
 */
interface DnsClientContract {

    TestDnsServer dns();

    DnsClient client();

    /** The test data: TTLs 600 (A, TXT), 60 (the CNAME), negative TTL 120. */
    static void populate(TestDnsServer dns) {
        dns.zone("example.com")
                .negativeTtl(120)
                .ttl(600)
                .a("www", "192.0.2.1", "192.0.2.2")
                .txt("@", "v=spf1 -all")
                .ttl(60)
                .cname("alias", "www");
    }

    default DnsResult resolve(String name, int type) throws Exception {
        DnsResult result = client().query(Name.fromString(name), type).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(result).isNotNull();
        return result;
    }

    @Test
    default void answersARecordsWithTheirTtl() throws Exception {
        DnsResult result = resolve("www.example.com.", Type.A);

        assertThat(result).isInstanceOf(DnsResult.Answer.class);
        DnsResult.Answer answer = (DnsResult.Answer) result;
        assertThat(answer.records()).extracting(r -> ((ARecord) r).getAddress().getHostAddress())
                .containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");
        assertThat(answer.ttl()).isEqualTo(Duration.ofSeconds(600));
        assertThat(answer.isTemporaryFailure()).isFalse();
    }

    @Test
    default void answersTxtRecords() throws Exception {
        DnsResult.Answer answer = (DnsResult.Answer) resolve("example.com.", Type.TXT);

        assertThat(answer.records()).extracting(r -> ((TXTRecord) r).getStrings())
                .containsExactly(java.util.List.of("v=spf1 -all"));
    }

    @Test
    default void followsCnameToTheRecordsAtItsTargetWithTheSmallestTtl() throws Exception {
        DnsResult.Answer answer = (DnsResult.Answer) resolve("alias.example.com.", Type.A);

        assertThat(answer.records()).extracting(Record::getName).containsOnly(Name.fromString("www.example.com."));
        assertThat(answer.ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(answer.name()).isEqualTo(Name.fromString("alias.example.com."));
    }

    @Test
    default void answersCnameQueriesWithTheCnameItself() throws Exception {
        DnsResult.Answer answer = (DnsResult.Answer) resolve("alias.example.com.", Type.CNAME);

        assertThat(answer.records()).singleElement().extracting(Record::getType).isEqualTo(Type.CNAME);
    }

    @Test
    default void nxDomainCarriesTheSoaNegativeTtl() throws Exception {
        DnsResult result = resolve("nowhere.example.com.", Type.A);

        assertThat(result).isEqualTo(new DnsResult.NxDomain(name("nowhere.example.com."), Type.A,
                Duration.ofSeconds(120), false));
        assertThat(result.isTemporaryFailure()).isFalse();
    }

    @Test
    default void noDataCarriesTheSoaNegativeTtl() throws Exception {
        DnsResult result = resolve("www.example.com.", Type.AAAA);

        assertThat(result).isEqualTo(new DnsResult.NoData(name("www.example.com."), Type.AAAA,
                Duration.ofSeconds(120), false));
    }

    @Test
    default void servfailIsATemporaryFailureNamingTheServer() throws Exception {
        dns().fault("www.example.com", Type.A, Fault.servfail());

        DnsResult result = resolve("www.example.com.", Type.A);

        assertThat(result).isInstanceOfSatisfying(DnsResult.Failure.class, f -> {
            assertThat(f.kind()).isEqualTo(DnsResult.Failure.Kind.SERVFAIL);
            assertThat(f.detail()).contains(dns().host() + ":" + dns().port());
        });
        assertThat(result.isTemporaryFailure()).isTrue();
    }

    @Test
    default void refusedIsAFailureNotANegativeAnswer() throws Exception {
        DnsResult result = resolve("www.elsewhere.org.", Type.A);

        assertThat(result).isInstanceOfSatisfying(DnsResult.Failure.class,
                f -> assertThat(f.kind()).isEqualTo(DnsResult.Failure.Kind.REFUSED));
    }

    @Test
    default void acceptsRelativeNames() throws Exception {
        DnsResult result = client().query(Name.fromString("www.example.com"), Type.A)
                .toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(result).isInstanceOf(DnsResult.Answer.class);
    }

    static Name name(String name) {
        try {
            return Name.fromString(name);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
