package org.tesjames.testing.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tesjames.testing.dns.DnsQueries.answers;
import static org.tesjames.testing.dns.DnsQueries.query;
import static org.tesjames.testing.dns.DnsQueries.rdata;
import static org.tesjames.testing.dns.DnsQueries.send;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

class FaultInjectionTest {

    private TestDnsServer dns;
    private SimpleResolver resolver;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        dns.zone("example.com").a("www", "192.0.2.1").a("other", "192.0.2.2").mx("@", 10, "www");
        resolver = dns.newResolver();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    private SimpleResolver tcpResolver() {
        SimpleResolver tcp = dns.newResolver();
        tcp.setTCP(true);
        return tcp;
    }

    /**
     * A resolver that gives up after 300 ms, for the tests that expect no answer in time. The others wait the
     * default timeout: an answer that is merely slow on a loaded machine must not fail them.
     */
    private SimpleResolver impatient(boolean tcp) {
        SimpleResolver impatient = tcp ? tcpResolver() : dns.newResolver();
        impatient.setTimeout(Duration.ofMillis(300));
        return impatient;
    }

    @Nested
    class NoAnswer {

        @Test
        void makesTheClientTimeOutOverUdp() {
            dns.fault("www.example.com", Type.A, Fault.noAnswer());

            assertThatThrownBy(() -> send(impatient(false), "www.example.com", Type.A)).isInstanceOf(IOException.class);
            assertThat(dns.queryCount("www.example.com", Type.A)).isEqualTo(1);
        }

        @Test
        void makesTheClientTimeOutOverTcp() {
            dns.fault("www.example.com", Type.A, Fault.noAnswer());

            assertThatThrownBy(() -> send(impatient(true), "www.example.com", Type.A)).isInstanceOf(IOException.class);
            assertThat(dns.queryCount(Transport.TCP)).isEqualTo(1);
        }

        @Test
        void leavesOtherTypesAndNamesAnswered() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.noAnswer());

