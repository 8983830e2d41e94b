package org.tesjames.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TesTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Tes tes = new Tes(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private int run(String... args) {
        return tes.run(List.of(args));
    }

    @Test
    void noArgumentsIsAUsageError() {
        assertThat(run()).isEqualTo(Tes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: tes <command>");
    }

    @Test
    void anUnknownCommandIsAUsageErrorNamingIt() {
        assertThat(run("frobnicate")).isEqualTo(Tes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'frobnicate'");
    }

    @Test
    void configCheckPrintsTheEffectiveSettingsOfAValidFile() throws Exception {
        Path file = Files.writeString(dir.resolve("tes.properties"), "dns.resolvers=127.0.0.1:5353\n");

        assertThat(run("config", "check", file.toString())).isEqualTo(Tes.OK);
        assertThat(out.toString(StandardCharsets.UTF_8))
            .contains("valid")
            .contains("dns.resolvers=127.0.0.1:5353")
            .contains("dns.timeout=5000ms");
    }

    @Test
    void configCheckNamesTheBadKey() throws Exception {
        Path file = Files.writeString(dir.resolve("tes.properties"), "dns.timeout=fast\n");

        assertThat(run("config", "check", file.toString())).isEqualTo(Tes.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Invalid value 'fast' for dns.timeout");
    }

    @Test
    void configCheckOfAMissingFileSaysSo() {
        assertThat(run("config", "check", dir.resolve("absent").toString())).isEqualTo(Tes.NO_INPUT);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no such file");
    }

    @Test
    void theShippedTesPropertiesIsValid() {
        Path shipped = Path.of("..", "james-conf", "src", "main", "conf", "tes.properties");

        assertThat(run("config", "check", shipped.toString())).isEqualTo(Tes.OK);
    }
}
