package org.tesjames.core.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.DaneLookup.Destination;
import org.tesjames.core.dane.DaneLookup.Host;
import org.tesjames.core.dane.DaneLookup.MxSource;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dnssec.DnssecClients;
import org.tesjames.core.dnssec.DnssecStatus;
import org.tesjames.core.dnssec.TrustAnchors;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** DANE lookups against the test DNS server's signed zones, validated with its test trust anchor. */
class DaneLookupTest {
    private static final String DIGEST = "a1".repeat(32);

    private TestDnsServer dns;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    /** Validate mode as TesModule builds it, with the test root anchor. */
    private DnsClient validating() {
        return validating(TestDnsServer.DEFAULT_RESOLVER_TIMEOUT);
    }

    private DnsClient validating(Duration timeout) {
        return DnssecClients.validating(List.of(dns.address()), timeout, 0,
            TrustAnchors.parse("test root", dns.trustAnchorText().getBytes(StandardCharsets.US_ASCII)));
    }

    private Destination lookup(String domain) throws Exception {
        return lookup(validating(), domain);
    }

    private static Destination lookup(DnsClient client, String domain) throws Exception {
        return new DaneLookup(client).lookup(domain).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Name name(String name) {
        return Name.fromConstantString(name);
    }

    private static Host onlyHost(Destination destination) {
        assertThat(destination.hosts()).hasSize(1);
        return destination.hosts().get(0);
    }

    /** example.com: signed, MX 10 mx.example.com, mx with an address. */
    private void exampleCom() {
        dns.zone("example.com").mx("@", 10, "mx").a("mx", "192.0.2.25");
    }

    @Nested
    class SecureTlsa {
        @Test
        void usableRecordsMakeTheHostSecureUsable() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);

            Destination destination = lookup("example.com");

            assertThat(destination.mxSource()).isEqualTo(MxSource.MX);
            assertThat(destination.mxStatus()).isEqualTo(DnssecStatus.SECURE);
            Host host = onlyHost(destination);
            assertThat(host.name()).isEqualTo(name("mx.example.com."));
            assertThat(host.addressStatus()).isEqualTo(DnssecStatus.SECURE);
            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.SECURE_USABLE);
            assertThat(host.selection().orElseThrow().usable()).containsExactly(TlsaRecord.parse("3 1 1 " + DIGEST));
            assertThat(host.tlsaBaseDomain()).isEqualTo(name("mx.example.com."));
            assertThat(host.referenceIdentifiers()).containsExactly(name("mx.example.com."), name("example.com."));
        }

        @Test
        void onlyUnusableRecordsMakeTheHostSecureUnusable() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 1, 1, 1, DIGEST).tlsa("_25._tcp.mx", 3, 1, 1, "abcd");

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.SECURE_UNUSABLE);
            assertThat(host.selection().orElseThrow().usable()).isEmpty();
            assertThat(host.selection().orElseThrow().assessments()).hasSize(2);
        }

        @Test
        void secureNxDomainForTlsaMeansNoDaneForTheHost() throws Exception {
            exampleCom();

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.INSECURE);
            assertThat(host.tlsaQueries()).singleElement().satisfies(query -> {
                assertThat(query.name()).isEqualTo(name("_25._tcp.mx.example.com."));
                assertThat(query.result()).isInstanceOf(DnsResult.NxDomain.class);
                assertThat(query.status()).isEqualTo(DnssecStatus.SECURE);
            });
            assertThat(host.selection()).isEmpty();
        }

        @Test
        void secureNoDataForTlsaMeansNoDaneForTheHost() throws Exception {
            exampleCom();
            dns.zone("example.com").txt("_25._tcp.mx", "not a TLSA record");

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.INSECURE);
            assertThat(host.tlsaQueries().get(0).result()).isInstanceOf(DnsResult.NoData.class);
            assertThat(host.tlsaQueries().get(0).status()).isEqualTo(DnssecStatus.SECURE);
        }
    }

    @Nested
    class Insecure {
        @Test
        void anUnsignedZoneHasNoDaneAndNoTlsaLookup() throws Exception {
            dns.zone("example.net").unsigned().mx("@", 10, "mx").a("mx", "192.0.2.26")
                .tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);

            Destination destination = lookup("example.net");

            assertThat(destination.mxStatus()).isEqualTo(DnssecStatus.INSECURE);
            Host host = onlyHost(destination);
            assertThat(host.addressStatus()).isEqualTo(DnssecStatus.INSECURE);
            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.INSECURE);
            assertThat(host.tlsaQueries()).isEmpty();
            assertThat(host.referenceIdentifiers()).containsExactly(name("mx.example.net."));
            assertThat(dns.queryCount("_25._tcp.mx.example.net", Type.TLSA)).isZero();
        }

        @Test
        void tlsaRecordsInAnUnsignedSubzoneOfASecureHostAreInsecure() throws Exception {
            exampleCom();
            dns.zone("_tcp.mx.example.com").unsigned().tlsa("_25", 3, 1, 1, DIGEST);

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.addressStatus()).isEqualTo(DnssecStatus.SECURE);
            assertThat(host.tlsaQueries()).singleElement().satisfies(query -> {
                assertThat(query.result()).isInstanceOf(DnsResult.Answer.class);
                assertThat(query.status()).isEqualTo(DnssecStatus.INSECURE);
            });
            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.INSECURE);
        }

        /** DnssecFault.MISSING_DS documents an island of security: provably insecure, not bogus. */
        @Test
        void aZoneWithoutDsInItsParentIsInsecure() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST).missingDs();

            Destination destination = lookup("example.com");

            assertThat(destination.mxStatus()).isEqualTo(DnssecStatus.INSECURE);
            assertThat(onlyHost(destination).outcome()).isEqualTo(DaneHostOutcome.INSECURE);
        }

        @Test
        void anInsecureMxRrsetStillAllowsDaneForAHostInASecureZoneButNotTheNextHopAsName() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);
            dns.zone("example.net").unsigned().mx("@", 10, "mx.example.com");

            Destination destination = lookup("example.net");

            assertThat(destination.mxStatus()).isEqualTo(DnssecStatus.INSECURE);
            Host host = onlyHost(destination);
            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.SECURE_USABLE);
            assertThat(host.referenceIdentifiers()).containsExactly(name("mx.example.com."));
        }
    }

    @Nested
    class Indeterminate {
        @Test
        void aTlsaRrsetWithABadSignatureIsBogus() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST).badSignature("_25._tcp.mx", Type.TLSA);

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.addressStatus()).isEqualTo(DnssecStatus.SECURE);
            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.INDETERMINATE);
            assertThat(host.tlsaQueries().get(0).result()).isInstanceOfSatisfying(DnsResult.Failure.class,
                failure -> assertThat(failure.kind()).isEqualTo(DnsResult.Failure.Kind.SERVFAIL));
            assertThat(host.selection()).isEmpty();
        }

        @Test
        void aTlsaRrsetWithAnExpiredSignatureIsBogus() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST).expiredSignature("_25._tcp.mx", Type.TLSA);

            assertThat(onlyHost(lookup("example.com")).outcome()).isEqualTo(DaneHostOutcome.INDETERMINATE);
        }

        @Test
        void aTlsaLookupTimeoutIsIndeterminateNeverInsecure() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);
            dns.fault("_25._tcp.mx.example.com", Type.TLSA, Fault.noAnswer());

            Host host = onlyHost(lookup(validating(Duration.ofSeconds(2)), "example.com"));

            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.INDETERMINATE);
            assertThat(host.tlsaQueries().get(0).result()).isInstanceOfSatisfying(DnsResult.Failure.class,
                failure -> assertThat(failure.kind()).isEqualTo(DnsResult.Failure.Kind.TIMEOUT));
            assertThat(host.reason()).startsWith("TLSA lookup failed");
        }

        @Test
        void anAddressLookupFailureIsIndeterminateWithoutTlsaLookup() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);
            dns.fault("mx.example.com", Type.AAAA, Fault.servfail());

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.addressStatus()).isEqualTo(DnssecStatus.INDETERMINATE);
            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.INDETERMINATE);
            assertThat(host.tlsaQueries()).isEmpty();
        }

        /** A DS in the parent that matches no key of the child: the delegation is bogus, never insecure. */
        @Test
        void aHostZoneWithAWrongDsIsIndeterminateNeverInsecure() throws Exception {
            dns.zone("example.com").mx("@", 10, "mx.hosting.test.");
            dns.zone("hosting.test").a("mx", "192.0.2.26").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST).wrongDs();

            Destination destination = lookup("example.com");

            assertThat(destination.mxStatus()).isEqualTo(DnssecStatus.SECURE);
            assertThat(onlyHost(destination).outcome()).isEqualTo(DaneHostOutcome.INDETERMINATE);
        }

        @Test
        void aBogusMxRrsetLeavesNoHost() throws Exception {
            exampleCom();
            dns.zone("example.com").badSignature("@", Type.MX);

            Destination destination = lookup("example.com");

            assertThat(destination.mxSource()).isEqualTo(MxSource.FAILED);
            assertThat(destination.mxStatus()).isEqualTo(DnssecStatus.INDETERMINATE);
            assertThat(destination.hosts()).isEmpty();
        }

        @Test
        void aWrongTrustAnchorMakesEverythingIndeterminate() throws Exception {
            exampleCom();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);
            String otherAnchor;
            try (TestDnsServer other = TestDnsServer.start()) {
                otherAnchor = other.trustAnchorText();
            }
            DnsClient wronglyAnchored = DnssecClients.validating(List.of(dns.address()), TestDnsServer.DEFAULT_RESOLVER_TIMEOUT, 0,
                TrustAnchors.parse("other root", otherAnchor.getBytes(StandardCharsets.US_ASCII)));

            Destination destination = lookup(wronglyAnchored, "example.com");

            assertThat(destination.mxStatus()).isEqualTo(DnssecStatus.INDETERMINATE);
            assertThat(destination.hosts()).isEmpty();
            for (String host : List.of("mx.example.com.", "_25._tcp.mx.example.com.", "nowhere.example.com.")) {
                DnsResult result = wronglyAnchored.query(name(host), Type.A).toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(DnssecStatus.of(result)).as(host).isEqualTo(DnssecStatus.INDETERMINATE);
            }
        }
    }

    @Nested
    class HostNames {
        /** mx.example.com is a CNAME to mail.example.org, both zones signed. */
        private void cnamedMx() {
            dns.zone("example.com").mx("@", 10, "mx").cname("mx", "mail.example.org");
            dns.zone("example.org").a("mail", "192.0.2.27");
        }

        @Test
        void aCnamedMxHostUsesTheTlsaRecordsOfTheExpandedNameFirst() throws Exception {
            cnamedMx();
            dns.zone("example.org").tlsa("_25._tcp.mail", 3, 1, 1, DIGEST);
            dns.zone("example.com").tlsa("_25._tcp.mx", 1, 1, 1, DIGEST);

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.name()).isEqualTo(name("mx.example.com."));
            assertThat(host.expandedName()).isEqualTo(name("mail.example.org."));
            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.SECURE_USABLE);
            assertThat(host.tlsaBaseDomain()).isEqualTo(name("mail.example.org."));
            assertThat(host.tlsaQueries()).extracting(DaneLookup.TlsaQuery::name)
                .containsExactly(name("_25._tcp.mail.example.org."));
            assertThat(host.referenceIdentifiers()).containsExactly(name("mail.example.org."), name("example.com."));
        }

        @Test
        void aCnamedMxHostFallsBackToTheTlsaRecordsOfTheOriginalName() throws Exception {
            cnamedMx();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.SECURE_USABLE);
            assertThat(host.tlsaBaseDomain()).isEqualTo(name("mx.example.com."));
            assertThat(host.tlsaQueries()).extracting(DaneLookup.TlsaQuery::name)
                .containsExactly(name("_25._tcp.mail.example.org."), name("_25._tcp.mx.example.com."));
        }

        @Test
        void aFailureAtTheExpandedNameIsNotSkipped() throws Exception {
            cnamedMx();
            dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);
            dns.fault("_25._tcp.mail.example.org", Type.TLSA, Fault.servfail());

            Host host = onlyHost(lookup("example.com"));

            assertThat(host.outcome()).as(host.reason()).isEqualTo(DaneHostOutcome.INDETERMINATE);
            assertThat(host.tlsaQueries()).as(host.reason()).hasSize(1);
        }

        @Test
        void withoutMxTheDomainIsItsOwnImplicitMx() throws Exception {
            dns.zone("example.com").a("@", "192.0.2.28").tlsa("_25._tcp", 3, 1, 1, DIGEST);

            Destination destination = lookup("example.com");

            assertThat(destination.mxSource()).isEqualTo(MxSource.IMPLICIT);
            assertThat(destination.mx()).isInstanceOf(DnsResult.NoData.class);
            Host host = onlyHost(destination);
            assertThat(host.name()).isEqualTo(name("example.com."));
            assertThat(host.preference()).isZero();
            assertThat(host.outcome()).isEqualTo(DaneHostOutcome.SECURE_USABLE);
            assertThat(host.referenceIdentifiers()).containsExactly(name("example.com."));
        }

        @Test
        void hostsComeInPreferenceOrderEachWithItsOwnOutcome() throws Exception {
            dns.zone("example.com").mx("@", 20, "backup").mx("@", 10, "mx").a("mx", "192.0.2.25")
                .a("backup", "192.0.2.29").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);

            Destination destination = lookup("example.com");

            assertThat(destination.hosts()).extracting(Host::name, Host::preference, Host::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(name("mx.example.com."), 10, DaneHostOutcome.SECURE_USABLE),
                org.assertj.core.groups.Tuple.tuple(name("backup.example.com."), 20, DaneHostOutcome.INSECURE));
        }

        @Test
        void aNullMxHasNoHost() throws Exception {
            dns.zone("example.com").mx("@", 0, ".");

            Destination destination = lookup("example.com");

            assertThat(destination.mxSource()).isEqualTo(MxSource.NULL_MX);
            assertThat(destination.hosts()).isEmpty();
        }

        @Test
        void aDomainThatDoesNotExistHasNoHost() throws Exception {
            dns.zone("example.com");

            Destination destination = lookup("nowhere.example.com");

            assertThat(destination.mxSource()).isEqualTo(MxSource.NO_SUCH_DOMAIN);
            assertThat(destination.mxStatus()).isEqualTo(DnssecStatus.SECURE);
            assertThat(destination.hosts()).isEmpty();
        }
    }

    @Test
    void worksOverTheTestServersOwnValidatingResolver() throws Exception {
        exampleCom();
        dns.zone("example.com").tlsa("_25._tcp.mx", 3, 1, 1, DIGEST);
        DnsClient client = DnsJavaClient.overResolvers(
            List.of(new DnsJavaClient.Upstream("test", dns.newValidatingResolver())), 0);

        assertThat(onlyHost(lookup(client, "example.com")).outcome()).isEqualTo(DaneHostOutcome.SECURE_USABLE);
    }
}
