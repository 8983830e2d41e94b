package org.tesjames.core.dkim.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    void aStreamedBodyHasOnlyTheHashesItWasAskedFor() {
        BodyHashes.Key relaxed = new BodyHashes.Key(BodyHasher.Canonicalization.RELAXED, Long.MAX_VALUE);
        BodyHashes.Streaming streaming = BodyHashes.streaming(java.util.Set.of(relaxed));
        byte[] body = "text\r\n".getBytes(StandardCharsets.US_ASCII);
        streaming.update(body, 0, body.length);

        BodyHashes done = streaming.finish();

        assertThat(done.get(relaxed)).isPresent();
        assertThat(done.get(new BodyHashes.Key(BodyHasher.Canonicalization.SIMPLE, Long.MAX_VALUE))).isEmpty();
    }
}
