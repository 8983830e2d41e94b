package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.james.filesystem.api.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.config.TesSettings;

class TesModuleTest {
    @TempDir
    Path home;

    /** James's file system rooted at a directory: {@code file://conf/x} is {@code <home>/conf/x}. */
    private FileSystem fileSystem() {
        return new FileSystem() {
            @Override
            public InputStream getResource(String url) throws IOException {
                return new FileInputStream(getFile(url));
            }

            @Override
            public File getFile(String fileURL) {
                return home.resolve(fileURL.substring(FileSystem.FILE_PROTOCOL.length())).toFile();
            }

            @Override
            public File getBasedir() {
                return home.toFile();
            }
        };
    }

    @Test
    void dnsAnswersCompleteOnTesThreadsNotOnTheCommonPool() throws Exception {
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0,
                java.net.InetAddress.getLoopbackAddress())) {
            java.util.Properties properties = new java.util.Properties();
            properties.setProperty(TesSettings.DNS_RESOLVERS, "127.0.0.1:" + silent.getLocalPort());
            properties.setProperty(TesSettings.DNS_TIMEOUT, "500ms");
            properties.setProperty(TesSettings.DNS_RETRIES, "0");
            org.tesjames.core.dns.DnsClient client = new TesModule().tesDnsClients(TesSettings.parse(properties),
                org.tesjames.core.dnssec.TrustAnchors.builtin(),
                new org.apache.james.metrics.tests.RecordingMetricFactory()).plain();

            // The silent resolver makes the query time out, so its completion comes from the client's executor.
            String thread = client.query(org.xbill.DNS.Name.fromString("example.com."), org.xbill.DNS.Type.TXT)
                .thenApply(result -> Thread.currentThread().getName())
                .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(thread).startsWith("tes-dns-");
        }
    }

    @Test
    void usesDefaultsWhenTesPropertiesIsAbsent() throws Exception {
        assertThat(new TesModule.SettingsProvider(fileSystem()).get()).isEqualTo(TesSettings.defaults());
    }

    @Test
    void readsConfTesProperties() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/tes.properties"), "dns.resolvers=127.0.0.1:5353\ndns.timeout=2s\n");

        TesSettings settings = new TesModule.SettingsProvider(fileSystem()).get();

        assertThat(settings.resolvers()).hasToString("127.0.0.1:5353");
        assertThat(settings.dnsTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aMalformedFileStopsTheStartNamingTheKey() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/tes.properties"), "dns.timeout=soon\n");

        assertThatThrownBy(() -> new TesModule.SettingsProvider(fileSystem()).get())
            .hasMessageContaining("Invalid value 'soon' for dns.timeout");
    }
}
