package org.tesjames.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.tesjames.core.config.HealthSettings;
import org.tesjames.core.config.TesSettings;

/** The shipped configuration stays true to the code. */
class ShippedConfigurationTest {
    private static final Path CONF = Path.of(System.getProperty("tes.conf.dir", "src/main/conf"));
    private static final Path VARIANTS = Path.of(System.getProperty("tes.variants.dir", "src/main/variants"));
    private static final Pattern DOCUMENTED_DEFAULT = Pattern.compile("(?m)^#([a-z][a-z.-]+)=(.*)$");
    private static final Pattern TES_CLASS = Pattern.compile("org\\.tesjames\\.[A-Za-z0-9_.]+");

    /** The shipped files with this suffix: the default configuration and every variant. */
    private static List<Path> files(String suffix) throws IOException {
        try (Stream<Path> conf = Files.list(CONF); Stream<Path> variants = Files.walk(VARIANTS)) {
            return Stream.concat(conf, variants)
                .filter(Files::isRegularFile)
                .filter(path -> path.toString().endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void tesPropertiesDocumentsEveryKeyWithItsTrueDefault() throws IOException {
        Matcher matcher = DOCUMENTED_DEFAULT.matcher(Files.readString(CONF.resolve("tes.properties")));
        Map<String, String> documented = matcher.results()
            .collect(Collectors.toMap(result -> result.group(1), result -> result.group(2).trim()));

        assertThat(documented).isEqualTo(TesSettings.DEFAULTS);
    }

    @Test
    void tesPropertiesAsShippedParsesToTheDefaults() throws IOException {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(CONF.resolve("tes.properties"))) {
            properties.load(in);
        }

        assertThat(TesSettings.parse(properties)).isEqualTo(TesSettings.defaults());
    }

    @Test
    void healthcheckPropertiesDocumentsEveryTesKeyWithItsTrueDefaultAndParses() throws IOException {
        String text = Files.readString(CONF.resolve("healthcheck.properties"));
        Map<String, String> documented = DOCUMENTED_DEFAULT.matcher(text).results()
            .filter(result -> result.group(1).startsWith("tes."))
            .collect(Collectors.toMap(result -> result.group(1), result -> result.group(2).trim()));
        Properties properties = new Properties();
        try (var in = Files.newInputStream(CONF.resolve("healthcheck.properties"))) {
            properties.load(in);
        }

        assertThat(documented).isEqualTo(HealthSettings.DEFAULTS);
        assertThat(HealthSettings.parse(properties)).isEqualTo(HealthSettings.defaults());
        assertThat(properties.getProperty("additional.healthchecks").split(",")).containsExactly(
            "org.tesjames.mailets.health.DnsResolverHealthCheck", "org.tesjames.mailets.health.DnssecHealthCheck",
            "org.tesjames.mailets.health.DkimKeysHealthCheck", "org.tesjames.mailets.health.DeferredMailHealthCheck");
    }

    @Test
    void everyXmlFileIsWellFormed() throws Exception {
        List<Path> xmlFiles = files(".xml");
        assertThat(xmlFiles).isNotEmpty();
        for (Path file : xmlFiles) {
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        }
    }

    @Test
    void everyProjectClassNamedInTheConfigurationExists() throws Exception {
        List<String> named = Stream.concat(files(".xml").stream(), files(".properties").stream())
            .flatMap(file -> {
                try {
                    return TES_CLASS.matcher(Files.readString(file)).results().map(java.util.regex.MatchResult::group);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            })
            .distinct()
            .toList();

        assertThat(named).contains("org.tesjames.mailets.TesModule", "org.tesjames.mailets.smtp.SessionFactsHook",
            "org.tesjames.mailets.smtp.InboundPolicyHook", "org.tesjames.matchers.SenderTlsCompliant",
            "org.tesjames.mailets.TesDefer", "org.tesjames.mailets.TesDkimSign");
        for (String className : named) {
            Class.forName(className);
        }
    }
}
