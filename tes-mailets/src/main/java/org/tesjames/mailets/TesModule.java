package org.tesjames.mailets;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Properties;

import java.net.InetSocketAddress;
import java.util.List;

import javax.inject.Inject;
import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.mailets.dns.JamesDnsMetrics;
import org.tesjames.mailets.dns.MeteredDnsClient;
import org.xbill.DNS.ResolverConfig;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * The Guice module of the TES extension, named in {@code conf/extensions.properties}:
 * <pre>guice.extension.module=org.tesjames.mailets.TesModule</pre>
 * James uses it to create the TES mailets, matchers and hooks. It reads {@code conf/tes.properties}
 * (every key is optional; see {@link TesSettings}) while James starts; a malformed file stops the server with a
 * message naming the key and the value.
 */
public class TesModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(TesModule.class);
    public static final String SETTINGS_FILE = FileSystem.FILE_PROTOCOL_AND_CONF + "tes.properties";

    @Override
    protected void configure() {
        bind(TesSettings.class).toProvider(SettingsProvider.class).asEagerSingleton();
    }

    /**
     * The DNS client of every TES lookup: the configured resolvers, metered, behind one shared cache with
     * in-flight de-duplication.
     */
    @Provides
    @Singleton
    DnsClient dnsClient(TesSettings settings, MetricFactory metrics) {
        List<InetSocketAddress> servers = settings.resolvers() instanceof TesSettings.Resolvers.Explicit explicit
            ? explicit.addresses().stream().map(ResolverAddress::socketAddress).toList()
            : ResolverConfig.getCurrentConfig().servers();
        if (servers.isEmpty()) {
            throw new IllegalStateException("dns.resolvers=system but the system has no DNS resolver configured;"
                + " set dns.resolvers in " + SETTINGS_FILE);
        }
        LOGGER.info("TES DNS: resolvers {}, timeout {}, retries {}, cache size {}, max TTL {}, failure hold-down {}",
            servers, settings.dnsTimeout(), settings.dnsRetries(), settings.dnsCacheSize(), settings.dnsCacheMaxTtl(),
            settings.dnsCacheFailureHoldDown());
        DnsClient resolvers = new MeteredDnsClient(
            DnsJavaClient.create(servers, settings.dnsTimeout(), settings.dnsRetries()), metrics);
        return CachingDnsClient.builder(resolvers)
            .maximumSize(settings.dnsCacheSize())
            .maxTtl(settings.dnsCacheMaxTtl())
            .failureHoldDown(settings.dnsCacheFailureHoldDown())
            .metrics(new JamesDnsMetrics(metrics))
            .build();
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
        Properties properties = new Properties();
        File file;
        try {
            file = fileSystem.getFile(SETTINGS_FILE);
        } catch (FileNotFoundException e) {
            LOGGER.info("No {}: TES uses its default settings", SETTINGS_FILE);
            return properties;
        }
        if (!file.exists()) {
            LOGGER.info("No {}: TES uses its default settings", SETTINGS_FILE);
            return properties;
        }
        try (InputStream in = Files.newInputStream(file.toPath())) {
            properties.load(in);
        }
        return properties;
    }
}
