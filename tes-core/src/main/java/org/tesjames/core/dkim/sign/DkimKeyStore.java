package org.tesjames.core.dkim.sign;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.membership.DomainNames;

/**
 * An immutable snapshot of the DKIM signing keys in a directory.
 *
 * <h2>Layout</h2>
 * {@code <keys>/<domain>/<selector>.pem}: one directory per signing domain, named by the domain in any case,
 * Unicode or A-labels (normalised to lower-case A-labels; two directories naming the same domain: the first
 * in name order is used, the other reported); one unencrypted PKCS#8 PEM file per selector, RSA (at least
 * {@value DkimKeyFile#MIN_RSA_BITS} bits) or Ed25519. Files not ending in {@code .pem} and names starting
 * with {@code .} are ignored; a {@code .pem} file outside a domain directory is reported.
 *
 * <h2>Which key is active</h2>
 * A domain may hold several selectors; for each key type exactly one is active, the others are kept (for
 * rotation). A domain with an active RSA and an active Ed25519 key is signed twice (RFC 8463 dual signing).
 * <ol>
 *   <li>An explicit selector for the domain (the {@code activeSelectors} map: domain to a selector, or
 *       several separated by commas, one per key type) makes that selector the active one of its key type.
 *       Two explicit selectors of one type: no key of that type. An explicit selector without a usable
 *       file of a recognisable type is reported; it pins nothing.</li>
 *   <li>Otherwise the active selector of a type is the greatest selector name of that type (compared in
 *       lower case), so date-named selectors ({@code 2024-01}, {@code 2024-07}) rotate naturally: adding
 *       a newer file makes it active.</li>
 *   <li>When the active selector of a type is a bad file (an RSA key under 1024 bits, a malformed key of a
 *       recognised type), the domain has no key of that type: the store never falls back to an older
 *       selector, whose DNS record may have been withdrawn. A file whose type cannot be recognised (not PEM,
 *       unknown algorithm, unreadable) is reported and takes no part in the choice.</li>
 * </ol>
 * Every bad file is reported in {@link #problems()} with its path and the reason; it never affects other
 * domains.
 */
public final class DkimKeyStore implements DkimKeySource {
    private static final Pattern SELECTOR =
        Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final String SUFFIX = ".pem";
    private static final Comparator<String> SELECTOR_ORDER =
        Comparator.comparing((String s) -> s.toLowerCase(Locale.ROOT)).thenComparing(Comparator.naturalOrder());

    /**
     * A file or setting that cannot be used.
     *
     * @param file the file (the domain directory, or the store directory for a setting)
     * @param domain the normalised domain it concerns, empty when unknown
     * @param reason what is wrong, precisely
     */
    public record Problem(Path file, String domain, String reason) {
        public Problem {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return file + ": " + reason;
        }
    }

    /** The size and modification time of one file, to tell whether the directory changed. */
    record FileStamp(long size, long modifiedMillis) {
    }

    private final Path root;
    private final Map<String, Map<DkimKeyType, DkimKey>> active;
    private final Map<String, List<DkimKey>> all;
    private final List<Problem> problems;

    private DkimKeyStore(Path root, Map<String, Map<DkimKeyType, DkimKey>> active, Map<String, List<DkimKey>> all,
                         List<Problem> problems) {
        this.root = root;
        this.active = active;
        this.all = all;
        this.problems = List.copyOf(problems);
    }

    /** A store without keys. */
    public static DkimKeyStore empty(Path root) {
        return new DkimKeyStore(root, Map.of(), Map.of(), List.of());
    }

    /** Loads the keys of a directory, each domain's active selectors chosen by name (no explicit selector). */
    public static DkimKeyStore load(Path root) throws IOException {
        return load(root, Map.of());
    }

