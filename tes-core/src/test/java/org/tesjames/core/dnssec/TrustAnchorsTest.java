package org.tesjames.core.dnssec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.testing.dns.TestDnsServer;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class TrustAnchorsTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    @Nested
    class Builtin {
        @Test
        void isTheIanaRootDsSet() {
            TrustAnchors anchors = TrustAnchors.builtin();

            assertThat(anchors.source()).isEqualTo("builtin");
            assertThat(anchors.names()).containsExactly(Name.root);
            assertThat(anchors.records()).allSatisfy(record -> assertThat(record.getType()).isEqualTo(Type.DS))
                .extracting(record -> ((DSRecord) record).getFootprint()).containsExactlyInAnyOrder(20326, 38696);
        }

        /**
         * The shipped resource is, byte for byte, the IANA root DS set of Debian's dns-root-data 2024071801~deb12u1
         * (the project's reference copy, shared/testdata/dns/root.ds), identified by its SHA-256.
         */
        @Test
        void isByteIdenticalToTheReferenceCopy() throws Exception {
            byte[] shipped;
            try (InputStream in = TrustAnchors.class.getResourceAsStream(TrustAnchors.BUILTIN_RESOURCE)) {
                shipped = in.readAllBytes();
            }

            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(shipped)))
                .isEqualTo("2c212250f1ec271109464e0db2f674f2b6b497da6a177d4d1b264fccb0f6d111");
        }

        @Test
        void isWhatTheBuiltinSourceLoads() {
            assertThat(TrustAnchors.load(new TrustAnchorSource.Builtin(), path -> path).records())
                .isEqualTo(TrustAnchors.builtin().records());
        }
    }

    @Test
    void readsAFileOfDsRecords() throws IOException {
        try (TestDnsServer dns = TestDnsServer.start()) {
            Path anchors = file("test.ds", dns.trustAnchorText());

            assertThat(TrustAnchors.load(new TrustAnchorSource.File(Path.of("test.ds")), dir::resolve).records())
                .containsExactly(dns.trustAnchor());
        }
    }

    @Test
    void acceptsDnskeyRecords() throws IOException {
        try (TestDnsServer dns = TestDnsServer.start()) {
            Path anchors = file("root.key", dns.rootZone().dnskey().toString() + "\n");

            assertThat(TrustAnchors.read(anchors).records()).containsExactly(dns.rootZone().dnskey());
        }
    }

    @Nested
    class Refuses {
        @Test
        void anEmptyFileNamingIt() throws IOException {
            Path empty = file("empty.ds", "; nothing here\n");

            assertThatThrownBy(() -> TrustAnchors.read(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining("holds no DS or DNSKEY record");
        }

        @Test
        void aMissingFileNamingIt() {
            Path missing = dir.resolve("missing.ds");

            assertThatThrownBy(() -> TrustAnchors.read(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        }

        @Test
        void anUnparsableFileNamingIt() throws IOException {
            Path garbage = file("garbage.ds", ". IN DS not a ds record\n");

            assertThatThrownBy(() -> TrustAnchors.read(garbage)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(garbage.toString()).hasMessageContaining("does not parse");
        }

        @Test
        void recordsThatAreNotTrustAnchors() throws IOException {
            Path wrongType = file("a.ds", "example.com. 300 IN A 192.0.2.1\n");

            assertThatThrownBy(() -> TrustAnchors.read(wrongType)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only DS and DNSKEY records");
        }

        @Test
        void anchorsTheValidatorCannotUseSinceItWouldFailOpen() throws IOException {
            Path unsupported = file("gost.ds", ". IN DS 12345 12 3 "
                + "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");

            assertThatThrownBy(() -> TrustAnchors.read(unsupported)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(unsupported.toString()).hasMessageContaining("no anchor of a supported algorithm");
        }
    }
}
