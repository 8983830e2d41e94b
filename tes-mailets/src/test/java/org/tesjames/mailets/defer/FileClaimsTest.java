package org.tesjames.mailets.defer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.mailrepository.api.MailKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.mailets.MutableClock;

class FileClaimsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final MailKey KEY = new MailKey("m1-tes-defer-1");

    @TempDir
    Path directory;

    private final MutableClock clock = new MutableClock(T0);

    private FileClaims node(String name) {
        return new FileClaims(directory, LEASE, clock, name);
    }

    @Test
    void aHeldKeyCannotBeClaimedByAnotherNodeUntilReleased() {
        FileClaims a = node("a");
        FileClaims b = node("b");

        DeferralClaims.Claim held = a.tryClaim(KEY).orElseThrow();
        assertThat(b.tryClaim(KEY)).isEmpty();
        assertThat(a.tryClaim(KEY)).isEmpty();
        assertThat(held.stillHeld()).isTrue();

        held.close();
        assertThat(directory).isEmptyDirectory();
        assertThat(b.tryClaim(KEY)).isPresent();
    }

    @Test
    void aNodeThatDiedHoldingAClaimBlocksTheKeyForOneLeaseThenAnotherTakesOver() throws Exception {
        FileClaims dead = node("dead");
        DeferralClaims.Claim lost = dead.tryClaim(KEY).orElseThrow();
        FileClaims b = node("b");

        clock.advance(LEASE.minusSeconds(1));
        assertThat(b.tryClaim(KEY)).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        DeferralClaims.Claim takenOver = b.tryClaim(KEY).orElseThrow();
        assertThat(takenOver.stillHeld()).isTrue();
        assertThat(lost.stillHeld()).isFalse();
        assertThat(Files.readString(directory.resolve(fileName(2)))).endsWith(" b\n");

        // The old holder wakes up and releases: the new claim stays.
        lost.close();
        assertThat(node("c").tryClaim(KEY)).isEmpty();
        takenOver.close();
        assertThat(directory).isEmptyDirectory();
    }

    @Test
    void aHolderGivesUpAfterHalfItsLease() {
        DeferralClaims.Claim held = node("a").tryClaim(KEY).orElseThrow();

        clock.advance(LEASE.dividedBy(2).minusMillis(1));
        assertThat(held.stillHeld()).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(held.stillHeld()).isFalse();
    }

    @Test
    void aClaimFileItsCreatorDiedBeforeWritingExpiresOneLeaseAfterItWasCreated() throws Exception {
        Path empty = Files.createFile(directory.resolve(fileName(1)));
        Files.setLastModifiedTime(empty, FileTime.from(T0));

        assertThat(node("b").tryClaim(KEY)).isEmpty();
        clock.advance(LEASE);
        assertThat(node("b").tryClaim(KEY)).isPresent();
    }

    @Test
    void ofManyNodesClaimingAtOnceExactlyOneWinsEachKey() throws Exception {
        int nodes = 8;
        int keys = 50;
        ExecutorService threads = Executors.newFixedThreadPool(nodes);
        Set<String> winners = ConcurrentHashMap.newKeySet();
        AtomicInteger wins = new AtomicInteger();
        try {
            for (int k = 0; k < keys; k++) {
                MailKey key = new MailKey("mail-" + k);
                CyclicBarrier start = new CyclicBarrier(nodes);
                List<Future<Optional<DeferralClaims.Claim>>> attempts = new ArrayList<>();
                for (int n = 0; n < nodes; n++) {
                    FileClaims node = node("n" + n);
                    attempts.add(threads.submit(() -> {
                        start.await();
                        return node.tryClaim(key);
                    }));
                }
                for (Future<Optional<DeferralClaims.Claim>> attempt : attempts) {
                    if (attempt.get().isPresent()) {
                        wins.incrementAndGet();
                        winners.add(key.asString());
                    }
                }
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(wins.get()).isEqualTo(keys);
        assertThat(winners).hasSize(keys);
    }

    @Test
    void staleClaimsOfMailsNoLongerParkedAreForgotten() {
        FileClaims a = node("a");
        a.tryClaim(KEY).orElseThrow();
        a.tryClaim(new MailKey("still-parked")).orElseThrow();
        DeferralClaims.Claim live = a.tryClaim(new MailKey("being-parked")).orElseThrow();

        a.forgetStale(Set.of(new MailKey("still-parked")));
        assertThat(directory.toFile().list()).hasSize(3);

        clock.advance(LEASE);
        a.forgetStale(Set.of(new MailKey("still-parked")));
        assertThat(directory.toFile().list()).hasSize(1);
        assertThat(live.stillHeld()).isFalse();
    }

    private static String fileName(int generation) {
        return java.util.HexFormat.of().formatHex(KEY.asString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
            + "." + generation + ".claim";
    }
}