    /**
     * Loads the keys of a directory.
     *
     * @param activeSelectors explicit active selectors: domain (any form) to a selector, or several separated
     *     by commas (one per key type)
     * @throws IOException when the directory itself cannot be listed (a bad file inside is a {@link Problem})
     * @throws IllegalArgumentException when a domain or selector in {@code activeSelectors} is not valid
     */
    public static DkimKeyStore load(Path root, Map<String, String> activeSelectors) throws IOException {
        Map<String, List<String>> explicit = explicitSelectors(activeSelectors);
        if (!Files.isDirectory(root)) {
            throw new NotDirectoryException(root.toString());
        }
        List<Problem> problems = new ArrayList<>();
        Map<String, Path> domainDirectories = new TreeMap<>();
        for (Path entry : sortedEntries(root)) {
            String name = entry.getFileName().toString();
            if (name.startsWith(".")) {
                continue;
            }
            if (!Files.isDirectory(entry)) {
                if (name.endsWith(SUFFIX)) {
                    problems.add(new Problem(entry, "", "key file outside a domain directory (expected "
                        + "<keys>/<domain>/<selector>.pem)"));
                }
                continue;
            }
            DomainNames.Normalised normalised = DomainNames.normalise(name);
            if (normalised.domain().isEmpty()) {
                problems.add(new Problem(entry, "", "directory name is not a domain: " + normalised.problem()));
                continue;
            }
            String domain = normalised.domain().get();
            Path previous = domainDirectories.putIfAbsent(domain, entry);
            if (previous != null) {
                problems.add(new Problem(entry, domain, "second directory for domain " + domain + " (ignored; "
                    + previous + " is used)"));
            }
        }

        Map<String, Map<DkimKeyType, DkimKey>> active = new TreeMap<>();
        Map<String, List<DkimKey>> all = new TreeMap<>();
        for (Map.Entry<String, Path> entry : domainDirectories.entrySet()) {
            String domain = entry.getKey();
            DomainLoad load = loadDomain(domain, entry.getValue(), explicit.getOrDefault(domain, List.of()), problems);
            if (!load.active.isEmpty()) {
                active.put(domain, Map.copyOf(load.active));
            }
            if (!load.valid.isEmpty()) {
                all.put(domain, List.copyOf(load.valid));
            }
        }
        for (String domain : explicit.keySet()) {
            if (!domainDirectories.containsKey(domain)) {
                problems.add(new Problem(root, domain, "active selector configured for " + domain
                    + " but there is no directory " + root.resolve(domain)));
            }
        }
        return new DkimKeyStore(root, Map.copyOf(active), Map.copyOf(all), problems);
    }

    private record Candidate(String selector, Path file, DkimKeyType type, DkimKey key, String problem) {
    }

    private record DomainLoad(Map<DkimKeyType, DkimKey> active, List<DkimKey> valid) {
    }

    private static DomainLoad loadDomain(String domain, Path directory, List<String> explicit,
                                         List<Problem> problems) {
        List<Candidate> candidates = new ArrayList<>();
        List<DkimKey> valid = new ArrayList<>();
        List<Path> files;
        try {
            files = sortedEntries(directory);
        } catch (IOException e) {
            problems.add(new Problem(directory, domain, "cannot list the directory: " + e));
            return new DomainLoad(Map.of(), List.of());
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.startsWith(".") || !name.endsWith(SUFFIX)) {
                continue;
            }
            String selector = name.substring(0, name.length() - SUFFIX.length());
            if (!SELECTOR.matcher(selector).matches()) {
                problems.add(new Problem(file, domain, "file name '" + selector + "' is not a valid selector "
                    + "(letters, digits, hyphens, dot-separated labels)"));
                continue;
            }
            if (!Files.isRegularFile(file)) {
                problems.add(new Problem(file, domain, "not a regular file"));
                continue;
            }
            try {
                DkimKey key = DkimKeyFile.read(file, domain, selector);
                candidates.add(new Candidate(selector, file, key.type(), key, null));
                valid.add(key);
            } catch (IOException e) {
                problems.add(new Problem(file, domain, "unreadable: " + e));
            } catch (DkimKeyFile.BadKeyException e) {
                problems.add(new Problem(file, domain, e.getMessage()));
                if (e.typeOrNull() != null) {
                    candidates.add(new Candidate(selector, file, e.typeOrNull(), null, e.getMessage()));
                }
            }
        }

