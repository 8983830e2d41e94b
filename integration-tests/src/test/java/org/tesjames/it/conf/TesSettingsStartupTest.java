package org.tesjames.it.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.it.harness.DkimKeyDirectory;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;

/** conf/tes.properties is read while James starts: a bad file stops the start, naming the key. */
class TesSettingsStartupTest {
    @Test
    void aMalformedTesPropertiesStopsJamesFromStarting() {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns()) {
            assertThatThrownBy(() -> TesJamesServer.start(dns,
                    conf -> conf.modify("tes.properties", text -> text + "\ndns.timeout=soon\n")).close())
                .hasStackTraceContaining("Invalid value 'soon' for dns.timeout");
        }
    }

    @Test
    void anUnknownKeyStopsJamesFromStarting() {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns()) {
            assertThatThrownBy(() -> TesJamesServer.start(dns,
                    conf -> conf.modify("tes.properties", text -> text + "\ndns.resolver=127.0.0.1\n")).close())
                .hasStackTraceContaining("Unknown key(s) in tes.properties: dns.resolver");
        }
    }

    @Test
    void theShippedTesPropertiesStartsWithTheDefaults() throws Exception {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             TesJamesServer james = TesJamesServer.start(dns, conf -> { })) {
            assertThat(james.inboundPort()).isPositive();
        }
    }

    private static final String TLSRPT = "\ntlsrpt.enabled=true\ntlsrpt.organization-name=Example\n"
        + "tlsrpt.contact-info=mailto:tls@tes.test\ntlsrpt.reporting-domain=tes.test\n";

    @Test
    void tlsReportingWithoutItsReportFieldsStopsJamesFromStarting() {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns()) {
            assertThatThrownBy(() -> TesJamesServer.start(dns,
                    conf -> conf.modify("tes.properties", text -> text + "\ntlsrpt.enabled=true\n")).close())
                .hasStackTraceContaining("tlsrpt.organization-name is required when tlsrpt.enabled=true");
        }
    }

    @Test
    void tlsReportingWithoutDkimSigningStopsJamesFromStarting() {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns()) {
            assertThatThrownBy(() -> TesJamesServer.start(dns,
                    conf -> conf.modify("tes.properties", text -> text + TLSRPT)).close())
                .hasStackTraceContaining("tlsrpt.enabled=true needs DKIM signing (dkim.keys in");
        }
    }

    @Test
    void aCorruptTlsReportingStateFileStopsJamesFromStartingNamingIt(@TempDir Path directory) throws Exception {
        DkimKeyDirectory keys = DkimKeyDirectory.create();
        keys.write("tes.test", DkimKeyType.RSA, "s1");
        Path state = directory.resolve("tlsrpt.state");
        Files.writeString(state, "not a state file\n");
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns()) {
            assertThatThrownBy(() -> TesJamesServer.start(dns, conf -> conf.modify("tes.properties", text -> text
                    + TLSRPT + "dkim.keys=" + keys.path() + "\ntlsrpt.state-file=" + state + "\n")).close())
                .hasStackTraceContaining("Cannot use the TLS reporting state file " + state)
                .hasStackTraceContaining("is not a TLS reporting state file");
        }
        assertThat(Files.readString(state)).as("the file is left for the operator").isEqualTo("not a state file\n");
    }
}
