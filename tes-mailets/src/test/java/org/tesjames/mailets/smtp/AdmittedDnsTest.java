package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The place of {@link PendingSessions} is taken at a lookup's first question without a cached answer, before
 * anything is sent; a client without a place sends nothing, and still gets what the cache answers.
 */
class AdmittedDnsTest {
    private static final Name SLOW = Name.fromConstantString("tes-master.slow.example.");
    private static final Name OTHER = Name.fromConstantString("tes-master.other.example.");
    private static final Name KNOWN = Name.fromConstantString("tes-master.known.example.");

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    /** One lookup in progress per client. */
    private final PendingSessions pending = new PendingSessions(10, 1, metrics);
    private final Upstream upstream = new Upstream();
    private final CachingDnsClient cache = CachingDnsClient.builder(upstream).build();
    private final InetAddress client = InetAddress.getLoopbackAddress();

    /** Answers a query when the test says so; counts the queries it was sent. */
    private static final class Upstream implements DnsClient {
        final Map<Name, CompletableFuture<DnsResult>> asked = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<DnsResult> query(Name name, int type) {
            return asked.computeIfAbsent(name, key -> new CompletableFuture<>());
        }

        void answer(Name name) {
            asked.get(name).complete(new DnsResult.NxDomain(name, Type.CNAME, Duration.ofMinutes(5), false));
        }
    }

    @Test
    void aQueryTakesTheClientsPlaceBeforeItIsSentAndGivesItBackWhenAnswered() {
        AdmittedDns dns = new AdmittedDns(cache, pending, client);

        CompletableFuture<DnsResult> lookup = dns.releaseWhenDone(dns.query(SLOW, Type.CNAME).toCompletableFuture());

        assertThat(upstream.asked).containsOnlyKeys(SLOW);
        assertThat(dns.refused()).isFalse();
        assertThat(pending.waiting()).isEqualTo(1);
        upstream.answer(SLOW);
        assertThat(lookup).isDone();
        assertThat(pending.waiting()).isZero();
    }

    @Test
    void aClientWithoutAPlaceSendsNothingAndItsLookupNeverCompletes() {
        AdmittedDns first = new AdmittedDns(cache, pending, client);
        first.releaseWhenDone(first.query(SLOW, Type.CNAME).toCompletableFuture());
        AdmittedDns second = new AdmittedDns(cache, pending, client);

        CompletableFuture<DnsResult> refused = second.releaseWhenDone(
            second.query(OTHER, Type.CNAME).toCompletableFuture());

        assertThat(second.refused()).isTrue();
        assertThat(upstream.asked).containsOnlyKeys(SLOW);
        upstream.answer(SLOW);
        assertThat(refused).isNotDone();
        assertThat(pending.waiting()).as("the refused lookup took no place, so gives none back").isZero();
    }

    @Test
    void whatTheCacheAnswersNeedsNoPlace() {
        CompletableFuture<DnsResult> primed = cache.query(KNOWN, Type.CNAME).toCompletableFuture();
        upstream.answer(KNOWN);
        assertThat(primed).isDone();
        AdmittedDns first = new AdmittedDns(cache, pending, client);
        first.releaseWhenDone(first.query(SLOW, Type.CNAME).toCompletableFuture());
        AdmittedDns overTheBound = new AdmittedDns(cache, pending, client);

        CompletableFuture<DnsResult> known = overTheBound.releaseWhenDone(
            overTheBound.query(KNOWN, Type.CNAME).toCompletableFuture());

        assertThat(known).isCompletedWithValueMatching(result -> result instanceof DnsResult.NxDomain);
        assertThat(overTheBound.refused()).isFalse();
        assertThat(upstream.asked).containsOnlyKeys(KNOWN, SLOW);
        assertThat(pending.waiting()).isEqualTo(1);
    }

    @Test
    void oneLookupTakesOnePlaceForAllItsQueries() {
        AdmittedDns dns = new AdmittedDns(cache, pending, client);

        List<CompletableFuture<DnsResult>> queries = List.of(dns.query(SLOW, Type.CNAME).toCompletableFuture(),
            dns.query(OTHER, Type.CNAME).toCompletableFuture());

        assertThat(dns.refused()).isFalse();
        assertThat(upstream.asked).containsOnlyKeys(SLOW, OTHER);
        assertThat(pending.waiting()).isEqualTo(1);
        upstream.answer(SLOW);
        upstream.answer(OTHER);
        assertThat(queries).allMatch(CompletableFuture::isDone);
    }

    @Test
    void aQuestionAskedAfterTheLookupEndedIsNotSent() {
        AdmittedDns dns = new AdmittedDns(cache, pending, client);
        dns.query(SLOW, Type.CNAME);
        CompletableFuture<Void> lookup = new CompletableFuture<>();
        CompletableFuture<Void> released = dns.releaseWhenDone(lookup);

        lookup.complete(null); // the deadline, while the query is still out
        CompletableFuture<DnsResult> late = dns.query(OTHER, Type.CNAME).toCompletableFuture();

        assertThat(released).isDone();
        assertThat(pending.waiting()).isZero();
        assertThat(late).isCompletedWithValueMatching(result -> result instanceof DnsResult.Failure failure
            && failure.kind() == DnsResult.Failure.Kind.TIMEOUT);
        assertThat(upstream.asked).containsOnlyKeys(SLOW);
    }

    @Test
    void anotherClientKeepsItsOwnPlace() throws Exception {
        AdmittedDns first = new AdmittedDns(cache, pending, client);
        first.query(SLOW, Type.CNAME);
        AdmittedDns another = new AdmittedDns(cache, pending, InetAddress.getByName("192.0.2.7"));

        another.query(OTHER, Type.CNAME);

        assertThat(another.refused()).isFalse();
        assertThat(upstream.asked).containsOnlyKeys(SLOW, OTHER);
    }
}
