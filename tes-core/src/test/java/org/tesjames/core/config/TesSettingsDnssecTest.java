package org.tesjames.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dnssec.DnssecMode;
import org.tesjames.core.dnssec.TrustAnchorSource;

class TesSettingsDnssecTest {
    private static Properties properties(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    void defaultsToValidatingWithTheBuiltinAnchors() {
        TesSettings settings = TesSettings.defaults();

        assertThat(settings.dnssecMode()).isEqualTo(DnssecMode.VALIDATE);
        assertThat(settings.dnssecAnchors()).isEqualTo(new TrustAnchorSource.Builtin());
        assertThat(settings.dnssecTrustAdAllowRemote()).isFalse();
        assertThat(TesSettings.DEFAULTS).containsEntry("dnssec.mode", "validate")
            .containsEntry("dnssec.anchors", "builtin").containsEntry("dnssec.trust-ad.allow-remote", "false");
    }

    @Test
    void parsesAnAnchorFileAndTrustAdMode() {
        TesSettings settings = TesSettings.parse(properties("dnssec.mode", "trust-ad", "dnssec.anchors",
            "/etc/tes/root.key", "dns.resolvers", "127.0.0.1:5353,[::1]"));

        assertThat(settings.dnssecMode()).isEqualTo(DnssecMode.TRUST_AD);
        assertThat(settings.dnssecAnchors()).isEqualTo(new TrustAnchorSource.File(Path.of("/etc/tes/root.key")));
    }

    @Test
    void trustAdRefusesARemoteResolver() {
        assertThatThrownBy(() -> TesSettings.parse(properties("dnssec.mode", "trust-ad", "dns.resolvers",
                "127.0.0.1,192.0.2.53")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("dnssec.mode=trust-ad").hasMessageContaining("192.0.2.53");
    }

    @Test
    void trustAdAcceptsARemoteResolverWhenAllowed() {
        TesSettings settings = TesSettings.parse(properties("dnssec.mode", "trust-ad", "dns.resolvers", "192.0.2.53",
            "dnssec.trust-ad.allow-remote", "true"));

        assertThat(settings.dnssecTrustAdAllowRemote()).isTrue();
    }

    @Test
    void validateModeAcceptsRemoteResolvers() {
        assertThat(TesSettings.parse(properties("dns.resolvers", "192.0.2.53")).dnssecMode())
            .isEqualTo(DnssecMode.VALIDATE);
    }

    @Test
    void refusesAnUnknownModeNamingTheKey() {
        assertThatThrownBy(() -> TesSettings.parse(properties("dnssec.mode", "off")))
            .hasMessageContaining("Invalid value 'off' for dnssec.mode").hasMessageContaining("validate, trust-ad");
    }

    @Test
    void refusesALenientBoolean() {
        assertThatThrownBy(() -> TesSettings.parse(properties("dnssec.trust-ad.allow-remote", "yes")))
            .hasMessageContaining("Invalid value 'yes' for dnssec.trust-ad.allow-remote");
    }

    @Test
    void refusesAnEmptyAnchorsValue() {
        assertThatThrownBy(() -> TesSettings.parse(properties("dnssec.anchors", " ")))
            .hasMessageContaining("for dnssec.anchors");
    }
}
