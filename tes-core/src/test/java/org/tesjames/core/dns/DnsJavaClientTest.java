package org.tesjames.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.core.dns.DnsClientContract.name;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class DnsJavaClientTest implements DnsClientContract {

    /**
     * Short, but not under 2 s: dnsjava 3.5.2's shared network loop can hold an answer for up to about 1 s, so a
     * shorter timeout makes answers that do arrive look like timeouts.
     */
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(2);

    private TestDnsServer dns;
    private DnsJavaClient client;

    @BeforeEach
    void setUp() {
        dns = TestDnsServer.start();
        DnsClientContract.populate(dns);
        client = DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 0);
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    @Override
    public TestDnsServer dns() {
        return dns;
    }

    @Override
    public DnsClient client() {
        return client;
    }

    private DnsResult resolveWith(DnsClient other, String name, int type) throws Exception {
        return other.query(Name.fromString(name), type).toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static void assertFailure(DnsResult result, DnsResult.Failure.Kind kind) {
        assertThat(result).isInstanceOfSatisfying(DnsResult.Failure.class,
                f -> assertThat(f.kind()).as(f.detail()).isEqualTo(kind));
    }

    @Nested
    class Failures {
        @Test
        void timesOutWhenTheServerDoesNotAnswer() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.noAnswer());
            DnsJavaClient impatient = DnsJavaClient.create(List.of(dns.address()), SHORT_TIMEOUT, 0);

            DnsResult result = resolveWith(impatient, "www.example.com.", Type.A);

            assertFailure(result, DnsResult.Failure.Kind.TIMEOUT);
            assertThat(((DnsResult.Failure) result).detail()).contains(dns.host() + ":" + dns.port());
        }

        @Test
        void completesTimeoutsOffDnsjavasIoThread() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.noAnswer());
            DnsJavaClient impatient = DnsJavaClient.create(List.of(dns.address()), SHORT_TIMEOUT, 0);

            String thread = impatient.query(name("www.example.com."), Type.A)
                    .thenApply(r -> Thread.currentThread().getName())
                    .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(thread).doesNotContain("dnsjava");
        }

        @Test
        void reportsAnUnparsableAnswerAsMalformed() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.malformed());

            assertFailure(resolve("www.example.com.", Type.A), DnsResult.Failure.Kind.MALFORMED);
        }

        @Test
        void reportsAnUnexpectedRcodeAsOtherRcode() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.rcode(Rcode.NOTIMP));

            DnsResult result = resolve("www.example.com.", Type.A);

            assertFailure(result, DnsResult.Failure.Kind.OTHER_RCODE);
            assertThat(((DnsResult.Failure) result).detail()).contains("NOTIMP");
        }

        @Test
        void reportsAnUnreachablePortAsATemporaryFailure() throws Exception {
            InetSocketAddress closed;
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
            }
            DnsJavaClient toNowhere = DnsJavaClient.create(List.of(closed), SHORT_TIMEOUT, 0);

            DnsResult result = resolveWith(toNowhere, "www.example.com.", Type.A);

            // ICMP port unreachable gives a network error; a stack that drops it gives a timeout.
            assertThat(result).isInstanceOfSatisfying(DnsResult.Failure.class, f -> assertThat(f.kind())
                    .isIn(DnsResult.Failure.Kind.NETWORK_ERROR, DnsResult.Failure.Kind.TIMEOUT));
        }

        @Test
        void nxDomainWithoutSoaHasZeroNegativeTtl() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.rcode(Rcode.NXDOMAIN));

            assertThat(resolve("www.example.com.", Type.A))
                    .isEqualTo(new DnsResult.NxDomain(name("www.example.com."), Type.A, Duration.ZERO, false));
        }
    }

    @Nested
    class RetriesAndFallback {
        @Test
        void retriesOverTcpWhenTheUdpAnswerIsTruncated() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.truncated());

            assertThat(resolve("www.example.com.", Type.A)).isInstanceOf(DnsResult.Answer.class);
        }

        @Test
        void fetchesAnswersTooLargeForUdpOverTcp() throws Exception {
            for (int i = 0; i < 40; i++) {
                dns.zone("example.com").txt("big", "a fairly long text record number " + i + " to overflow a UDP answer");
            }

            DnsResult.Answer answer = (DnsResult.Answer) resolve("big.example.com.", Type.TXT);

            assertThat(answer.records()).hasSize(40);
        }

        @Test
        void fallsBackToTheNextServerWhenTheFirstTimesOut() throws Exception {
            try (TestDnsServer dead = TestDnsServer.start()) {
                dead.faultAll(Fault.noAnswer());
                DnsJavaClient twoServers = DnsJavaClient.create(List.of(dead.address(), dns.address()), SHORT_TIMEOUT, 0);

                DnsResult result = resolveWith(twoServers, "www.example.com.", Type.A);

                assertThat(result).isInstanceOf(DnsResult.Answer.class);
                assertThat(dead.queryCount("www.example.com", Type.A)).isEqualTo(1);
                assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);
            }
        }

        @Test
        void fallsBackToTheNextServerOnServfail() throws Exception {
            try (TestDnsServer failing = TestDnsServer.start()) {
                failing.faultAll(Fault.servfail());
                DnsJavaClient twoServers = DnsJavaClient.create(List.of(failing.address(), dns.address()), SHORT_TIMEOUT, 0);

                assertThat(resolveWith(twoServers, "www.example.com.", Type.A)).isInstanceOf(DnsResult.Answer.class);
            }
        }

        @Test
        void doesNotAskTheNextServerAfterANegativeAnswer() throws Exception {
            try (TestDnsServer second = TestDnsServer.start()) {
                DnsClientContract.populate(second);
                DnsJavaClient twoServers = DnsJavaClient.create(List.of(dns.address(), second.address()), SHORT_TIMEOUT, 2);

                assertThat(resolveWith(twoServers, "nowhere.example.com.", Type.A)).isInstanceOf(DnsResult.NxDomain.class);
                assertThat(second.queryCount()).isZero();
            }
        }

        @Test
        void retriesTheServerListTheConfiguredNumberOfTimes() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.noAnswer().times(1));
            DnsJavaClient retrying = DnsJavaClient.create(List.of(dns.address()), SHORT_TIMEOUT, 1);

            assertThat(resolveWith(retrying, "www.example.com.", Type.A)).isInstanceOf(DnsResult.Answer.class);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(2);
        }

        @Test
        void reportsEveryTryWhenAllFail() throws Exception {
            dns.fault("www.example.com", Type.A, Fault.servfail());
            DnsJavaClient retrying = DnsJavaClient.create(List.of(dns.address()), SHORT_TIMEOUT, 2);

            DnsResult result = resolveWith(retrying, "www.example.com.", Type.A);

            assertFailure(result, DnsResult.Failure.Kind.SERVFAIL);
            assertThat(((DnsResult.Failure) result).detail().split("; then ")).hasSize(3);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(3);
        }
    }

    /**
     * The test server never sets AD itself: {@code authenticated} is tested through dnsjava's validating
     * resolver with the test trust anchor, given to the client as an upstream.
     */
    @Nested
    class Authentication {
        private DnsJavaClient validating() {
            return DnsJavaClient.overResolvers(
                    List.of(new DnsJavaClient.Upstream("validating " + dns.host(), dns.newValidatingResolver())), 0);
        }

        @Test
        void plainServerAnswersAreNotAuthenticated() throws Exception {
            assertThat(((DnsResult.Answer) resolve("www.example.com.", Type.A)).authenticated()).isFalse();
        }

        @Test
        void signedAnswersThroughAValidatingResolverAreAuthenticated() throws Exception {
            DnsResult result = resolveWith(validating(), "www.example.com.", Type.A);

            assertThat(result).isInstanceOfSatisfying(DnsResult.Answer.class, a -> assertThat(a.authenticated()).isTrue());
        }

        @Test
        void signedNegativeAnswersThroughAValidatingResolverAreAuthenticated() throws Exception {
            DnsResult result = resolveWith(validating(), "nowhere.example.com.", Type.A);

            assertThat(result).isEqualTo(new DnsResult.NxDomain(name("nowhere.example.com."), Type.A,
                    Duration.ofSeconds(120), true));
        }

        @Test
        void unsignedAnswersThroughAValidatingResolverAreNotAuthenticated() throws Exception {
            dns.zone("example.com").unsigned();

            DnsResult result = resolveWith(validating(), "www.example.com.", Type.A);

            assertThat(result).isInstanceOfSatisfying(DnsResult.Answer.class, a -> assertThat(a.authenticated()).isFalse());
        }

        @Test
        void bogusAnswersAreServfailWithTheValidatorReasonInTheDetail() throws Exception {
            dns.zone("example.com").badSignature("www", Type.A);

            DnsResult result = resolveWith(validating(), "www.example.com.", Type.A);

            assertFailure(result, DnsResult.Failure.Kind.SERVFAIL);
            assertThat(((DnsResult.Failure) result).detail()).contains("validating " + dns.host()).contains("EDE");
        }
    }

    /** The response mapping, on hand-made messages. */
    @Nested
    class Mapping {
        private final DnsJavaClient.Upstream upstream = new DnsJavaClient.Upstream("test",
                new org.xbill.DNS.SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53)));

        private Message response(int rcode) throws Exception {
            Message m = new Message();
            m.getHeader().setFlag(Flags.QR);
            m.getHeader().setRcode(rcode);
            m.addRecord(Record.newRecord(name("q.example."), Type.A, DClass.IN), Section.QUESTION);
            return m;
        }

        @Test
        void negativeTtlIsTheSmallerOfSoaTtlAndSoaMinimum() throws Exception {
            Message m = response(Rcode.NXDOMAIN);
            m.addRecord(new SOARecord(name("example."), DClass.IN, 900, name("ns.example."), name("h.example."),
                    1, 3600, 600, 86400, 300), Section.AUTHORITY);

            assertThat(DnsJavaClient.fromMessage(upstream, name("q.example."), Type.A, m).ttl())
                    .isEqualTo(Duration.ofSeconds(300));
        }

        @Test
        void ignoresTheValidatorReasonRecordAndRecordsOfOtherOwners() throws Exception {
            Message m = response(Rcode.NOERROR);
            m.addRecord(Record.fromString(name("other.example."), Type.A, DClass.IN, 60, "192.0.2.9", Name.root),
                    Section.ANSWER);
            m.addRecord(new TXTRecord(name("q.example."), DnsJavaClient.VALIDATION_REASON_CLASS, 0, "why"),
                    Section.ADDITIONAL);

            assertThat(DnsJavaClient.fromMessage(upstream, name("q.example."), Type.A, m))
                    .isInstanceOf(DnsResult.NoData.class);
        }

        @Test
        void aCnameLoopIsAFailureNotNoData() throws Exception {
            Message m = response(Rcode.NOERROR);
            m.addRecord(Record.fromString(name("q.example."), Type.CNAME, DClass.IN, 60, "r.example.", Name.root),
                    Section.ANSWER);
            m.addRecord(Record.fromString(name("r.example."), Type.CNAME, DClass.IN, 60, "q.example.", Name.root),
                    Section.ANSWER);

            DnsResult result = DnsJavaClient.fromMessage(upstream, name("q.example."), Type.A, m);

            assertFailure(result, DnsResult.Failure.Kind.CNAME_LOOP);
            assertThat(result.isTemporaryFailure()).isTrue();
            assertThat(((DnsResult.Failure) result).detail()).contains("q.example. -> r.example. -> q.example.");
        }

        @Test
        void aCnameToItselfIsALoop() throws Exception {
            Message m = response(Rcode.NOERROR);
            m.addRecord(Record.fromString(name("q.example."), Type.CNAME, DClass.IN, 60, "q.example.", Name.root),
                    Section.ANSWER);

            assertFailure(DnsJavaClient.fromMessage(upstream, name("q.example."), Type.A, m),
                    DnsResult.Failure.Kind.CNAME_LOOP);
        }

        private Message chainOf(int cnames) throws Exception {
            Message m = response(Rcode.NOERROR);
            for (int i = 0; i < cnames; i++) {
                Name owner = i == 0 ? name("q.example.") : name("c" + i + ".example.");
                m.addRecord(Record.fromString(owner, Type.CNAME, DClass.IN, 60, "c" + (i + 1) + ".example.",
                        Name.root), Section.ANSWER);
            }
            m.addRecord(Record.fromString(name("c" + cnames + ".example."), Type.A, DClass.IN, 60, "192.0.2.1",
                    Name.root), Section.ANSWER);
            return m;
        }

        @Test
        void aChainLongerThanTheLimitIsAFailureNotNoData() throws Exception {
            DnsResult result = DnsJavaClient.fromMessage(upstream, name("q.example."), Type.A,
                    chainOf(DnsJavaClient.MAX_CNAME_CHAIN + 1));

            assertFailure(result, DnsResult.Failure.Kind.CNAME_CHAIN_TOO_LONG);
            assertThat(result.isTemporaryFailure()).isTrue();
        }

        @Test
        void aChainAtTheLimitIsFollowed() throws Exception {
            assertThat(DnsJavaClient.fromMessage(upstream, name("q.example."), Type.A,
                    chainOf(DnsJavaClient.MAX_CNAME_CHAIN))).isInstanceOf(DnsResult.Answer.class);
        }

        @Test
        void aChainEndingWithoutRecordsOfTheTypeIsNoData() throws Exception {
            Message m = response(Rcode.NOERROR);
            m.addRecord(Record.fromString(name("q.example."), Type.CNAME, DClass.IN, 60, "r.example.", Name.root),
                    Section.ANSWER);

            assertThat(DnsJavaClient.fromMessage(upstream, name("q.example."), Type.A, m))
                    .isInstanceOf(DnsResult.NoData.class);
        }

        @Test
        void aLoopingAnswerFromTheFirstResolverTriesTheNext() throws Exception {
            CannedResolver looping = new CannedResolver((query, response) -> {
                Name q = query.getQuestion().getName();
                response.addRecord(new org.xbill.DNS.CNAMERecord(q, DClass.IN, 60, q), Section.ANSWER);
            });
            DnsJavaClient twoUpstreams = DnsJavaClient.overResolvers(List.of(looping.upstream(),
                    DnsJavaClient.Upstream.server(dns.address(), Duration.ofSeconds(2))), 0);

            assertThat(resolveWith(twoUpstreams, "www.example.com.", Type.A)).isInstanceOf(DnsResult.Answer.class);
            assertFailure(resolveWith(DnsJavaClient.overResolvers(List.of(looping.upstream()), 0),
                    "www.example.com.", Type.A), DnsResult.Failure.Kind.CNAME_LOOP);
        }

        @Test
        void sendsRecursionDesiredAndTheDoBit() {
            Message query = DnsJavaClient.newQuery(name("q.example."), Type.A);

            assertThat(query.getHeader().getFlag(Flags.RD)).isTrue();
            OPTRecord opt = query.getOPT();
            assertThat(opt.getFlags() & ExtendedFlags.DO).isEqualTo(ExtendedFlags.DO);
        }
    }
}
