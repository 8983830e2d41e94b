package org.tesjames.mailets.defer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.mailrepository.api.MailKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims as files in a directory every node sees (the {@code file://} repository's own directory on shared
 * storage, or a directory named by {@code TesDefer}'s {@code claims}). The atomic step is the exclusive creation of
 * a file ({@code O_CREAT|O_EXCL}, {@link StandardOpenOption#CREATE_NEW}), which POSIX file systems and NFS v3 and
 * later guarantee: of several nodes creating the same name, exactly one succeeds.
 *
 * <p>A claim of key K is the file {@code <hex of K>.<generation>.claim} holding the end of its lease (epoch
 * milliseconds) and the holder's node id. To claim K a node reads the highest generation g: none, or a lease that
 * has run out, lets it create generation g + 1; a live lease, or losing the creation race, means another node has K.
 * A holder that dies therefore blocks K for at most one lease; the next node takes over with the next generation,
 * which only one node can create. A file whose content is not (yet) readable, because its creator died between
 * creating and writing it, expires one lease after it was last modified.
 *
 * <p>A holder considers itself the holder only during the first half of its lease, and only while no next
 * generation exists ({@link Claim#stillHeld()}): it checks before each irreversible step, so a holder paused for
 * half a lease (a long GC, a frozen VM) gives up instead of racing the node that took over. Node clocks must agree
 * to well within half a lease (NTP).
 */
public final class FileClaims implements DeferralClaims {
    private static final Logger LOGGER = LoggerFactory.getLogger(FileClaims.class);
    private static final Pattern CLAIM_FILE = Pattern.compile("([0-9a-f]+)\\.(\\d{1,9})\\.claim");

    private final Path directory;
    private final Duration lease;
    private final Clock clock;
    private final String nodeId;

    /**
     * @param directory where the claim files live; created when missing
     * @param lease     how long a claim lasts without its holder
     * @param clock     the time source
     * @param nodeId    this node's name, written into its claims for operators
     */
    public FileClaims(Path directory, Duration lease, Clock clock, String nodeId) {
        this.directory = Objects.requireNonNull(directory);
        this.lease = Objects.requireNonNull(lease);
        this.clock = Objects.requireNonNull(clock);
        this.nodeId = Objects.requireNonNull(nodeId);
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("a lease must be positive: " + lease);
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the claim directory " + directory, e);
        }
    }

    @Override
    public Optional<Claim> tryClaim(MailKey key) {
        String prefix = hex(key);
        try {
            int top = generations(prefix).stream().mapToInt(Integer::intValue).max().orElse(0);
            Instant now = clock.instant();
            if (top > 0) {
                Optional<Instant> end = leaseEnd(file(prefix, top));
                if (end.isEmpty() || now.isBefore(end.get())) {
                    return Optional.empty();
                }
                LOGGER.info("TesDefer claim of {} generation {} ran out at {}: taking it over", key.asString(), top,
                    end.get());
            }
            int generation = top + 1;
            Instant end = now.plus(lease);
            Path file = file(prefix, generation);
            try {
                Files.writeString(file, content(end), StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                return Optional.empty();
            }
            return Optional.of(new FileClaim(prefix, generation, end));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot claim " + key.asString() + " in " + directory, e);
        }
    }

    @Override
    public void forgetStale(Set<MailKey> present) {
        Set<String> live = new HashSet<>();
        present.forEach(key -> live.add(hex(key)));
        Instant now = clock.instant();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.claim")) {
            for (Path file : files) {
                Matcher matcher = CLAIM_FILE.matcher(file.getFileName().toString());
                if (matcher.matches() && !live.contains(matcher.group(1))) {
                    Optional<Instant> end = leaseEnd(file);
                    if (end.isPresent() && !now.isBefore(end.get())) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        } catch (IOException e) {
            LOGGER.warn("TesDefer could not clean up stale claims in {}: {}", directory, e.toString());
        }
    }

    private List<Integer> generations(String prefix) throws IOException {
        List<Integer> generations = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, prefix + ".*.claim")) {
            for (Path file : files) {
                Matcher matcher = CLAIM_FILE.matcher(file.getFileName().toString());
                if (matcher.matches() && matcher.group(1).equals(prefix)) {
                    generations.add(Integer.parseInt(matcher.group(2)));
                }
            }
        }
        return generations;
    }

    /** The end of the lease in the file; empty when the file is gone (its holder released it a moment ago). */
    private Optional<Instant> leaseEnd(Path file) throws IOException {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        int space = content.indexOf(' ');
        if (space > 0) {
            try {
                return Optional.of(Instant.ofEpochMilli(Long.parseLong(content.substring(0, space))));
            } catch (NumberFormatException e) {
                // not written completely: fall through to the file's age
            }
        }
        try {
            return Optional.of(Files.getLastModifiedTime(file).toInstant().plus(lease));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private String content(Instant end) {
        return end.toEpochMilli() + " " + nodeId + "\n";
    }

    private Path file(String prefix, int generation) {
        return directory.resolve(prefix + "." + generation + ".claim");
    }

    private static String hex(MailKey key) {
        return HexFormat.of().formatHex(key.asString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "claim files in " + directory + " (lease " + lease + ")";
    }

    private final class FileClaim implements Claim {
        private final String prefix;
        private final int generation;
        private final Instant end;

        FileClaim(String prefix, int generation, Instant end) {
            this.prefix = prefix;
            this.generation = generation;
            this.end = end;
        }

        @Override
        public boolean stillHeld() {
            return clock.instant().isBefore(end.minus(lease.dividedBy(2)))
                && !Files.exists(file(prefix, generation + 1));
        }

        /**
         * Deletes this claim's file, and the expired generations below it, when the file is still this holder's:
         * a holder that lost its claim (paused past its lease) must not delete the files of a later claim.
         */
        @Override
        public void close() {
            Path own = file(prefix, generation);
            try {
                if (!Files.readString(own, StandardCharsets.US_ASCII).equals(content(end))) {
                    return;
                }
            } catch (IOException e) {
                return;
            }
            for (int g = 1; g <= generation; g++) {
                try {
                    Files.deleteIfExists(file(prefix, g));
                } catch (IOException e) {
                    LOGGER.warn("TesDefer could not release its claim file {}: {} (it runs out after its lease)",
                        file(prefix, g), e.toString());
                }
            }
        }
    }
}
