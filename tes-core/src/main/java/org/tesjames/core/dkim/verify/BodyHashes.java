package org.tesjames.core.dkim.verify;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.tesjames.core.dkim.BodyHasher;
import org.tesjames.core.mail.HeaderFields;

/**
 * The DKIM body hashes of one message, one per body canonicalisation and {@code l=} limit its signatures use:
 * computed on demand from a body in memory ({@link #of(HeaderFields)}), or fed while the body streams in
 * ({@link #streaming(Set)}), so that a server verifies a message it never holds whole.
 */
public final class BodyHashes {
    /** What a signature's body hash depends on: its body canonicalisation and its {@code l=} ({@code MAX_VALUE}: none). */
    public record Key(BodyHasher.Canonicalization canonicalization, long limit) {
        public Key {
            Objects.requireNonNull(canonicalization, "canonicalization");
        }
    }

    /** A body hash and the length of the whole canonicalised body (for {@code l=} checks). */
    public record Hash(byte[] digest, long canonicalLength) {
    }

    private final Function<Key, Optional<Hash>> hashes;

    private BodyHashes(Function<Key, Optional<Hash>> hashes) {
        this.hashes = hashes;
    }

    /**
     * The hashes of the body of a parsed message, each computed when first asked for, once (signatures are checked
     * concurrently, as their keys arrive).
     */
    public static BodyHashes of(HeaderFields message) {
        Map<Key, Hash> computed = new ConcurrentHashMap<>();
        return new BodyHashes(key -> Optional.of(computed.computeIfAbsent(key, k -> {
            BodyHasher hasher = BodyHasher.create(k.canonicalization(), k.limit());
            message.body(hasher::update);
            byte[] digest = hasher.finish();
            return new Hash(digest, hasher.canonicalLength());
        })));
    }

    /** Hashes fed with the body as it streams in, for these keys ({@link DkimVerifier#bodyHashesNeeded}). */
    public static Streaming streaming(Set<Key> keys) {
        return new Streaming(keys);
    }

    /** The hash for a key; empty when it was not computed (a streamed body hashed for other keys only). */
    public Optional<Hash> get(Key key) {
        return hashes.apply(key);
    }

    /**
     * Body hashes computed while the body streams in: {@link #update} with each chunk, then {@link #finish}.
     * Chunks shorter than {@link #BATCH} octets (an SMTP server hands over one line at a time) are gathered into
     * one array and fed to the hashers {@code BATCH} octets at a time: the relaxed scan then works over long
     * stretches (its wide steps, the 64-octet vector step included, need them), and a chunk's end, where the
     * hasher holds back trailing white space and checks what it could not finish, comes once per batch instead of
     * once per line. A chunk of {@code BATCH} octets or more goes to the hashers as it is.
     */
    public static final class Streaming {
        /** The octets gathered before the hashers see them. */
        static final int BATCH = 8192;

        private final Map<Key, BodyHasher> hashers = new LinkedHashMap<>();
        /** Gathered octets not yet fed; none when no hash is asked for. */
        private final byte[] batch;
        private int batched;

        private Streaming(Set<Key> keys) {
            keys.forEach(key -> hashers.put(key, BodyHasher.create(key.canonicalization(), key.limit())));
            batch = hashers.isEmpty() ? null : new byte[BATCH];
        }

        /** Feeds a chunk of the body (the octets as the message will be stored: dot-stuffing undone). */
        public void update(byte[] octets, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, octets.length);
            if (batch == null) {
                return;
            }
            if (batched + length > BATCH) {
                feedBatch();
            }
            if (length >= BATCH) {
                feed(octets, offset, length);
            } else {
                System.arraycopy(octets, offset, batch, batched, length);
                batched += length;
            }
        }

        private void feedBatch() {
            feed(batch, 0, batched);
            batched = 0;
        }

        private void feed(byte[] octets, int offset, int length) {
            for (BodyHasher hasher : hashers.values()) {
                hasher.update(octets, offset, length);
            }
        }

        /** Ends the body. */
        public BodyHashes finish() {
            if (batch != null) {
                feedBatch();
            }
            Map<Key, Hash> done = new LinkedHashMap<>();
            hashers.forEach((key, hasher) -> {
                byte[] digest = hasher.finish();
                done.put(key, new Hash(digest, hasher.canonicalLength()));
            });
            return new BodyHashes(key -> Optional.ofNullable(done.get(key)));
        }
    }
}
