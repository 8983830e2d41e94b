package org.tesjames.mailets.defer;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

/**
 * The deferral repositories of this James node: every running {@code TesDefer} registers here, so that WebAdmin and
 * the health check see every repository the configuration uses, and so that the {@code TesDefer} mailets of one
 * node that share a repository share its {@link DeferralClaims}. Also keeps the metric {@code tes.defer.deferred}:
 * the number of mails parked in this node's deferral repositories (with a shared repository, every node reports
 * the same total).
 */
@Singleton
public class DeferredMails {
    public static final String DEFERRED_METRIC = "tes.defer.deferred";

    /** What {@code TesDefer} offers to operators: its repository, and the mails parked there. */
    public interface Repository {
        MailRepositoryUrl url();

        long size() throws Exception;

        /** Parked mails, at most {@code limit}, in the order of the repository's listing. */
        List<ParkedMail> list(int limit) throws Exception;

        /** Re-injects the parked mail now, into the processor it was deferred from. */
        Outcome reinject(String key) throws Exception;

        /** Ends the deferral of the parked mail now: a DSN to its sender (or the expired/error processor). */
        Outcome expire(String key, String reason) throws Exception;
    }

    /** What became of an operation on one parked mail. */
    public enum Outcome {
        DONE, NOT_FOUND, BUSY
    }

    private final Function<String, Path> files;
    private final Metric deferred;
    private final String nodeId;
    private final List<Repository> repositories = new CopyOnWriteArrayList<>();
    private final Map<MailRepositoryUrl, DeferralClaims> claims = new LinkedHashMap<>();

    @Inject
    public DeferredMails(FileSystem fileSystem, MetricFactory metrics) {
        this(url -> {
            try {
                return fileSystem.getFile(url).toPath();
            } catch (FileNotFoundException e) {
                throw new UncheckedIOException(e);
            }
        }, metrics);
    }

    /** @param files resolves a {@code file://} URL to a path, as James's {@code FileSystem} does */
    public DeferredMails(Function<String, Path> files, MetricFactory metrics) {
        this.files = files;
        this.deferred = metrics.generate(DEFERRED_METRIC);
        this.nodeId = nodeName();
    }

    /**
     * The claims of a repository, shared by every {@code TesDefer} of this node that uses it.
     *
     * @param url     the repository
     * @param setting {@code auto}, {@code in-process}, or a directory ({@code file://} URL or absolute path)
     * @param lease   the lease of file claims
     * @param clock   the time source of file claims
     * @throws IllegalArgumentException when {@code auto} has nothing atomic to use for this protocol
     */
    public synchronized DeferralClaims claims(MailRepositoryUrl url, String setting, Duration lease, Clock clock) {
        DeferralClaims existing = claims.get(url);
        if (existing != null) {
            return existing;
        }
        DeferralClaims created = switch (setting) {
            case "in-process" -> new InProcessClaims();
            case "auto" -> switch (url.getProtocol().getValue()) {
                case "memory" -> new InProcessClaims();
                case "file" -> new FileClaims(files.apply(url.asString()).resolve("tes-claims"), lease, clock, nodeId);
                default -> throw new IllegalArgumentException("repository protocol '" + url.getProtocol().getValue()
                    + "' offers TES no atomic claim: set claims to a directory every node shares (file://... or an"
                    + " absolute path), or to in-process when a single James node uses " + url.asString());
            };
            default -> new FileClaims(setting.startsWith("file://") ? files.apply(setting) : Path.of(setting), lease,
                clock, nodeId);
        };
        claims.put(url, created);
        return created;
    }

    public void register(Repository repository) {
        repositories.add(repository);
    }

    public void unregister(Repository repository) {
        repositories.remove(repository);
    }

    /** One repository per URL (the first {@code TesDefer} registered for it), in registration order. */
    public List<Repository> repositories() {
        Map<MailRepositoryUrl, Repository> byUrl = new LinkedHashMap<>();
        repositories.forEach(repository -> byUrl.putIfAbsent(repository.url(), repository));
        return new ArrayList<>(byUrl.values());
    }

    public Optional<Repository> repository(MailRepositoryUrl url) {
        return repositories().stream().filter(repository -> repository.url().equals(url)).findFirst();
    }

    /** Sets {@code tes.defer.deferred} to the number of mails parked in this node's repositories now. */
    public synchronized void refreshCount() {
        long total = 0;
        for (Repository repository : repositories()) {
            try {
                total += repository.size();
            } catch (Exception e) {
                return;
            }
        }
        long difference = total - deferred.getCount();
        if (difference > 0) {
            deferred.add((int) Math.min(difference, Integer.MAX_VALUE));
        } else if (difference < 0) {
            deferred.remove((int) Math.min(-difference, Integer.MAX_VALUE));
        }
    }

    /** This node's name in claim files: host name, process id and a random suffix (one per start). */
    private static String nodeName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
