package org.tesjames.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The tests' temporary directories: deleted with everything in them, by their owner or when the tests end. */
public final class TemporaryDirectories {
    private static final Set<Path> AT_EXIT = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> AT_EXIT.forEach(dir -> {
            try {
                delete(dir);
            } catch (IOException | RuntimeException e) {
                System.err.println("cannot delete the test directory " + dir + ": " + e);
            }
        }), "tes-it-temporary-directories"));
    }

    private TemporaryDirectories() {
    }

    /**
     * A new directory under the system's temporary directory, deleted when the test JVM exits: for one that the
     * servers of a whole test class read (DKIM keys), which no single test may delete.
     */
    public static Path deletedAtExit(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        AT_EXIT.add(dir);
        return dir;
    }

    /** Deletes {@code dir} and everything in it; a directory that is gone already is no error. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
