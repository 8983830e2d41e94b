package org.tesjames.mailets;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Properties;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Random;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.onami.lifecycle.DisposingStager;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.auth.MessageAuthenticator;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.dkim.BodyHasher;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dmarc.DmarcEvaluator;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.config.HealthSettings;
import org.tesjames.core.config.StsSettings;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.sts.HttpsPolicyFetcher;
import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.core.config.TlsRptSettings;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.tlsrpt.TlsResultRecorder;
import org.tesjames.mailets.tlsrpt.ReportMails;
import org.tesjames.mailets.tlsrpt.TlsReporting;
import org.tesjames.core.submission.AuthFailureLimiter;
import org.tesjames.core.submission.AuthFailureLimits;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dkim.sign.ReloadingDkimKeyStore;
import org.tesjames.core.dnssec.DnssecClients;
import org.tesjames.core.dnssec.DnssecMode;
import org.tesjames.core.dnssec.TrustAnchors;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.mailets.auth.InboundAuthentication;
import org.tesjames.mailets.defer.DeferredMails;
import org.tesjames.mailets.health.HealthProbes;
import org.tesjames.mailets.dns.JamesDnsMetrics;
import org.tesjames.mailets.dns.MeteredDnsClient;
import org.tesjames.mailets.dns.TesDnsClients;
import org.xbill.DNS.ResolverConfig;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.Provides;
import com.google.inject.name.Named;

/**
 * The Guice module of the TES extension, named in {@code conf/extensions.properties}:
 * <pre>guice.extension.module=org.tesjames.mailets.TesModule</pre>
 * James uses it to create the TES mailets, matchers and hooks. It reads {@code conf/tes.properties}
 * (every key is optional; see {@link TesSettings}) while James starts; a malformed file stops the server with a
 * message naming the key and the value.
 *
 * <p>Two DNS clients, over the same resolvers: the plain {@link DnsClient} of the membership, DKIM and DMARC
 * lookups (no DNSSEC needed there, and a validation failure must not turn them into temporary failures), and
 * the {@link #DNSSEC DNSSEC} client of DANE, whose {@code authenticated} flag is trustworthy: per
 * {@code dnssec.mode}, dnsjava's {@code ValidatingResolver} in front of each resolver with the anchors of
 * {@code dnssec.anchors}, or the resolvers' own AD flag (loopback only unless allowed). Each has its own cache
 * (the validator caches no answers). The trust anchors are loaded while James starts: a file without a usable
 * anchor stops the start.
 *
 * <p>DKIM signing ({@link DkimSigning}, used by {@link TesDkimSign}): disabled with {@code dkim.keys=none};
 * otherwise a {@link ReloadingDkimKeyStore} over that directory (relative to {@code conf/}), loaded while James
 * starts (a directory that cannot be listed stops the start) and checked for changes every
 * {@code dkim.reload-interval} on a daemon thread.
 *
 * <p>The threads of its own that a James instance starts here (the DKIM key reload, the TLS reporting ticks) are
 * registered with James's {@code @PreDestroy} stage, so they end when James stops (and the TLS reporting state
 * file is written then); the DNS threads are shared by every James of the JVM and last as long as it.
 */