            assertThat(answers(send(resolver, "other.example.com", Type.A))).hasSize(1);
            assertThat(send(resolver, "www.example.com", Type.AAAA).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(send(resolver, "sub.www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Nested
    class ErrorCodes {

        @Test
        void answersServfail() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.servfail());

            Message answer = send(resolver, "www.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(answers(answer)).isEmpty();
            assertThat(answer.getQuestion().getName()).isEqualTo(DnsQueries.name("www.example.com"));
        }

        @Test
        void answersRefused() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.refused());

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
        }

        @Test
        void answersAnyGivenRcode() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.rcode(Rcode.NOTIMP));

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOTIMP);
            assertThatThrownBy(() -> Fault.rcode(16)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Truncation {

        @Test
        void setsTcOnUdpSoTheClientRetriesOverTcpAndGetsTheFullAnswer() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.truncated());
            SimpleResolver ignoring = dns.newResolver();
            ignoring.setIgnoreTruncation(true);

            Message udpOnly = send(ignoring, "www.example.com", Type.A);
            Message retried = send(resolver, "www.example.com", Type.A);

            assertThat(udpOnly.getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(answers(udpOnly)).isEmpty();
            assertThat(retried.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(rdata(answers(retried))).containsExactly("192.0.2.1");
            assertThat(dns.queryCount(Transport.UDP)).isEqualTo(2);
            assertThat(dns.queryCount(Transport.TCP)).isEqualTo(1);
        }

        @Test
        void isUsedUpOnlyByUdpQueries() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.truncated().times(1));
            SimpleResolver ignoring = dns.newResolver();
            ignoring.setIgnoreTruncation(true);

            assertThat(answers(send(tcpResolver(), "www.example.com", Type.A))).hasSize(1);
            assertThat(send(ignoring, "www.example.com", Type.A).getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(send(ignoring, "www.example.com", Type.A).getHeader().getFlag(Flags.TC)).isFalse();
        }
    }

    @Nested
    class Malformed {

        @Test
        void sendsAPacketTheClientCannotParseOverUdp() {
            dns.fault("www.example.com", Type.A, Fault.malformed());

            assertThatThrownBy(() -> send(resolver, "www.example.com", Type.A)).isInstanceOf(WireParseException.class);
        }

        @Test
        void sendsAPacketTheClientCannotParseOverTcp() {
            dns.fault("www.example.com", Type.A, Fault.malformed());

            assertThatThrownBy(() -> send(tcpResolver(), "www.example.com", Type.A)).isInstanceOf(WireParseException.class);
        }

        @Test
        void carriesTheQueryIdAndACutRecord() {
            Message query = query("www.example.com", Type.A);

            byte[] bytes = TestDnsServer.malformed(query);

            assertThat(((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF)).isEqualTo(query.getHeader().getID());
            assertThatThrownBy(() -> new Message(bytes)).isInstanceOf(WireParseException.class);
        }
    }

    @Nested
    class Latency {

        @Test
        void delaysTheAnswerWithoutHoldingUpOtherQueries() throws Exception {
            Duration delay = Duration.ofMillis(400);
            try (TestDnsServer single = TestDnsServer.builder().workerThreads(1).start()) {
                single.zone("example.com").a("slow", "192.0.2.1").a("fast", "192.0.2.2");
                single.fault("slow.example.com", Type.A, Fault.delay(delay));

                long start = System.nanoTime();
                CompletableFuture<Long> slow = single.newResolver().sendAsync(query("slow.example.com", Type.A))
                        .toCompletableFuture().thenApply(m -> System.nanoTime() - start);
                awaitQuery(single, "slow.example.com", Type.A);
                Message fast = DnsQueries.sendRawUdp(single.address(), query("fast.example.com", Type.A), delay);
                boolean slowDoneWhenFastAnswered = slow.isDone();
                long slowNanos = slow.get(5, TimeUnit.SECONDS);

                assertThat(rdata(answers(fast))).containsExactly("192.0.2.2");
                assertThat(slowDoneWhenFastAnswered).isFalse();
                assertThat(Duration.ofNanos(slowNanos)).isGreaterThanOrEqualTo(delay);
            }
        }

        private void awaitQuery(TestDnsServer server, String name, int type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.queryCount(name, type) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(server.queryCount(name, type)).isEqualTo(1);
        }

        @Test
        void canDelayAFaultyAnswer() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.servfail().delayedBy(Duration.ofMillis(150)));

            long start = System.nanoTime();
            Message answer = send(resolver, "www.example.com", Type.A);

            assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        }

        @Test
        void delaysEveryNameOfASubtreeEvenMadeUpOnes() throws IOException {
            dns.faultBelow("example.com", Fault.delay(Duration.ofMillis(150)));

            long start = System.nanoTime();
            Message answer = send(resolver, "x7f3a.example.com", Type.TXT);

            assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        }

        @Test
        void beyondTheClientTimeoutIsATimeout() {
            dns.fault("www.example.com", Type.A, Fault.delay(Duration.ofMillis(700)));

            assertThatThrownBy(() -> send(impatient(false), "www.example.com", Type.A)).isInstanceOf(IOException.class);
        }
    }

    @Nested
    class Recovery {

        @Test
        void answersNormallyAgainOnceTheFaultIsCleared() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.servfail());
            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);

            dns.clearFault("www.example.com", Type.A);

            assertThat(rdata(answers(send(resolver, "www.example.com", Type.A)))).containsExactly("192.0.2.1");
        }

        @Test
        void failsOnlyTheNextNQueriesOfACountLimitedFault() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.servfail().times(2));

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        }

        @Test
        void recoversFromATimeoutAfterOneDroppedQuery() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.noAnswer().times(1));

            assertThatThrownBy(() -> send(impatient(false), "www.example.com", Type.A)).isInstanceOf(IOException.class);
            assertThat(answers(send(resolver, "www.example.com", Type.A))).hasSize(1);
        }

        @Test
        void clearsEveryFaultAtOnce() throws IOException {
            dns.fault("www.example.com", Type.A, Fault.servfail()).fault("other.example.com", Fault.refused())
                    .faultAll(Fault.servfail());

            dns.clearFaults();

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(send(resolver, "other.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(send(resolver, "example.com", Type.MX).getRcode()).isEqualTo(Rcode.NOERROR);
        }
    }

    @Nested
    class Scope {

        @Test
        void appliesANameFaultToEveryTypeOfThatName() throws IOException {
            dns.fault("www.example.com", Fault.refused());

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(send(resolver, "www.example.com", Type.TXT).getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(send(resolver, "other.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        }

        @Test
        void prefersTheFaultOfTheExactType() throws IOException {
            dns.fault("www.example.com", Fault.refused()).fault("www.example.com", Type.A, Fault.servfail());

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(send(resolver, "www.example.com", Type.MX).getRcode()).isEqualTo(Rcode.REFUSED);
        }

        @Test
        void appliesAGlobalFaultToEveryQuery() throws IOException {
            dns.faultAll(Fault.servfail());

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(send(resolver, "example.com", Type.MX).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }

        @Test
        void appliesASubtreeFaultToTheNameAndEveryNameBelowIt() throws IOException {
            dns.zone("example.net").a("www", "192.0.2.3");
            dns.faultBelow("example.com", Fault.servfail());

            assertThat(send(resolver, "example.com", Type.MX).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(send(resolver, "made.up.example.com", Type.TXT).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(send(resolver, "www.example.net", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(send(resolver, "www.notexample.com", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
        }

        @Test
        void prefersTheFaultsOfTheNameThenTheClosestSubtreeThenTheGlobalOne() throws IOException {
            dns.faultAll(Fault.rcode(Rcode.NOTIMP))
                    .faultBelow("example.com", Fault.servfail())
                    .faultBelow("www.example.com", Fault.refused())
                    .fault("other.example.com", Type.A, Fault.rcode(Rcode.FORMERR));

            assertThat(send(resolver, "a.www.example.com", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(send(resolver, "other.example.com", Type.A).getRcode()).isEqualTo(Rcode.FORMERR);
            assertThat(send(resolver, "other.example.com", Type.MX).getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(send(resolver, "example.org", Type.A).getRcode()).isEqualTo(Rcode.NOTIMP);
        }

        @Test
        void clearsASubtreeFaultWithItsName() throws IOException {
            dns.faultBelow("example.com", Fault.servfail());

            dns.clearFault("example.com");

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        }

        @Test
        void clearsAllFaultsOfOneName() throws IOException {
            dns.fault("www.example.com", Fault.refused()).fault("www.example.com", Type.A, Fault.servfail())
                    .fault("other.example.com", Type.A, Fault.servfail());

            dns.clearFault("WWW.example.com.");

            assertThat(send(resolver, "www.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(send(resolver, "www.example.com", Type.MX).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(send(resolver, "other.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }

        @Test
        void matchesFaultNamesCaseInsensitively() throws IOException {
            dns.fault("WWW.Example.Com.", Type.A, Fault.servfail());

            assertThat(send(resolver, "www.EXAMPLE.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }
    }
}
