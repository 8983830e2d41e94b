package org.tesjames.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.Inbound;
import org.tesjames.it.harness.JamesProcess;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.Submission;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.tesjames.testing.sts.PolicyServer;
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;
import org.xbill.DNS.Type;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Operating TES through James's WebAdmin, in the packaged distribution: James started as its own process with the
 * extension in {@code extensions-jars/} and the shipped {@code webadmin.properties} ({@code extensions.routes}),
 * real HTTP requests, the test DNS server as the resolver. The TES routes, and James's Prometheus endpoint
 * {@code /metrics} after inbound and outbound traffic, checked against the README's table of metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "ops@tes.test";
    private static final String PASSWORD = "secret-Pa55";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestDnsServer dns;
    private DkimKeyDirectory keys;
    private JamesProcess james;
    private DkimKey activeRsa;
    private DkimKey olderRsa;
    private DkimKey unpublishedEd25519;
    private final int mxPort = OutboundPorts.free();
    private RecordingSmtpSink goodMx;
    private final int policyPort = OutboundPorts.free();
    private final TestPki stsCa = TestPki.create("Operating MTA-STS Test CA");
    private PolicyServer policyServer;

    @BeforeAll
    void start() throws Exception {
        dns = TesJamesExtension.internetLikeDns();
        TesMembershipZones registry = new TesMembershipZones(dns);
        registry.member("member.test", "master.test");
        registry.member("cached.test", "master.test");
        registry.member("secure.test", "master.test");
        registry.member("insecure.test", "master.test");
        dns.fault("tes-master.flaky.test", Type.CNAME, Fault.servfail());

        TestCertificate certificate = TestCertificates.selfSigned("mx.secure.test");
        dns.zone("secure.test").mx("@", 10, "mx.secure.test.").a("mx", "127.0.0.42")
            .tlsa("_25._tcp.mx", 3, 1, 1, certificate.certificate())
            .tlsa("_25._tcp.mx", 1, 1, 1, certificate.certificate());
        dns.zone("insecure.test").unsigned().mx("@", 10, "mx.insecure.test.").a("mx", "127.0.0.43");
        dns.zone("plain.test").unsigned().mx("@", 10, "mx.plain.test.").a("mx", "127.0.0.44");
        dns.zone("brokenmx.test").a("www", "127.0.0.45");
        dns.fault("brokenmx.test", Type.MX, Fault.servfail());

        TestCertificate goodCertificate = TestCertificates.selfSigned("mx.good.test");
        dns.zone("good.test").mx("@", 10, "mx.good.test.").a("mx", "127.0.0.41")
            .tlsa("_25._tcp.mx", 3, 1, 1, goodCertificate.certificate());
        goodMx = RecordingSmtpSink.builder().bindAddress("127.0.0.41").port(mxPort).hostname("mx.good.test")
            .startTls(goodCertificate).start();

        dns.zone("sts.test").unsigned().a("mta-sts", "127.0.3.10").txt("_mta-sts", "v=STSv1; id=20240701;")
            .mx("@", 10, "mx1.sts.test.").mx("@", 20, "mail.backup.sts.test.").mx("@", 30, "mx.elsewhere.test.");
        policyServer = PolicyServer.start("127.0.3.10", policyPort, stsCa.issue("mta-sts.sts.test"));
        policyServer.policy("version: STSv1\r\nmode: enforce\r\nmx: mx1.sts.test\r\nmx: *.backup.sts.test\r\n"
            + "max_age: 86400\r\n");
        dns.zone("nosts.test").unsigned().mx("@", 10, "mx.nosts.test.");
        dns.zone("flakysts.test").unsigned().mx("@", 10, "mx.flakysts.test.");
        dns.fault("_mta-sts.flakysts.test", Type.TXT, Fault.servfail());
        Path stsTrustStore = Files.createTempFile("sts-ca-", ".pem");
        stsTrustStore.toFile().deleteOnExit();
        Files.writeString(stsTrustStore, stsCa.root().chainPem());

        keys = DkimKeyDirectory.create();
        olderRsa = keys.write("tes.test", DkimKeyType.RSA, "2024-01");
        activeRsa = keys.write("tes.test", DkimKeyType.RSA, "2024-07");
        keys.publish(dns);
        unpublishedEd25519 = keys.write("tes.test", DkimKeyType.ED25519, "ed");
        keys.write("other.test", DkimKeyType.RSA, "s1");
        DkimKey stranger = DkimKeyDirectory.create().write("other.test", DkimKeyType.RSA, "s1");
        dns.zone("other.test").txt("s1._domainkey", stranger.keyRecord().text());
        keys.write("faulty.test", DkimKeyType.RSA, "s1");
        dns.fault("s1._domainkey.faulty.test", Type.TXT, Fault.servfail());

        james = JamesProcess.start(dns, conf -> conf.outboundPort(mxPort)
            .modify("tes.properties", text -> text + "\ndkim.keys=" + keys.path() + "\nlookup.timeout=3s\n"
                + "sts.trust-store=" + stsTrustStore + "\nsts.fetch.port=" + policyPort + "\nsts.fetch.timeout=5s\n"));
    }

    @AfterAll
    void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        goodMx.close();
        policyServer.close();
        dns.close();
    }

    @Nested
    class Membership {
        @Test
        void memberWithEachQueryOfTheChain() throws Exception {
            JsonNode body = get(200, "/tes/membership/Member.Test");

            assertThat(body.get("domain").asText()).isEqualTo("member.test");
            assertThat(body.get("verdict").asText()).isEqualTo("member");
            assertThat(body.get("master").asText()).isEqualTo("master.test");
            assertThat(body.get("ttl").asLong()).isPositive();
            assertThat(body.get("cache").asBoolean()).isTrue();
            List<JsonNode> queries = list(body.get("queries"));
            assertThat(queries).extracting(query -> query.get("name").asText() + " " + query.get("type").asText())
                .containsExactly("tes-master.member.test. CNAME", "member.test.tes-member.master.test. TXT",
                    "master.test.tes-member.trusted-email-services.com. TXT");
            assertThat(queries).allSatisfy(query -> {
                assertThat(query.get("outcome").asText()).isEqualTo("answer");
                assertThat(query.get("ttl").asLong()).isPositive();
                assertThat(query.get("records")).isNotEmpty();
            });
        }

        @Test
        void notMemberNamesTheStepAndTheNegativeAnswer() throws Exception {
            JsonNode body = get(200, "/tes/membership/gone.test");

            assertThat(body.get("verdict").asText()).isEqualTo("not-member");
            assertThat(body.get("step").asText()).isEqualTo("CNAME tes-master.D");
            assertThat(body.get("reason").asText()).contains("NXDOMAIN");
            assertThat(body.get("queries").get(0).get("outcome").asText()).isEqualTo("nxdomain");
            assertThat(body.has("master")).isFalse();
        }

        @Test
        void aDnsFailureIsATemporaryFailureNotANonMember() throws Exception {
            JsonNode body = get(200, "/tes/membership/flaky.test");

            assertThat(body.get("verdict").asText()).isEqualTo("temporary-failure");
            assertThat(body.get("step").asText()).isEqualTo("CNAME tes-master.D");
            assertThat(body.get("reason").asText()).contains("SERVFAIL");
            assertThat(body.get("queries").get(0).get("outcome").asText()).isEqualTo("SERVFAIL");
            assertThat(body.has("ttl")).isFalse();
        }

        @Test
        void malformedDomainsAreRefusedWithJamesErrorFormat() throws Exception {
            JsonNode body = get(400, "/tes/membership/bad..name");
            assertThat(body.get("statusCode").asInt()).isEqualTo(400);
            assertThat(body.get("type").asText()).isEqualTo("InvalidArgument");
            assertThat(body.get("message").asText()).startsWith("Invalid domain 'bad..name'");

            assertThat(get(400, "/tes/membership/localhost").get("message").asText())
                .startsWith("Invalid domain 'localhost'");
            assertThat(get(400, "/tes/membership/member.test?cache=maybe").get("message").asText())
                .isEqualTo("cache must be true or false, got 'maybe'");
        }

        @Test
        void cacheFalseAsksTheResolversAndTheCacheIsFlushedByName() throws Exception {
            assertThat(get(200, "/tes/membership/cached.test").get("verdict").asText()).isEqualTo("member");
            dns.zone("master.test").remove("cached.test.tes-member", Type.TXT);

            assertThat(get(200, "/tes/membership/cached.test").get("verdict").asText())
                .as("the cached answers").isEqualTo("member");
            JsonNode fresh = get(200, "/tes/membership/cached.test?cache=false");
            assertThat(fresh.get("verdict").asText()).isEqualTo("not-member");
            assertThat(fresh.get("cache").asBoolean()).isFalse();
            assertThat(get(200, "/tes/membership/cached.test").get("verdict").asText())
                .as("cache=false leaves the cache alone").isEqualTo("member");

            JsonNode flushed = send("DELETE", 200, "/tes/dns/cache?name=cached.test.tes-member.master.test");
            assertThat(flushed.get("name").asText()).isEqualTo("cached.test.tes-member.master.test.");
            assertThat(flushed.get("removed").asInt()).isEqualTo(1);
            assertThat(get(200, "/tes/membership/cached.test").get("verdict").asText()).isEqualTo("not-member");
        }
    }

    @Nested
    class DnsCache {
        @Test
        void flushingEverythingCountsTheEntries() throws Exception {
            get(200, "/tes/membership/member.test");

            assertThat(send("DELETE", 200, "/tes/dns/cache").get("removed").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(send("DELETE", 200, "/tes/dns/cache").get("removed").asInt()).isZero();
        }

        @Test
        void aMalformedNameIsRefused() throws Exception {
            JsonNode body = send("DELETE", 400, "/tes/dns/cache?name=a..b");
            assertThat(body.get("type").asText()).isEqualTo("InvalidArgument");
            assertThat(body.get("message").asText()).startsWith("Invalid DNS name 'a..b'");
        }
    }

    @Nested
    class Dane {
        @Test
        void memberWithUsableTlsaRecordsIsDeliveredOverDaneTls() throws Exception {
            JsonNode body = get(200, "/tes/dane/secure.test");

            assertThat(body.get("membership").get("verdict").asText()).isEqualTo("member");
            assertThat(body.get("policy").asText()).isEqualTo("dane-required");
            assertThat(body.get("delivery").asText()).isEqualTo("deliver");
            assertThat(body.get("mx").get("source").asText()).isEqualTo("mx");
            assertThat(body.get("mx").get("dnssec").asText()).isEqualTo("secure");
            JsonNode host = body.get("hosts").get(0);
            assertThat(host.get("host").asText()).isEqualTo("mx.secure.test");
            assertThat(host.get("preference").asInt()).isEqualTo(10);
            assertThat(list(host.get("addresses"))).extracting(JsonNode::asText).containsExactly("127.0.0.42");
            assertThat(host.get("addressDnssec").asText()).isEqualTo("secure");
            assertThat(host.get("outcome").asText()).isEqualTo("secure-usable");
            assertThat(host.get("action").asText()).isEqualTo("dane-tls");
            assertThat(host.get("connectTo").asText()).isEqualTo("127.0.0.42");
            assertThat(list(host.get("tlsa"))).extracting(tlsa -> tlsa.get("record").asText().substring(0, 5)
                + " " + tlsa.get("usability").asText()).containsExactlyInAnyOrder("3 1 1 usable", "1 1 1 unusable");
            assertThat(list(host.get("tlsa"))).filteredOn(tlsa -> tlsa.get("usability").asText().equals("unusable"))
                .allSatisfy(tlsa -> assertThat(tlsa.get("reason").asText()).contains("PKIX-EE"));
            assertThat(list(host.get("tlsaQueries"))).extracting(query -> query.get("name").asText())
                .containsExactly("_25._tcp.mx.secure.test.");
        }

        @Test
        void memberBehindAnInsecureZoneIsRefusedWithTheReason() throws Exception {
            JsonNode body = get(200, "/tes/dane/insecure.test");

            assertThat(body.get("policy").asText()).isEqualTo("dane-required");
            assertThat(body.get("delivery").asText()).isEqualTo("retry");
            JsonNode host = body.get("hosts").get(0);
            assertThat(host.get("action").asText()).isEqualTo("refuse");
            assertThat(host.get("outcome").asText()).isEqualTo("insecure");
            assertThat(host.get("reason").asText())
                .isEqualTo("the MX RRset of insecure.test is not DNSSEC-secure (insecure): DANE is required");
        }

        @Test
        void nonMemberInAnInsecureZoneGetsOpportunisticTls() throws Exception {
            JsonNode body = get(200, "/tes/dane/plain.test");

            assertThat(body.get("membership").get("verdict").asText()).isEqualTo("not-member");
            assertThat(body.get("policy").asText()).isEqualTo("dane-opportunistic");
            assertThat(body.get("delivery").asText()).isEqualTo("deliver");
            JsonNode host = body.get("hosts").get(0);
            assertThat(host.get("outcome").asText()).isEqualTo("insecure");
            assertThat(host.get("action").asText()).isEqualTo("opportunistic-tls");
            assertThat(host.get("tlsa")).isEmpty();
        }

        @Test
        void aFailedMxLookupIsIndeterminateAndRetried() throws Exception {
            JsonNode body = get(200, "/tes/dane/brokenmx.test");

            assertThat(body.get("delivery").asText()).isEqualTo("retry");
            assertThat(body.get("mx").get("source").asText()).isEqualTo("failed");
            assertThat(body.get("mx").get("query").get("outcome").asText()).isEqualTo("SERVFAIL");
            JsonNode host = body.get("hosts").get(0);
            assertThat(host.get("outcome").asText()).isEqualTo("indeterminate");
            assertThat(host.get("action").asText()).isEqualTo("refuse");
            assertThat(host.get("reason").asText()).startsWith("MX lookup of brokenmx.test failed (SERVFAIL");
        }

        @Test
        void aFailedMembershipLookupMeansTheMailIsRescheduled() throws Exception {
            JsonNode body = get(200, "/tes/dane/flaky.test");

            assertThat(body.get("membership").get("verdict").asText()).isEqualTo("temporary-failure");
            assertThat(body.get("membership").get("description").asText()).contains("SERVFAIL");
            assertThat(body.get("delivery").asText()).isEqualTo("reschedule");
            assertThat(body.has("policy")).isFalse();
            assertThat(body.get("hosts")).isEmpty();
        }

        @Test
        void aDomainThatDoesNotExistIsNotFound() throws Exception {
            JsonNode body = get(404, "/tes/dane/nowhere.test");

            assertThat(body.get("type").asText()).isEqualTo("notFound");
            assertThat(body.get("message").asText())
                .isEqualTo("Domain nowhere.test does not exist (MX lookup: NXDOMAIN): mail to it bounces");
        }

        @Test
        void malformedDomainsAreRefused() throws Exception {
            assertThat(get(400, "/tes/dane/-bad-.test").get("type").asText()).isEqualTo("InvalidArgument");
        }
    }

    @Nested
    class Sts {
        @Test
        void anEnforcePolicyWithTheMxHostsItAdmits() throws Exception {
            JsonNode body = get(200, "/tes/sts/STS.test");

            assertThat(body.get("domain").asText()).isEqualTo("sts.test");
            assertThat(body.get("state").asText()).isEqualTo("policy");
            assertThat(body.get("txt").get("name").asText()).isEqualTo("_mta-sts.sts.test.");
            assertThat(body.get("txt").get("outcome").asText()).isEqualTo("answer");
            assertThat(list(body.get("records"))).extracting(JsonNode::asText)
                .containsExactly("v=STSv1; id=20240701;");
            JsonNode policy = body.get("policy");
            assertThat(policy.get("mode").asText()).isEqualTo("enforce");
            assertThat(list(policy.get("mx"))).extracting(JsonNode::asText)
                .containsExactly("mx1.sts.test", "*.backup.sts.test");
            assertThat(policy.get("maxAge").asLong()).isEqualTo(86400);
            assertThat(policy.get("id").asText()).isEqualTo("20240701");
            Instant fetchedAt = Instant.parse(policy.get("fetchedAt").asText());
            assertThat(Instant.parse(policy.get("expiresAt").asText())).isEqualTo(fetchedAt.plusSeconds(86400));
            assertThat(policy.get("source").asText()).isIn("fetched", "cached");
            assertThat(body.has("reason")).isFalse();
            assertThat(body.get("mx").get("outcome").asText()).isEqualTo("answer");
            assertThat(list(body.get("hosts"))).extracting(host -> host.get("preference").asInt() + " "
                + host.get("host").asText() + " " + host.get("admitted").asBoolean())
                .containsExactly("10 mx1.sts.test true", "20 mail.backup.sts.test true",
                    "30 mx.elsewhere.test false");

            JsonNode again = get(200, "/tes/sts/sts.test");
            assertThat(again.get("policy").get("source").asText()).as("the delivery's cache").isEqualTo("cached");
            assertThat(again.get("policy").get("fetchedAt").asText()).isEqualTo(policy.get("fetchedAt").asText());
            assertThat(policyServer.requests()).isEqualTo(1);
        }

        @Test
        void aDomainWithoutRecordHasNoPolicy() throws Exception {
            JsonNode body = get(200, "/tes/sts/nosts.test");

            assertThat(body.get("state").asText()).isEqualTo("no-policy");
            assertThat(body.get("txt").get("outcome").asText()).isEqualTo("nxdomain");
            assertThat(body.get("records")).isEmpty();
            assertThat(body.get("reason").asText()).isEqualTo("no _mta-sts.nosts.test TXT record");
            assertThat(body.has("policy")).isFalse();
            assertThat(body.has("mx")).isFalse();
            assertThat(body.get("hosts")).isEmpty();
        }

        @Test
        void aDnsFailureIsATemporaryFailureNotNoPolicy() throws Exception {
            JsonNode body = get(200, "/tes/sts/flakysts.test");

            assertThat(body.get("state").asText()).isEqualTo("temporary-failure");
            assertThat(body.get("txt").get("outcome").asText()).isEqualTo("SERVFAIL");
            assertThat(body.get("reason").asText()).contains("failed temporarily").contains("SERVFAIL");
            assertThat(body.has("policy")).isFalse();
        }

        @Test
        void malformedDomainsAreRefused() throws Exception {
            JsonNode body = get(400, "/tes/sts/bad..name");
            assertThat(body.get("statusCode").asInt()).isEqualTo(400);
            assertThat(body.get("type").asText()).isEqualTo("InvalidArgument");
            assertThat(body.get("message").asText()).startsWith("Invalid domain 'bad..name'");
        }
    }

    @Nested
    class DkimKeys {
        @Test
        void everyKeyWithItsStateAndItsPublishedRecord() throws Exception {
            JsonNode body = get(200, "/tes/dkim/keys");

            assertThat(body.get("enabled").asBoolean()).isTrue();
            assertThat(body.get("directory").asText()).isEqualTo(keys.path().toString());
            JsonNode active = key(body, "tes.test", "2024-07");
            assertThat(active.get("algorithm").asText()).isEqualTo("rsa");
            assertThat(active.get("bits").asInt()).isEqualTo(2048);
            assertThat(active.get("active").asBoolean()).isTrue();
            assertThat(active.get("file").asText()).isEqualTo(activeRsa.file().toString());
            assertThat(active.get("record").get("status").asText()).isEqualTo("match");
            assertThat(active.get("record").get("name").asText()).isEqualTo("2024-07._domainkey.tes.test.");
            assertThat(list(active.get("record").get("published"))).extracting(JsonNode::asText)
                .containsExactly(activeRsa.keyRecord().text());

            JsonNode older = key(body, "tes.test", "2024-01");
            assertThat(older.get("active").asBoolean()).isFalse();
            assertThat(older.get("record").get("status").asText()).isEqualTo("match");

            JsonNode ed25519 = key(body, "tes.test", "ed");
            assertThat(ed25519.get("algorithm").asText()).isEqualTo("ed25519");
            assertThat(ed25519.get("active").asBoolean()).isTrue();
            assertThat(ed25519.get("expectedRecord").asText()).isEqualTo(unpublishedEd25519.keyRecord().text());
            assertThat(ed25519.get("record").get("status").asText()).isEqualTo("mismatch");
            assertThat(ed25519.get("record").get("reason").asText())
                .isEqualTo("no TXT record at ed._domainkey.tes.test. (NXDOMAIN)");

            assertThat(key(body, "other.test", "s1").get("record").get("reason").asText())
                .isEqualTo("p= differs from the public key of the key file");
            JsonNode faulty = key(body, "faulty.test", "s1").get("record");
            assertThat(faulty.get("status").asText()).isEqualTo("temporary-failure");
            assertThat(faulty.get("reason").asText()).contains("SERVFAIL");
        }

        @Test
        void oneDomainAndUnknownDomains() throws Exception {
            JsonNode body = get(200, "/tes/dkim/keys/OTHER.test");
            assertThat(list(body.get("keys"))).extracting(key -> key.get("domain").asText())
                .containsExactly("other.test");

            JsonNode unknown = get(404, "/tes/dkim/keys/unknown.test");
            assertThat(unknown.get("type").asText()).isEqualTo("notFound");
            assertThat(unknown.get("message").asText()).startsWith("No DKIM key for unknown.test in ");
            assertThat(get(400, "/tes/dkim/keys/bad..name").get("type").asText()).isEqualTo("InvalidArgument");
        }

        @Test
        void reloadPicksUpANewKeyAtOnce() throws Exception {
            keys.write("fresh.test", DkimKeyType.ED25519, "s1");

            JsonNode body = send("POST", 200, "/tes/dkim/keys?action=reload");

            assertThat(list(body.get("domains"))).extracting(JsonNode::asText).contains("fresh.test", "tes.test");
            assertThat(key(get(200, "/tes/dkim/keys"), "fresh.test", "s1").get("active").asBoolean()).isTrue();
            assertThat(james.log()).contains("TES DKIM keys reloaded through WebAdmin");
        }

        @Test
        void anUnknownActionIsRefused() throws Exception {
            assertThat(send("POST", 400, "/tes/dkim/keys").get("message").asText())
                .isEqualTo("action must be 'reload', got none");
            assertThat(send("POST", 400, "/tes/dkim/keys?action=purge").get("message").asText())
                .isEqualTo("action must be 'reload', got 'purge'");
        }

        private JsonNode key(JsonNode body, String domain, String selector) {
            return list(body.get("keys")).stream()
                .filter(key -> key.get("domain").asText().equals(domain) && key.get("selector").asText().equals(selector))
                .findFirst().orElseThrow(() -> new AssertionError("no key " + domain + "/" + selector + " in " + body));
        }
    }

    @Test
    void settingsAreTheEffectiveValuesWithTheirDefaults() throws Exception {
        List<JsonNode> settings = list(getArray(200, "/tes/settings"));

        JsonNode resolvers = setting(settings, "dns.resolvers");
        assertThat(resolvers.get("value").asText()).isEqualTo("127.0.0.1:" + dns.port());
        assertThat(resolvers.get("defaultValue").asText()).isEqualTo("system");
        assertThat(resolvers.get("isDefault").asBoolean()).isFalse();
        assertThat(setting(settings, "lookup.timeout").get("value").asText()).isEqualTo("3000ms");
        JsonNode root = setting(settings, "registry.root");
        assertThat(root.get("value").asText()).isEqualTo("trusted-email-services.com");
        assertThat(root.get("isDefault").asBoolean()).isTrue();
        assertThat(settings).extracting(setting -> setting.get("key").asText()).isSorted()
            .contains("dkim.keys", "dns.cache.size", "smtp.max-header-bytes");
    }

    /**
     * After inbound mail (STARTTLS, a non-member sender, authenticated and stamped) and outbound mail (submitted,
     * DKIM-signed, delivered to a DANE-verified MX host), James's {@code /metrics} shows the TES metrics of every
     * step, among them the DNS latency and outcome per query type and the DANE outcome per policy; and every TES
     * metric it shows is in the README's table.
     */
    @Test
    void metricsOfTheTrafficAreScrapedFromJamesPrometheusEndpoint() throws Exception {
        james.addUser(USER, PASSWORD);
        assertThat(Inbound.sendOverStartTls(james.inboundPort(), "bob@remote.example", USER,
            "From: bob@remote.example\r\nSubject: in\r\n\r\nhello\r\n").code()).isEqualTo(250);
        try (SmtpTestClient client = Submission.startTls(james.submissionPort())) {
            assertThat(Submission.send(client, USER, PASSWORD, "carol@good.test",
                "From: " + USER + "\r\nTo: carol@good.test\r\nSubject: out\r\n\r\nhi\r\n").code()).isEqualTo(250);
        }
        assertThat(goodMx.awaitMessage(Duration.ofSeconds(60)).recipients()).containsExactly("carol@good.test");

        HttpResponse<String> response = request(james, "GET", "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
            assertThat(type).startsWith("text/plain"));
        Set<String> names = Metrics.tesNames(response.body());
        assertThat(names).as(response.body()).contains(
            "tes_smtp_tls_starttls_total", "tes_inbound_rcpt_accepted_total", "tes_inbound_status_non_member_total",
            "tes_inbound_auth_accepted_total", "tes_auth_time", "tes_auth_spf_none_total", "tes_auth_dmarc_none_total",
            "tes_inbound_membership", "tes_dns_cache_miss_total", "tes_dns_query_CNAME_total",
            "tes_dns_latency", "tes_dns_latency_CNAME", "tes_dns_latency_MX", "tes_dns_latency_TLSA",
            "tes_dns_outcome_nxdomain_total", "tes_dns_outcome_CNAME_nxdomain_total",
            "tes_dns_outcome_TLSA_answer_total",
            "tes_submission_rcpt_accepted_total", "tes_submission_dkim_accepted_total", "tes_dkim_sign_signed_total",
            "tes_matcher_recipient_is_member_non_member_total",
            "tes_outbound_dane_opportunistic_destination_total",
            "tes_outbound_dane_opportunistic_host_dane_tls_total",
            "tes_outbound_dane_opportunistic_dane_secure_usable_total");
        assertThat(response.body()).contains("# TYPE tes_dns_latency_CNAME summary", "tes_dns_latency_CNAME_count ",
            "# TYPE tes_smtp_tls_starttls_total counter",
            "tes_smtp_tls_starttls_total 2.0", "tes_outbound_dane_opportunistic_dane_secure_usable_total 1.0");
        assertThat(response.body()).contains("# TYPE tes_dns_latency_CNAME summary",
            "tes_dns_latency_CNAME{quantile=\"0.99\",}", "tes_dns_latency_CNAME_count ");
        List<Pattern> documented = Metrics.readmePatterns();
        assertThat(documented).hasSizeGreaterThan(30);
        List<String> undocumented = Metrics.undocumented(names, documented);
        assertThat(undocumented).as("TES metrics at /metrics missing from the README's table").isEmpty();
    }

    private static JsonNode setting(List<JsonNode> settings, String key) {
        return settings.stream().filter(setting -> setting.get("key").asText().equals(key)).findFirst().orElseThrow();
    }

    JsonNode get(int status, String path) throws Exception {
        return send("GET", status, path);
    }

    private JsonNode getArray(int status, String path) throws Exception {
        JsonNode body = get(status, path);
        assertThat(body.isArray()).as(body.toString()).isTrue();
        return body;
    }

    JsonNode send(String method, int status, String path) throws Exception {
        HttpResponse<String> response = request(james, method, path);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
            assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    static HttpResponse<String> request(JamesProcess james, String method, String path, String... headers)
            throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(james.webadminUri(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<JsonNode> list(JsonNode array) {
        return new ArrayList<>(StreamSupport.stream(array.spliterator(), false).toList());
    }
}
