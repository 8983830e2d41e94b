package org.tesjames.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimSignature;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dkim.verify.BodyHashes;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dmarc.AuthorDomain;
import org.tesjames.core.dmarc.DmarcEvaluator;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.dmarc.SpfResult;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.mail.HeaderFields;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.membership.Step;
import org.tesjames.core.policy.AuthenticationOutcome;
import org.tesjames.core.policy.TesPolicies;
import org.tesjames.core.policy.Verdict;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.xbill.DNS.Type;

/** DKIM, SPF and DMARC together over the real DNS client against the test DNS server. */
class MessageAuthenticatorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T10:00:00Z"), ZoneOffset.UTC);
    private static final String MESSAGE = """
        From: Alice <alice@example.com>
        To: bob@example.net
        Subject: Hello
        Date: Fri, 1 Mar 2024 10:00:00 +0000
        Message-ID: <1@example.com>

        Hello Bob.
        """.replace("\n", "\r\n");

    private static DkimKey key;

    private TestDnsServer dns;
    private MessageAuthenticator authenticator;

    @BeforeAll
    static void keys() throws Exception {
        key = DkimKeyFile.parse(DkimKeyFile.pem(DkimKeyFile.generate(DkimKeyType.RSA, 2048).getPrivate()),
            "example.com", "sel", Path.of("sel"));
    }

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        dns.zone("example.com")
            .txt("sel._domainkey", key.keyRecord().text())
            .txt("@", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("_dmarc", "v=DMARC1; p=reject");
        dns.zone("example.org").txt("@", "v=spf1 ip4:198.51.100.0/24 -all");
        DnsClient client = DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0);
        authenticator = new MessageAuthenticator(new DkimVerifier(client, CLOCK), new SpfVerifier(client),
            new DmarcPolicyDiscovery(client), new DmarcEvaluator(() -> 0, Policy.REJECT));
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private static String signed(String message) {
        DkimSigner signer = new DkimSigner(domain -> List.of(key), CLOCK);
        StringBuilder head = new StringBuilder();
        for (DkimSignature signature : signer.sign("example.com", bytes(message)).signatures()) {
            head.append(signature.headerField()).append("\r\n");
        }
        return head + message;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private AuthenticationReport authenticate(String message, String ip, String mailFrom) throws Exception {
        return authenticator.authenticate(bytes(message),
                new SmtpIdentity(InetAddress.getByName(ip), "client.example.org", mailFrom))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void prefetchStartsTheDkimKeyAndDmarcLookupsOfAHeader() throws Exception {
        String message = signed(MESSAGE);
        HeaderFields header = HeaderFields.parse(bytes(message.substring(0, message.indexOf("\r\n\r\n") + 4)));

        authenticator.prefetch(header, new SmtpIdentity(InetAddress.getByName("192.0.2.1"), "client.example.org",
            "alice@example.com"));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!dns.queryCounts().keySet().containsAll(List.of("sel._domainkey.example.com./TXT",
                "_dmarc.example.com./TXT")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(dns.queryCounts()).containsKeys("sel._domainkey.example.com./TXT", "_dmarc.example.com./TXT");
    }

    @Test
    void authenticatingAPrefetchedHeaderAsksForItsDmarcPolicyOnce() throws Exception {
        String message = signed(MESSAGE);
        byte[] octets = bytes(message);
        HeaderFields header = HeaderFields.parse(octets);
        SmtpIdentity identity = new SmtpIdentity(InetAddress.getByName("192.0.2.1"), "client.example.org",
            "alice@example.com");

        MessageAuthenticator.Prefetched prefetched = authenticator.prefetch(header, identity);
        AuthenticationReport report = authenticator.authenticate(prefetched, BodyHashes.of(header), identity,
            authenticator.checkSpf(identity)).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
        assertThat(report.author()).isEqualTo(new AuthorDomain.Single("example.com"));
        assertThat(dns.queryCount("_dmarc.example.com.", Type.TXT)).isEqualTo(1);
    }

    @Test
    void aPrefetchedDmarcDiscoveryThatFailedTemporarilyIsAskedAgain() throws Exception {
        byte[] octets = bytes(signed(MESSAGE));
        HeaderFields header = HeaderFields.parse(octets);
        SmtpIdentity identity = new SmtpIdentity(InetAddress.getByName("192.0.2.1"), "client.example.org",
            "alice@example.com");
        dns.fault("_dmarc.example.com", Type.TXT, Fault.servfail().times(1));
        MessageAuthenticator.Prefetched prefetched = authenticator.prefetch(header, identity);

        AuthenticationReport report = authenticator.authenticate(prefetched, BodyHashes.of(header), identity,
            authenticator.checkSpf(identity)).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
        assertThat(dns.queryCount("_dmarc.example.com.", Type.TXT)).isEqualTo(2);
    }

    @Nested
    class Passing {
        @Test
        void alignedDkimAndSpfPass() throws Exception {
            AuthenticationReport report = authenticate(signed(MESSAGE), "192.0.2.1", "alice@example.com");

            assertThat(report.dkim().signatures()).singleElement()
                .satisfies(signature -> assertThat(signature.result()).isEqualTo(DkimResult.PASS));
            assertThat(report.spf().result()).isEqualTo(SpfResult.PASS);
            assertThat(report.author()).isEqualTo(new AuthorDomain.Single("example.com"));
            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
            assertThat(report.dmarc().dkimAligned()).isTrue();
            assertThat(report.dmarc().spfAligned()).isTrue();
            assertThat(report.hasPassingSignatureFor("EXAMPLE.com.")).isTrue();
            assertThat(report.hasPassingSignatureFor("example.org")).isFalse();
            assertThat(report.messageId()).contains("<1@example.com>");
            assertThat(report.policy()).containsInstanceOf(DmarcPolicyDiscovery.Found.class);
        }

        @Test
        void alignedDkimAloneIsEnoughWhenSpfFails() throws Exception {
            AuthenticationReport report = authenticate(signed(MESSAGE), "203.0.113.5", "alice@example.com");

            assertThat(report.spf().result()).isEqualTo(SpfResult.FAIL);
            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
            assertThat(report.dmarc().spfAligned()).isFalse();
        }

        @Test
        void theHeaderReportsAll() throws Exception {
            AuthenticationReport report = authenticate(signed(MESSAGE), "192.0.2.1", "alice@example.com");
            String b = report.dkim().signatures().get(0).signatureData().substring(0, 8);
            String expectedB = b.matches("[A-Za-z0-9+]+") ? b : "\"" + b + "\"";

            assertThat(AuthenticationResultsHeader.render("mx.example.net", report)).isEqualTo("mx.example.net; "
                + "dkim=pass header.d=example.com header.s=sel header.b=" + expectedB + " header.a=rsa-sha256; "
                + "spf=pass smtp.mailfrom=example.com; dmarc=pass (p=reject dis=none) header.from=example.com");
        }
    }

    @Test
    void dkimAndSpfLookupsAreInFlightTogether() throws Exception {
        // Each of the two lookups is answered only once the other one was sent: run one after the other, they
        // would wait for each other until the test's deadline.
        DnsClient real = DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0);
        java.util.concurrent.CompletableFuture<Void> keyAsked = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Void> spfAsked = new java.util.concurrent.CompletableFuture<>();
        DnsClient gated = (name, type) -> {
            String queried = name.toString(true);
            if (type == Type.TXT && queried.equals("sel._domainkey.example.com")) {
                keyAsked.complete(null);
                return spfAsked.thenCompose(ignored -> real.query(name, type));
            }
            if (type == Type.TXT && queried.equals("example.com")) {
                spfAsked.complete(null);
                return keyAsked.thenCompose(ignored -> real.query(name, type));
            }
            return real.query(name, type);
        };
        MessageAuthenticator concurrent = new MessageAuthenticator(new DkimVerifier(gated, CLOCK),
            new SpfVerifier(gated), new DmarcPolicyDiscovery(gated), new DmarcEvaluator(() -> 0, Policy.REJECT));

        AuthenticationReport report = concurrent.authenticate(bytes(signed(MESSAGE)),
                new SmtpIdentity(InetAddress.getByName("192.0.2.1"), "client.example.org", "alice@example.com"))
            .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
    }

    @Test
    void theReportsMessageIdIsSafeForALogLine() throws Exception {
        String hostile = MESSAGE.replace("Message-ID: <1@example.com>",
            "Message-ID: <1@example.com>\r INFO forged\u0000 " + "x".repeat(10_000));

        AuthenticationReport report = authenticate(hostile, "192.0.2.1", "alice@example.com");

        assertThat(report.messageId()).hasValueSatisfying(id -> {
            assertThat(id).startsWith("<1@example.com> INFO forged").endsWith("...").hasSize(200);
            assertThat(id.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        });
    }

    @Test
    void theEnvelopeSendersSignatureIsVerifiedEvenBehindMoreSignaturesThanTheMaximum() throws Exception {
        StringBuilder prepended = new StringBuilder();
        for (int i = 0; i < DkimVerifier.Settings.DEFAULTS.maxSignatures(); i++) {
            prepended.append("DKIM-Signature: v=1; a=rsa-sha256; d=evil").append(i)
                .append(".example; s=x; h=from; bh=AAAA; b=AAAA\r\n");
        }

        AuthenticationReport report = authenticate(prepended + signed(MESSAGE), "203.0.113.5", "alice@example.com");

        assertThat(report.hasPassingSignatureFor("example.com")).isTrue();
        assertThat(report.dkim().notEvaluated()).isEqualTo(1);
    }

    @Test
    void theReportCarriesTheSignatureValue() throws Exception {
        String message = signed(MESSAGE);
        java.util.regex.Matcher b = java.util.regex.Pattern.compile("[;\\s]b=([^;]*)").matcher(message);
        assertThat(b.find()).isTrue();

        AuthenticationReport report = authenticate(message, "192.0.2.1", "alice@example.com");

        assertThat(report.dkim().signatures().get(0).signatureData())
            .isEqualTo(b.group(1).replaceAll("[ \t\r\n]", ""));
    }

    @Nested
    class Failing {
        @Test
        void unsignedMessageFromAnUnauthorisedHostFailsDmarcWithReject() throws Exception {
            AuthenticationReport report = authenticate(MESSAGE, "203.0.113.5", "alice@example.com");

            assertThat(report.dkim().signatures()).isEmpty();
            assertThat(report.spf().result()).isEqualTo(SpfResult.FAIL);
            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.FAIL);
            assertThat(report.dmarc().disposition()).isEqualTo(Policy.REJECT);
        }

        @Test
        void spfPassOfAnotherDomainIsNotAligned() throws Exception {
            AuthenticationReport report = authenticate(MESSAGE, "198.51.100.5", "bounce@example.org");

            assertThat(report.spf().result()).isEqualTo(SpfResult.PASS);
            assertThat(report.spf().domain()).isEqualTo("example.org");
            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.FAIL);
        }

        @Test
        void alteredBodyFailsDkim() throws Exception {
            String tampered = signed(MESSAGE).replace("Hello Bob.", "Hello Bob!");
            AuthenticationReport report = authenticate(tampered, "203.0.113.5", "alice@example.com");

            assertThat(report.dkim().signatures().get(0).result()).isEqualTo(DkimResult.FAIL);
            assertThat(report.hasPassingSignatureFor("example.com")).isFalse();
            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.FAIL);
        }
    }

    @Nested
    class TemporaryErrors {
        @Test
        void keyLookupTimeoutIsADkimTemperrorNotAnException() throws Exception {
            dns.fault("sel._domainkey.example.com", Type.TXT, Fault.noAnswer());
            AuthenticationReport report = authenticate(signed(MESSAGE), "203.0.113.5", "alice@example.com");

            assertThat(report.dkim().signatures().get(0).result()).isEqualTo(DkimResult.TEMPERROR);
            assertThat(report.dkimTemporaryError("example.com")).isTrue();
            assertThat(report.dkimTemporaryError("example.org")).isFalse();
        }

        @Test
        void spfServfailIsTemperror() throws Exception {
            dns.fault("example.com", Type.TXT, Fault.servfail());
            AuthenticationReport report = authenticate(MESSAGE, "192.0.2.1", "alice@example.com");

            assertThat(report.spf().result()).isEqualTo(SpfResult.TEMPERROR);
        }

        @Test
        void anAlignedDkimKeyTimeoutMakesDmarcTemperrorAndDefersInsteadOfRejecting() throws Exception {
            dns.fault("sel._domainkey.example.com", Type.TXT, Fault.noAnswer());
            AuthenticationReport report = authenticate(signed(MESSAGE), "203.0.113.5", "alice@example.com");

            assertThat(report.spf().result()).isEqualTo(SpfResult.FAIL);
            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.TEMPERROR);
            assertThat(policyVerdict(report)).isEqualTo(Verdict.defer("TES lookup failed: DMARC policy (<1@example.com>)"));
        }

        @Test
        void anAlignedSpfServfailMakesDmarcTemperrorAndDefersInsteadOfRejecting() throws Exception {
            dns.fault("example.com", Type.TXT, Fault.servfail());
            AuthenticationReport report = authenticate(MESSAGE, "192.0.2.1", "alice@example.com");

            assertThat(report.dkim().signatures()).isEmpty();
            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.TEMPERROR);
            assertThat(policyVerdict(report)).isEqualTo(Verdict.defer("TES lookup failed: DMARC policy (<1@example.com>)"));
        }

        /** The verdict for a sender held to DMARC (not a member: only the DMARC rule applies). */
        private Verdict policyVerdict(AuthenticationReport report) {
            return TesPolicies.messageAuthentication(new MembershipVerdict.NotMember("example.com",
                    Step.TES_MASTER, "NXDOMAIN", Duration.ZERO), "example.com",
                AuthenticationOutcome.of(report.dkim(), report.dmarc()), "<1@example.com>", true);
        }

        @Test
        void dmarcServfailIsTemperror() throws Exception {
            dns.fault("_dmarc.example.com", Type.TXT, Fault.servfail());
            AuthenticationReport report = authenticate(MESSAGE, "192.0.2.1", "alice@example.com");

            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.TEMPERROR);
        }
    }

    @Nested
    class AuthorDomains {
        private AuthorDomain author(String header) {
            return MessageAuthenticator.authorDomain(HeaderFields.parse(bytes(header + "\r\n\r\nbody\r\n")));
        }

        @Test
        void oneAddress() {
            assertThat(author("From: Alice <alice@Example.COM>")).isEqualTo(new AuthorDomain.Single("example.com"));
        }

        @Test
        void severalAddressesOfOneDomainAreOne() {
            assertThat(author("From: a@example.com, \"B, b\" <b@example.com>"))
                .isEqualTo(new AuthorDomain.Single("example.com"));
        }

        @Test
        void foldedField() {
            assertThat(author("From: Alice\r\n <alice@example.com>")).isEqualTo(new AuthorDomain.Single("example.com"));
        }

        @Test
        void severalDomainsInOneField() {
            assertThat(author("From: a@example.com, b@example.org"))
                .isEqualTo(new AuthorDomain.Several(List.of("example.com", "example.org")));
        }

        @Test
        void severalFromFieldsAllCount() {
            assertThat(author("From: a@example.com\r\nFrom: b@example.org"))
                .isEqualTo(new AuthorDomain.Several(List.of("example.com", "example.org")));
        }

        @Test
        void noFromIsMissing() {
            assertThat(author("Subject: x")).isEqualTo(new AuthorDomain.Missing());
        }

        @Test
        void unparsableFrom() {
            assertThat(author("From: <alice@example.com")).isInstanceOf(AuthorDomain.Unparsable.class);
            assertThat(author("From: alice")).isInstanceOf(AuthorDomain.Unparsable.class);
            assertThat(author("From: alice@[192.0.2.1]")).isInstanceOf(AuthorDomain.Unparsable.class);
        }

        @Test
        void severalDomainsFailDmarcClosedWithoutAnyQuery() throws Exception {
            String message = MESSAGE.replace("From: Alice <alice@example.com>",
                "From: alice@example.com, mallory@example.org");
            AuthenticationReport report = authenticate(message, "192.0.2.1", "alice@example.com");

            assertThat(report.dmarc().result()).isEqualTo(DmarcResult.Result.PERMERROR);
            assertThat(report.dmarc().disposition()).isEqualTo(Policy.REJECT);
            assertThat(report.policy()).isEmpty();
            assertThat(dns.queryCount("_dmarc.example.com", Type.TXT)).isZero();
        }
    }
}
