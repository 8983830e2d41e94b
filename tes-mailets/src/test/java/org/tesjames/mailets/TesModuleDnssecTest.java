package org.tesjames.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.james.filesystem.api.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dnssec.TrustAnchors;

/** The DNSSEC settings as the module applies them while James starts. */
class TesModuleDnssecTest {
    @TempDir
    Path home;

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

    private TrustAnchors anchors(String tesProperties) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/tes.properties"), tesProperties);
        TesSettings settings = new TesModule.SettingsProvider(fileSystem()).get();
        return new TesModule.TrustAnchorsProvider(settings, fileSystem()).get();
    }

    @Test
    void validateModeUsesTheBuiltinRootAnchorsByDefault() throws IOException {
        assertThat(anchors("").records()).isEqualTo(TrustAnchors.builtin().records());
    }

    @Test
    void aRelativeAnchorFileIsReadFromConf() throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/test-root.ds"),
            ". 3600 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");

        TrustAnchors anchors = anchors("dnssec.anchors=test-root.ds\n");

        assertThat(anchors.records()).hasSize(1);
        assertThat(anchors.source()).endsWith("test-root.ds");
    }

    @Test
    void validateModeWithAnEmptyAnchorFileRefusesToStart() throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/empty.ds"), "");

        assertThatThrownBy(() -> anchors("dnssec.anchors=empty.ds\n"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("empty.ds").hasMessageContaining("no DS or DNSKEY record");
    }

    @Test
    void validateModeWithAMissingAnchorFileRefusesToStart() {
        assertThatThrownBy(() -> anchors("dnssec.anchors=" + home.resolve("nowhere.ds") + "\n"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("nowhere.ds").hasMessageContaining("does not exist");
    }

    @Test
    void trustAdModeWithARemoteResolverRefusesToStart() {
        assertThatThrownBy(() -> anchors("dnssec.mode=trust-ad\ndns.resolvers=192.0.2.53\n"))
            .hasMessageContaining("192.0.2.53").hasMessageContaining("not on loopback");
    }
}
