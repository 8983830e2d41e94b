package org.tesjames.mailets.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.apache.james.core.healthcheck.ResultStatus;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.config.HealthSettings;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimKeyStore;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.mailets.DkimSigning;
import org.tesjames.mailets.defer.DeferredMails;
import org.tesjames.mailets.defer.ParkedMail;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import reactor.core.publisher.Mono;

class HealthChecksTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    private static HealthProbes probes(DnsClient plain, DnsClient dnssec, String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new HealthProbes(HealthSettings.parse(properties), Duration.ofMillis(300), plain, dnssec);
    }

    private static Result run(HealthCheck check) {
        return Mono.from(check.check()).block(Duration.ofSeconds(10));
    }

    private static DnsClient answering(DnsResult result) {
        return (name, type) -> CompletableFuture.completedFuture(result);
    }

    private static DnsClient never() {
        return (name, type) -> new CompletableFuture<>();
    }

    private static DnsResult.Answer rootNs(boolean authenticated) {
        Record ns = new NSRecord(Name.root, DClass.IN, 3600, Name.fromConstantString("a.root-servers.net."));
        return new DnsResult.Answer(Name.root, Type.NS, List.of(ns), Duration.ofHours(1), authenticated);
    }

    private static DnsResult.Failure failure(Name name, int type, DnsResult.Failure.Kind kind) {
        return new DnsResult.Failure(name, type, kind, "from the test");
    }

    @Nested
    class Resolver {
        @Test
        void aPromptAnswerIsHealthy() {
            Result result = run(new DnsResolverHealthCheck(probes(answering(rootNs(false)), never())));

            assertThat(result.getStatus()).isEqualTo(ResultStatus.HEALTHY);
            assertThat(result.getComponentName().getName()).isEqualTo("tes-dns");
        }

        @Test
        void nxdomainIsAnAnswerToo() {
            DnsResult nx = new DnsResult.NxDomain(Name.root, Type.NS, Duration.ofMinutes(1), false);

            assertThat(run(new DnsResolverHealthCheck(probes(answering(nx), never()))).isHealthy()).isTrue();
        }

        @Test
        void anAnswerSlowerThanTheThresholdIsDegraded() {
            DnsClient slow = (name, type) -> CompletableFuture.supplyAsync(() -> rootNs(false),
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));

            Result result = run(new DnsResolverHealthCheck(probes(slow, never(), "tes.health.dns.slow", "20ms")));

            assertThat(result.getStatus()).isEqualTo(ResultStatus.DEGRADED);
            assertThat(result.getCause()).hasValueSatisfying(cause ->
                assertThat(cause).startsWith("NS .: answered in").contains("slower than tes.health.dns.slow (20 ms)"));
        }

        @Test
        void aServfailIsUnhealthy() {
            Result result = run(new DnsResolverHealthCheck(probes(
                answering(failure(Name.root, Type.NS, DnsResult.Failure.Kind.SERVFAIL)), never())));

            assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
            assertThat(result.getCause()).contains("NS .: SERVFAIL from the test");
        }

        @Test
        void noAnswerWithinTheLookupTimeoutIsUnhealthy() {
            Result result = run(new DnsResolverHealthCheck(probes(never(), never())));

            assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
            assertThat(result.getCause()).contains("NS .: TIMEOUT no answer within lookup.timeout (PT0.3S)");
        }
    }

    @Nested
    class Dnssec {
        private DnsResult.Answer rootKeys(boolean authenticated) {
            Record key = new DNSKEYRecord(Name.root, DClass.IN, 3600, 257, 3, 8, new byte[] {1, 2, 3});
            return new DnsResult.Answer(Name.root, Type.DNSKEY, List.of(key), Duration.ofHours(1), authenticated);
        }

        @Test
        void aSecureRootKeySetIsHealthy() {
            assertThat(run(new DnssecHealthCheck(probes(never(), answering(rootKeys(true))))).isHealthy()).isTrue();
        }

        @Test
        void anInsecureAnswerIsUnhealthy() {
            Result result = run(new DnssecHealthCheck(probes(never(), answering(rootKeys(false)))));

            assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
            assertThat(result.getCause()).hasValueSatisfying(cause ->
                assertThat(cause).contains("not secure: the trust anchors do not validate it"));
        }

        @Test
        void aBogusAnswerIsUnhealthy() {
            Result result = run(new DnssecHealthCheck(probes(never(),
                answering(failure(Name.root, Type.DNSKEY, DnsResult.Failure.Kind.SERVFAIL)))));

            assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
            assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .startsWith("DNSKEY .: SERVFAIL").contains("do the trust anchors match"));
        }

        @Test
        void theCheckIsOffWithProbeNone() {
            assertThat(run(new DnssecHealthCheck(probes(never(), never(), "tes.health.dnssec.probe", "none")))
                .isHealthy()).isTrue();
        }
    }

    @Nested
    class DkimKeys {
        @TempDir
        Path keys;

        private DkimKey writeKey(String domain, String selector) throws Exception {
            Files.createDirectories(keys.resolve(domain));
            Path file = keys.resolve(domain).resolve(selector + ".pem");
            Files.writeString(file, DkimKeyFile.pem(DkimKeyFile.generate(DkimKeyType.ED25519, 256).getPrivate()));
            return DkimKeyFile.read(file, domain, selector);
        }

        private DnsClient publishing(DkimKey key) {
            return (name, type) -> {
                Record txt = new TXTRecord(name, DClass.IN, 300, key.keyRecord().txtStrings());
                return CompletableFuture.completedFuture(
                    new DnsResult.Answer(name, Type.TXT, List.of(txt), Duration.ofMinutes(5), false));
            };
        }

        private Result check(DkimSigning signing, DnsClient dns) {
            return run(new DkimKeysHealthCheck(signing, dns, probes(never(), never())));
        }

        @Test
        void signingDisabledIsHealthy() {
            assertThat(check(DkimSigning.disabled(), never()).isHealthy()).isTrue();
        }

        @Test
        void everyActiveKeyPublishedAsLoadedIsHealthy() throws Exception {
            DkimKey key = writeKey("example.com", "2026-12");

            assertThat(check(DkimSigning.enabled(DkimKeyStore.load(keys), Clock.systemUTC()), publishing(key))
                .isHealthy()).isTrue();
        }

        @Test
        void aMissingRecordIsDegradedNamingTheKey() throws Exception {
            writeKey("example.com", "2026-12");
            DnsClient nothing = (name, type) -> CompletableFuture.completedFuture(
                new DnsResult.NxDomain(name, type, Duration.ofMinutes(5), false));

            Result result = check(DkimSigning.enabled(DkimKeyStore.load(keys), Clock.systemUTC()), nothing);

            assertThat(result.getStatus()).isEqualTo(ResultStatus.DEGRADED);
            assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .contains("2026-12._domainkey.example.com: mismatch: no TXT record"));
        }

        @Test
        void aRecordOfAnotherKeyIsDegraded() throws Exception {
            writeKey("example.com", "2026-12");
            DkimKey other = writeKey("other.example", "s1");

            Result result = check(DkimSigning.enabled(DkimKeyStore.load(keys), Clock.systemUTC()), publishing(other));

            assertThat(result.getStatus()).isEqualTo(ResultStatus.DEGRADED);
            assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .contains("1 of 2 active key(s)").contains("p= differs from the public key of the key file"));
        }

        @Test
        void aKeyFileThatDoesNotLoadIsUnhealthy() throws Exception {
            Files.createDirectories(keys.resolve("example.com"));
            Files.writeString(keys.resolve("example.com/broken.pem"), "not a key");

            Result result = check(DkimSigning.enabled(DkimKeyStore.load(keys), Clock.systemUTC()), never());

            assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
            assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .startsWith("1 key file(s) did not load").contains("broken.pem"));
        }
    }

    @Nested
    class Backlog {
        private final DeferredMails deferredMails = new DeferredMails(Path::of, new RecordingMetricFactory());

        private void repository(String name, long size, List<ParkedMail> mails) {
            deferredMails.register(new DeferredMails.Repository() {
                @Override
                public MailRepositoryUrl url() {
                    return MailRepositoryUrl.from("memory://var/mail/" + name + "/");
                }

                @Override
                public long size() {
                    return size;
                }

                @Override
                public List<ParkedMail> list(int limit) {
                    return mails.subList(0, Math.min(limit, mails.size()));
                }

                @Override
                public DeferredMails.Outcome reinject(String key) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public DeferredMails.Outcome expire(String key, String reason) {
                    throw new UnsupportedOperationException();
                }
            });
        }

        private ParkedMail parked(String name, Instant firstSeen) {
            return new ParkedMail("memory://var/mail/r/", name + "-tes-defer-1", Optional.of(name),
                Optional.of("a@example.com"), List.of("b@example.net"), Optional.of(1),
                Optional.of(firstSeen.toString()), Optional.of(NOW.toString()), Optional.of("relay"),
                Optional.of("TES lookup failed"), false);
        }

        private Result check(String... settings) {
            return run(new DeferredMailHealthCheck(deferredMails, probes(never(), never(), settings),
                Clock.fixed(NOW, ZoneOffset.UTC)));
        }

        @Test
        void noParkedMailIsHealthy() {
            assertThat(check().isHealthy()).isTrue();
        }

        @Test
        void moreMailsThanTheLimitAcrossRepositoriesIsDegraded() {
            repository("a", 3, List.of());
            repository("b", 3, List.of());

            Result result = check("tes.health.deferred.max-mails", "5");

            assertThat(result.getStatus()).isEqualTo(ResultStatus.DEGRADED);
            assertThat(result.getCause()).contains("more than 5 mails parked (tes.health.deferred.max-mails),"
                + " counting 6 so far");
            assertThat(check("tes.health.deferred.max-mails", "6").isHealthy()).isTrue();
        }

        @Test
        void aMailParkedLongerThanTheMaximumAgeIsDegradedNamingIt() {
            repository("r", 2, List.of(parked("recent", NOW.minusSeconds(60)), parked("old", NOW.minus(Duration.ofHours(7)))));

            Result result = check();

            assertThat(result.getStatus()).isEqualTo(ResultStatus.DEGRADED);
            assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .startsWith("mail old in memory://var/mail/r/ was first deferred 420 min ago")
                .endsWith("last reason: TES lookup failed"));
            assertThat(check("tes.health.deferred.max-age", "8h").isHealthy()).isTrue();
        }
    }
}