        Map<DkimKeyType, DkimKey> active = new EnumMap<>(DkimKeyType.class);
        Map<DkimKeyType, List<Candidate>> pinned = new EnumMap<>(DkimKeyType.class);
        for (String selector : explicit) {
            Optional<Candidate> named = candidates.stream()
                .filter(candidate -> candidate.selector.equalsIgnoreCase(selector)).findFirst();
            if (named.isEmpty()) {
                problems.add(new Problem(directory, domain, "active selector '" + selector + "' configured for "
                    + domain + " has no usable key file " + selector + SUFFIX + " (ignored)"));
            } else {
                pinned.computeIfAbsent(named.get().type, type -> new ArrayList<>()).add(named.get());
            }
        }
        for (DkimKeyType type : DkimKeyType.values()) {
            Candidate chosen;
            List<Candidate> pins = pinned.getOrDefault(type, List.of());
            if (pins.size() > 1) {
                problems.add(new Problem(directory, domain, "several active " + type.keyTag() + " selectors "
                    + "configured for " + domain + " (" + pins.stream().map(Candidate::selector).toList()
                    + "): no " + type.keyTag() + " key"));
                continue;
            } else if (pins.size() == 1) {
                chosen = pins.get(0);
            } else {
                chosen = candidates.stream().filter(candidate -> candidate.type == type)
                    .max(Comparator.comparing(Candidate::selector, SELECTOR_ORDER)).orElse(null);
            }
            if (chosen == null) {
                continue;
            }
            if (chosen.key == null) {
                problems.add(new Problem(chosen.file, domain, domain + " has no " + type.keyTag() + " key: its "
                    + "active selector '" + chosen.selector + "' is unusable (" + chosen.problem + ")"));
            } else {
                active.put(type, chosen.key);
            }
        }
        return new DomainLoad(active, valid);
    }

    private static Map<String, List<String>> explicitSelectors(Map<String, String> activeSelectors) {
        Map<String, List<String>> explicit = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : activeSelectors.entrySet()) {
            DomainNames.Normalised normalised = DomainNames.normalise(entry.getKey());
            String domain = normalised.domain().orElseThrow(() -> new IllegalArgumentException(
                "bad domain in the active DKIM selectors: " + normalised.problem()));
            List<String> selectors = Arrays.stream(entry.getValue().split(",", -1)).map(String::strip).toList();
            for (String selector : selectors) {
                if (!SELECTOR.matcher(selector).matches()) {
                    throw new IllegalArgumentException("bad active DKIM selector '" + selector + "' for " + domain);
                }
            }
            if (explicit.put(domain, selectors) != null) {
                throw new IllegalArgumentException("active DKIM selectors given twice for " + domain);
            }
        }
        return explicit;
    }

    private static List<Path> sortedEntries(Path directory) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(entries::add);
        }
        entries.sort(Comparator.comparing(path -> path.getFileName().toString()));
        return entries;
    }

    /**
     * The size and modification time of every entry at depth one and two under the directory (the domain
     * directories and the files in them): a different result means the store should be reloaded.
     */
    static Map<Path, FileStamp> fingerprint(Path root) throws IOException {
        Map<Path, FileStamp> stamps = new TreeMap<>();
        for (Path entry : sortedEntries(root)) {
            stamps.put(entry, stamp(entry));
            if (Files.isDirectory(entry)) {
                try {
                    for (Path file : sortedEntries(entry)) {
                        stamps.put(file, stamp(file));
                    }
                } catch (IOException e) {
                    stamps.put(entry.resolve("?"), new FileStamp(-1, -1));
                }
            }
        }
        return stamps;
    }

    private static FileStamp stamp(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return new FileStamp(attributes.size(), attributes.lastModifiedTime().toMillis());
        } catch (IOException e) {
            return new FileStamp(-1, -1);
        }
    }

    /** The directory this snapshot was loaded from. */
    public Path root() {
        return root;
    }

    @Override
    public List<DkimKey> activeKeys(String domain) {
        Optional<String> normalised = DomainNames.normalise(domain).domain();
        if (normalised.isEmpty()) {
            return List.of();
        }
        Map<DkimKeyType, DkimKey> keys = active.getOrDefault(normalised.get(), Map.of());
        List<DkimKey> result = new ArrayList<>(2);
        for (DkimKeyType type : DkimKeyType.values()) {
            DkimKey key = keys.get(type);
            if (key != null) {
                result.add(key);
            }
        }
        return List.copyOf(result);
    }

    /** The active key of one type for a domain. */
    public Optional<DkimKey> activeKey(String domain, DkimKeyType type) {
        return activeKeys(domain).stream().filter(key -> key.type() == type).findFirst();
    }

    /** Every usable key of a domain, active or kept, in selector order. */
    public List<DkimKey> allKeys(String domain) {
        return DomainNames.normalise(domain).domain().map(d -> all.getOrDefault(d, List.of())).orElse(List.of());
    }

    /** The normalised domains with at least one active key. */
    public Set<String> domains() {
        return active.keySet();
    }

    /** Every file or setting that could not be used, in the order found. */
    public List<Problem> problems() {
        return problems;
    }

    @Override
    public String toString() {
        return "DkimKeyStore[" + root + ", " + active.size() + " domains, " + problems.size() + " problems]";
    }
}
