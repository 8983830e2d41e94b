package org.tesjames.core.dkim.sign;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DkimKeySource} over a key directory that follows changes: {@link #reloadIfChanged()} compares the
 * size and modification time of the domain directories and their files with those of the current snapshot
 * and, when anything differs (a file added, removed, rewritten), loads a new {@link DkimKeyStore} and swaps
 * it in atomically: a signer sees the old or the new snapshot, never a mixture. {@link #start} runs the check
 * periodically on a caller-supplied scheduler.
 *
 * <p>When the directory itself cannot be listed, the current snapshot is kept and the failure logged. A
 * rewrite that keeps both the size and the modification time (within the file system's time resolution) is
 * not seen; {@link #reload()} forces a reload.
 */
public final class ReloadingDkimKeyStore implements DkimKeySource {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReloadingDkimKeyStore.class);

    /** A loaded snapshot, the stamps of the files it was loaded from, and when. */
    private record Loaded(DkimKeyStore store, Map<Path, DkimKeyStore.FileStamp> stamps, Instant loadedAt) {
    }

    private final Path root;
    private final Map<String, String> activeSelectors;
    private final Clock clock;
    private final AtomicReference<Loaded> current = new AtomicReference<>();

    /**
     * Loads the directory once.
     *
     * @param activeSelectors explicit active selectors, as for {@link DkimKeyStore#load(Path, Map)}
     * @throws IOException when the directory cannot be listed
     * @throws IllegalArgumentException for a bad domain or selector in {@code activeSelectors}
     */
    public ReloadingDkimKeyStore(Path root, Map<String, String> activeSelectors, Clock clock) throws IOException {
        this.root = Objects.requireNonNull(root, "root");
        this.activeSelectors = Map.copyOf(activeSelectors);
        this.clock = Objects.requireNonNull(clock, "clock");
        current.set(load(DkimKeyStore.fingerprint(root)));
    }

    private Loaded load(Map<Path, DkimKeyStore.FileStamp> stamps) throws IOException {
        DkimKeyStore store = DkimKeyStore.load(root, activeSelectors);
        LOGGER.info("DKIM keys loaded from {}: {} domains, {} problems", root, store.domains().size(),
            store.problems().size());
        store.problems().forEach(problem -> LOGGER.warn("DKIM key problem: {}", problem));
        return new Loaded(store, stamps, clock.instant());
    }

    /** The current snapshot. */
    public DkimKeyStore snapshot() {
        return current.get().store();
    }

    /** When the current snapshot was loaded. */
    public Instant loadedAt() {
        return current.get().loadedAt();
    }

    @Override
    public List<DkimKey> activeKeys(String domain) {
        return snapshot().activeKeys(domain);
    }

    /**
     * Reloads when a file or directory changed since the current snapshot was loaded.
     *
     * @return whether a new snapshot was swapped in
     * @throws IOException when the directory cannot be listed (the current snapshot stays)
     */
    public synchronized boolean reloadIfChanged() throws IOException {
        Map<Path, DkimKeyStore.FileStamp> stamps = DkimKeyStore.fingerprint(root);
        if (stamps.equals(current.get().stamps())) {
            return false;
        }
        current.set(load(stamps));
        return true;
    }

    /** Reloads unconditionally. */
    public synchronized void reload() throws IOException {
        current.set(load(DkimKeyStore.fingerprint(root)));
    }

    /**
     * Checks for changes every {@code interval} on the scheduler; a failed check is logged and retried at the
     * next tick. Cancel the returned future to stop.
     */
    public ScheduledFuture<?> start(ScheduledExecutorService scheduler, Duration interval) {
        long millis = interval.toMillis();
        if (millis <= 0) {
            throw new IllegalArgumentException("DKIM key reload interval must be positive, got " + interval);
        }
        return scheduler.scheduleWithFixedDelay(() -> {
            try {
                reloadIfChanged();
            } catch (IOException | RuntimeException e) {
                LOGGER.warn("DKIM keys in {} not reloaded, keeping the loaded ones: {}", root, e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }
}
