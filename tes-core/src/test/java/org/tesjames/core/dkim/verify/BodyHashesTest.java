package org.tesjames.core.dkim.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dkim.BodyHasher;
import org.tesjames.core.mail.HeaderFields;

class BodyHashesTest {
    private static final HeaderFields MESSAGE = HeaderFields.parse(("From: a@example.com\r\n\r\n"
        + "line  one \r\n".repeat(20_000)).getBytes(StandardCharsets.US_ASCII));

    @Test
    void theHashesOfABodyInMemoryAreComputedOnceAndSafelyFromConcurrentSignatureChecks() throws Exception {
        BodyHashes hashes = BodyHashes.of(MESSAGE);
        List<BodyHashes.Key> keys = List.of(
            new BodyHashes.Key(BodyHasher.Canonicalization.RELAXED, Long.MAX_VALUE),
            new BodyHashes.Key(BodyHasher.Canonicalization.SIMPLE, Long.MAX_VALUE),
            new BodyHashes.Key(BodyHasher.Canonicalization.RELAXED, 100));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CyclicBarrier start = new CyclicBarrier(8);
        try {
            List<CompletableFuture<BodyHashes.Hash>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                BodyHashes.Key key = keys.get(i % keys.size());
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return hashes.get(key).orElseThrow();
                }, threads));
            }
            for (int i = 0; i < results.size(); i++) {
                BodyHashes.Key key = keys.get(i % keys.size());
                BodyHasher alone = BodyHasher.create(key.canonicalization(), key.limit());
                MESSAGE.body(alone::update);
                assertThat(results.get(i).get(30, TimeUnit.SECONDS).digest()).isEqualTo(alone.finish());
                assertThat(results.get(i).get()).isSameAs(hashes.get(key).orElseThrow());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aBodyStreamedInChunksOfAnySizeHasTheHashesOfTheWholeBody() {
        List<BodyHashes.Key> keys = List.of(
            new BodyHashes.Key(BodyHasher.Canonicalization.RELAXED, Long.MAX_VALUE),
            new BodyHashes.Key(BodyHasher.Canonicalization.SIMPLE, Long.MAX_VALUE),
            new BodyHashes.Key(BodyHasher.Canonicalization.RELAXED, 3 * BodyHashes.Streaming.BATCH + 17));
        int batch = BodyHashes.Streaming.BATCH;
        // lines as an SMTP server hands them over; chunks that fill the batch exactly, cross its end, or exceed it
        int[][] chunkings = {{1, 78, 2, 998}, {batch}, {batch - 1, 2}, {batch + 1}, {3 * batch}, {0, 5, batch - 5},
            {batch / 2, batch / 2 + 1, 40}};
        Random random = new Random(11);
        for (int round = 0; round < 40; round++) {
            byte[] body = new byte[random.nextInt(6 * batch)];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) " \t\r\nab".charAt(random.nextInt(6));
            }
            int[] chunks = chunkings[round % chunkings.length];
            BodyHashes.Streaming streaming = BodyHashes.streaming(new LinkedHashSet<>(keys));
            for (int at = 0, k = 0; at < body.length; k++) {
                int length = Math.min(chunks[k % chunks.length], body.length - at);
                byte[] chunk = new byte[length + 4];
                System.arraycopy(body, at, chunk, 2, length);
                streaming.update(chunk, 2, length);
                at += length;
            }
            BodyHashes streamed = streaming.finish();
            for (BodyHashes.Key key : keys) {
                BodyHasher whole = BodyHasher.create(key.canonicalization(), key.limit()).update(body);
                byte[] digest = whole.finish();
                assertThat(streamed.get(key).orElseThrow().digest()).as("round %d, %s", round, key).isEqualTo(digest);
                assertThat(streamed.get(key).orElseThrow().canonicalLength()).isEqualTo(whole.canonicalLength());
            }
        }
    }

    @Test
    void aChunkOutsideItsArrayIsRefused() {
        BodyHashes.Streaming streaming = BodyHashes.streaming(
            Set.of(new BodyHashes.Key(BodyHasher.Canonicalization.RELAXED, Long.MAX_VALUE)));
        assertThatThrownBy(() -> streaming.update(new byte[10], 8, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> BodyHashes.streaming(Set.of()).update(new byte[10], -1, 3))
            .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aStreamedBodyHasOnlyTheHashesItWasAskedFor() {
        BodyHashes.Key relaxed = new BodyHashes.Key(BodyHasher.Canonicalization.RELAXED, Long.MAX_VALUE);
        BodyHashes.Streaming streaming = BodyHashes.streaming(Set.of(relaxed));
        byte[] body = "text\r\n".getBytes(StandardCharsets.US_ASCII);
        streaming.update(body, 0, body.length);

        BodyHashes done = streaming.finish();

        assertThat(done.get(relaxed)).isPresent();
        assertThat(done.get(new BodyHashes.Key(BodyHasher.Canonicalization.SIMPLE, Long.MAX_VALUE))).isEmpty();
    }
}