public class TesModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(TesModule.class);
    public static final String SETTINGS_FILE = FileSystem.FILE_PROTOCOL_AND_CONF + "tes.properties";
    /** James's health check settings, where the {@code tes.health.*} keys live. */
    public static final String HEALTH_FILE = FileSystem.FILE_PROTOCOL_AND_CONF + "healthcheck.properties";

    /** Names the DNS client whose {@code authenticated} flag is trustworthy: {@code @Named(TesModule.DNSSEC)}. */
    public static final String DNSSEC = "tes.dnssec";

    /**
     * The threads on which TES DNS answers complete, and so the work that follows them (DKIM, SPF and DMARC
     * evaluation): TES's own, not the JVM's common pool, which has one thread on a two-core host and is shared
     * with James. Daemon threads, as many as cores and at least two.
     */
    private static final ExecutorService TES_EXECUTOR = Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), new ThreadFactory() {
            private final AtomicInteger count = new AtomicInteger();

            @Override
            public Thread newThread(Runnable runnable) {
                Thread thread = new Thread(runnable, "tes-dns-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }
        });

    @Override
    protected void configure() {
        bind(TesSettings.class).toProvider(SettingsProvider.class).asEagerSingleton();
        bind(TrustAnchors.class).toProvider(TrustAnchorsProvider.class).asEagerSingleton();
        bind(DeferredMails.class).in(Scopes.SINGLETON);
    }

    /**
     * The DNS client of every TES lookup: the configured resolvers, metered, behind one shared cache with
     * in-flight de-duplication.
     */
    @Provides
    @Singleton
    DnsClient dnsClient(TesDnsClients clients) {
        return clients.plain();
    }

    /**
     * The DNS client of DNSSEC and DANE lookups, whose {@code authenticated} flag can be trusted (see
     * {@link DnssecClients}): validating with the loaded trust anchors, or trusting the AD flag of loopback
     * resolvers, per {@code dnssec.mode}. Cached like the plain client, separately.
     */
    @Provides
    @Singleton
    @Named(DNSSEC)
    DnsClient dnssecDnsClient(TesDnsClients clients) {
        return clients.dnssec();
    }

    /** Both DNS clients' caches, and the plain client's resolvers behind its cache (WebAdmin needs them). */
    @Provides
    @Singleton
    TesDnsClients tesDnsClients(TesSettings settings, TrustAnchors anchors, MetricFactory metrics) {
        List<InetSocketAddress> servers = servers(settings);
        LOGGER.info("TES DNS: resolvers {}, timeout {}, retries {}, cache size {}, max TTL {}, failure hold-down {}",
            servers, settings.dnsTimeout(), settings.dnsRetries(), settings.dnsCacheSize(), settings.dnsCacheMaxTtl(),
            settings.dnsCacheFailureHoldDown());
        DnsClient plain = new MeteredDnsClient(
            DnsJavaClient.create(servers, settings.dnsTimeout(), settings.dnsRetries()).withExecutor(TES_EXECUTOR),
            metrics);
        return new TesDnsClients(cached(plain, settings, metrics), plain,
            cached(new MeteredDnsClient(dnssecResolvers(settings, anchors), metrics), settings, metrics));
    }

    private static DnsJavaClient dnssecResolvers(TesSettings settings, TrustAnchors anchors) {
        List<InetSocketAddress> servers = servers(settings);
        if (settings.dnssecMode() == DnssecMode.VALIDATE) {
            LOGGER.info("TES DNSSEC: validating over resolvers {} with trust anchors {}", servers, anchors);
            return DnssecClients.validating(servers, settings.dnsTimeout(), settings.dnsRetries(), anchors)
                .withExecutor(TES_EXECUTOR);
        }
        LOGGER.info("TES DNSSEC: trusting the AD flag of resolvers {}", servers);
        return DnssecClients.trustingAd(servers, settings.dnsTimeout(), settings.dnsRetries(),
            settings.dnssecTrustAdAllowRemote()).withExecutor(TES_EXECUTOR);
    }

    /**
     * What the TES health checks ({@code org.tesjames.mailets.health}) need: the {@code tes.health.*} keys of
     * {@code conf/healthcheck.properties} (a malformed one stops James at start, where James creates the checks),
     * and the resolvers without cache, plain and DNSSEC.
     */
    @Provides
    @Singleton
    HealthProbes healthProbes(TesSettings settings, TrustAnchors anchors, FileSystem fileSystem) {
        HealthSettings health;
        try {
            health = HealthSettings.parse(readProperties(fileSystem, HEALTH_FILE));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + HEALTH_FILE + ": " + e.getMessage(), e);
        }
        LOGGER.info("TES health checks: {}", health);
        return new HealthProbes(health, settings.lookupTimeout(),
            DnsJavaClient.create(servers(settings), settings.dnsTimeout(), settings.dnsRetries())
                .withExecutor(TES_EXECUTOR),
            dnssecResolvers(settings, anchors));
    }

    @Provides
    @Singleton
    DaneLookup daneLookup(@Named(DNSSEC) DnsClient dns) {
        return new DaneLookup(dns);
    }

    private static List<InetSocketAddress> servers(TesSettings settings) {
        List<InetSocketAddress> servers = settings.resolvers() instanceof TesSettings.Resolvers.Explicit explicit
            ? explicit.addresses().stream().map(ResolverAddress::socketAddress).toList()
            : ResolverConfig.getCurrentConfig().servers();
        if (servers.isEmpty()) {
            throw new IllegalStateException("dns.resolvers=system but the system has no DNS resolver configured;"
                + " set dns.resolvers in " + SETTINGS_FILE);
        }
        return servers;
    }

    private static CachingDnsClient cached(DnsClient resolvers, TesSettings settings, MetricFactory metrics) {
        return CachingDnsClient.builder(resolvers)
            .maximumSize(settings.dnsCacheSize())
            .maxTtl(settings.dnsCacheMaxTtl())
            .failureHoldDown(settings.dnsCacheFailureHoldDown())
            .metrics(new JamesDnsMetrics(metrics))
            .build();
    }

    /**
     * Loads the trust anchors of {@code dnssec.anchors} while James starts (a relative path is relative to
     * {@code conf/}): a missing, empty or unparsable file, or one without an anchor of a supported algorithm,
     * stops the start with a message naming the file, since dnsjava's validator would otherwise call every
     * answer insecure.
     */
    static class TrustAnchorsProvider implements Provider<TrustAnchors> {
        private final TesSettings settings;
        private final FileSystem fileSystem;

        @Inject
        TrustAnchorsProvider(TesSettings settings, FileSystem fileSystem) {
            this.settings = settings;
            this.fileSystem = fileSystem;
        }

        @Override
        public TrustAnchors get() {
            TrustAnchors anchors = TrustAnchors.load(settings.dnssecAnchors(), path -> {
                if (path.isAbsolute()) {
                    return path;
                }
                try {
                    return fileSystem.getFile(FileSystem.FILE_PROTOCOL_AND_CONF + path).toPath();
                } catch (FileNotFoundException e) {
                    throw new IllegalArgumentException("DNSSEC trust anchor file " + path + " not found in conf/", e);
                }
            });
            LOGGER.info("TES DNSSEC: mode {}, trust anchors {}", settings.dnssecMode(), anchors);
            return anchors;
        }
    }

    /** DKIM signing: disabled when {@code dkim.keys=none}, else the reloading key store of that directory. */
    @Provides
    @Singleton
    DkimSigning dkimSigning(TesSettings settings, FileSystem fileSystem, DisposingStager<PreDestroy> stopping) {
        if (settings.dkimKeys().isEmpty()) {
            LOGGER.info("TES DKIM signing disabled (dkim.keys=none)");
            return DkimSigning.disabled();
        }
        Path root = confPath(fileSystem, settings.dkimKeys().get(), "DKIM key directory");
        ReloadingDkimKeyStore store;
        try {
            store = new ReloadingDkimKeyStore(root, settings.dkimActiveSelectors(), Clock.systemUTC());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the DKIM key directory " + root + " (" + TesSettings.DKIM_KEYS
                + " in " + SETTINGS_FILE + "): " + e, e);
        }
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "tes-dkim-keys-reload");
            thread.setDaemon(true);
            return thread;
        });
        store.start(stopping.register(scheduler), settings.dkimReloadInterval());
        LOGGER.info("TES DKIM signing keys from {} (domains {}), reloaded every {}, relaxed body hash {}", root,
            store.snapshot().domains(), settings.dkimReloadInterval(), BodyHasher.relaxedStep());
        return DkimSigning.enabled(store, Clock.systemUTC());
    }

    private static Path confPath(FileSystem fileSystem, Path path, String what) {
        if (path.isAbsolute()) {
            return path;
        }
        try {
            return fileSystem.getFile(FileSystem.FILE_PROTOCOL_AND_CONF + path).toPath();
        } catch (FileNotFoundException e) {
            throw new IllegalStateException(what + " " + path + " not found in conf/", e);
        }
    }

    /**
     * Inbound message authentication (DKIM, SPF, DMARC) over the plain DNS client, with the verification limits,
     * authserv-id and DMARC scope of {@code tes.properties}. An empty {@code auth.authserv-id} is this host's
     * canonical name, found once at start.
     */
    @Provides
    @Singleton
    InboundAuthentication inboundAuthentication(DnsClient dns, TesSettings settings, MetricFactory metrics) {
        MessageAuthenticator authenticator = new MessageAuthenticator(
            new DkimVerifier(dns, Clock.systemUTC(), new DkimVerifier.Settings(settings.dkimVerifyMaxSignatures(),
                settings.dkimVerifyMaxKeyRecordBytes())),
            new SpfVerifier(dns),
            new DmarcPolicyDiscovery(dns),
            DmarcEvaluator.withRandom(new Random()));
        String authservId = settings.authservId().orElseGet(TesModule::hostName);
        LOGGER.info("TES inbound authentication: authserv-id {}, DMARC reject enforced for {}, relaxed DKIM body hash"
            + " {}", authservId, settings.dmarcRejectNonMembers() ? "every sender" : "TES members",
            BodyHasher.relaxedStep());
        return new InboundAuthentication(authenticator, authservId, settings.lookupTimeout(),
            settings.dmarcRejectNonMembers(), metrics);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("auth.authserv-id is empty and this host's name cannot be found ("
                + e.getMessage() + "): set auth.authserv-id in " + SETTINGS_FILE, e);
        }
    }

    /**
     * The failed-AUTH counters of the submission listeners ({@code submission.auth.*}): one instance shared by
     * both submission listeners' {@code SubmissionAuthLimitHook}.
     */
    @Provides
    @Singleton
    AuthFailureLimiter authFailureLimiter(TesSettings settings) {
        AuthFailureLimits limits = settings.submissionAuth();
        LOGGER.info("TES submission AUTH limits: {} failures per session, {} per client address within {},"
            + " table of {} addresses", limits.perSession(), limits.perAddress(), limits.addressWindow(),
            limits.addressTableSize());
        return new AuthFailureLimiter(limits, Clock.systemUTC());
    }

    /**
     * MTA-STS of non-member destinations ({@code sts.*}): policy discovery through the plain DNS client, the fetch
     * over HTTPS with the trusted CAs of {@code sts.trust-store} (loaded while James starts: an unreadable file
     * stops the start), one cache shared by every {@link TesRemoteDelivery}.
     */
    @Provides
    @Singleton
    OutboundSts outboundSts(DnsClient dns, TesSettings settings, FileSystem fileSystem) {
        StsSettings sts = settings.sts();
        if (!sts.enabled()) {
            LOGGER.info("TES MTA-STS disabled (sts.enabled=false)");
            return OutboundSts.disabled();
        }
        WebPkiTrust trust = trust(fileSystem, sts.trustStore(), TesSettings.STS_TRUST_STORE, "MTA-STS");
        StsPolicies policies = new StsPolicies(dns, new HttpsPolicyFetcher(dns, trust, sts.fetchPort(),
            sts.fetchTimeout(), sts.fetchMaxBytes(), Clock.systemUTC()), Clock.systemUTC(), settings.lookupTimeout(),
            sts.cacheSize());
        LOGGER.info("TES MTA-STS: trusted CAs {}, fetch timeout {}, at most {} octets, port {}, cache of {} domains",
            trust, sts.fetchTimeout(), sts.fetchMaxBytes(), sts.fetchPort(), sts.cacheSize());
        return OutboundSts.enabled(policies, trust);
    }

    /**
     * Where the outcomes of outbound TLS sessions are recorded for SMTP TLS Reporting: metrics and logs, and with
     * {@code tlsrpt.enabled=true} the node's reporter ({@link TlsReporting}), which sends the reports. Reporting
     * needs DKIM signing ({@code dkim.keys}) for the report mails; the trust store of {@code tlsrpt.trust-store}
     * and the state file are loaded here, while James starts: a problem stops the start. The reporter's thread
     * ends when James stops, after writing the state file a last time.
     */
    @Provides
    @Singleton
    TlsResultRecorder tlsResultRecorder(MetricFactory metrics, TesSettings settings, DkimSigning signing,
                                        DnsClient dns, FileSystem fileSystem, Provider<MailetContext> context,
                                        DisposingStager<PreDestroy> stopping) {
        TlsResultRecorder metered = new MeteredTlsResults(metrics);
        TlsRptSettings tlsrpt = settings.tlsrpt();
        if (!tlsrpt.enabled()) {
            LOGGER.info("TES TLS-RPT: reports are not sent (tlsrpt.enabled=false)");
            return metered;
        }
        DkimSigner signer = signing.signer(ReportMails.HEADERS).orElseThrow(() -> new IllegalStateException(
            TesSettings.TLSRPT_ENABLED + "=true needs DKIM signing (" + TesSettings.DKIM_KEYS + " in " + SETTINGS_FILE
                + "): report mails are signed with the key of " + tlsrpt.reportingDomain()));
        WebPkiTrust trust = trust(fileSystem, tlsrpt.trustStore(), TesSettings.TLSRPT_TRUST_STORE, "TLS-RPT");
        Optional<Path> stateFile = tlsrpt.stateFile().map(path -> varPath(fileSystem, path));
        try {
            if (stateFile.isPresent() && stateFile.get().toAbsolutePath().getParent() != null) {
                Files.createDirectories(stateFile.get().toAbsolutePath().getParent());
            }
            return metered.andThen(stopping.register(TlsReporting.start(tlsrpt, signer, dns, trust,
                settings.lookupTimeout(), context, stateFile, metrics)).reporter());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot use the TLS reporting state file " + stateFile.map(Path::toString)
                .orElse("(none)")
                + " (" + TesSettings.TLSRPT_STATE_FILE + " in " + SETTINGS_FILE + "): " + e.getMessage(), e);
        }
    }

    /** A path relative to James's {@code var/} directory, unless absolute. */
    private static Path varPath(FileSystem fileSystem, Path path) {
        if (path.isAbsolute()) {
            return path;
        }
        try {
            return fileSystem.getBasedir().toPath().resolve("var").resolve(path);
        } catch (FileNotFoundException e) {
            throw new IllegalStateException("James's base directory is not found: " + e.getMessage(), e);
        }
    }

    private static WebPkiTrust trust(FileSystem fileSystem, Optional<Path> trustStore, String key, String what) {
        if (trustStore.isEmpty()) {
            return WebPkiTrust.jdk();
        }
        Path file = confPath(fileSystem, trustStore.get(), what + " trust store");
        try {
            return WebPkiTrust.pemFile(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot load the " + what + " trust store " + file + " (" + key + " in "
                + SETTINGS_FILE + "): " + e.getMessage(), e);
        }
    }

    @Provides
    @Singleton
    MembershipResolver membershipResolver(DnsClient dns, TesSettings settings) {
        return new MembershipResolver(dns, settings.registryRoot());
    }

    static class SettingsProvider implements Provider<TesSettings> {
        private final FileSystem fileSystem;

        @Inject
        SettingsProvider(FileSystem fileSystem) {
            this.fileSystem = fileSystem;
        }

        @Override
        public TesSettings get() {
            try {
                TesSettings settings = TesSettings.parse(readSettings(fileSystem));
                LOGGER.info("TES settings: DNS resolvers {}, DNS timeout {}", settings.resolvers(),
                    settings.dnsTimeout());
                return settings;
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read " + SETTINGS_FILE + ": " + e.getMessage(), e);
            }
        }
    }

    static Properties readSettings(FileSystem fileSystem) throws IOException {
        return readProperties(fileSystem, SETTINGS_FILE);
    }

    private static Properties readProperties(FileSystem fileSystem, String url) throws IOException {
        Properties properties = new Properties();
        File file;
        try {
            file = fileSystem.getFile(url);
        } catch (FileNotFoundException e) {
            LOGGER.info("No {}: TES uses its default settings", url);
            return properties;
        }
        if (!file.exists()) {
            LOGGER.info("No {}: TES uses its default settings", url);
            return properties;
        }
        try (InputStream in = Files.newInputStream(file.toPath())) {
            properties.load(in);
        }
        return properties;
    }
}
