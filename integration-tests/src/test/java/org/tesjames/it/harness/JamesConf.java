package org.tesjames.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The shipped James configuration ({@code james-conf/src/main/conf}), loaded into memory so that a test can
 * overlay it before the server boots. Every edit fails loudly when the text it expects is not in the file,
 * so that a test never silently runs against a configuration that drifted from what it meant to change.
 */
public final class JamesConf {
    public static final String CONF_DIR_PROPERTY = "tes.conf.dir";
    private static final Pattern JMX_NAME = Pattern.compile("<smtpserver enabled=\"true\">\\s*<jmxName>([^<]+)</jmxName>");

    private final Map<String, String> files;

    private JamesConf(Map<String, String> files) {
        this.files = files;
    }

    /** The configuration shipped by the project. */
    public static JamesConf shipped() {
        String dir = System.getProperty(CONF_DIR_PROPERTY);
        if (dir == null) {
            throw new IllegalStateException("System property " + CONF_DIR_PROPERTY + " is not set (run through Maven)");
        }
        return load(Path.of(dir));
    }

    /**
     * The shipped configuration with a shipped variant's files ({@code james-conf/src/main/variants/<name>})
     * in place of the default ones.
     */
    public static JamesConf shippedVariant(String name) {
        JamesConf conf = shipped();
        Path variant = Path.of(System.getProperty(CONF_DIR_PROPERTY)).resolveSibling("variants").resolve(name);
        JamesConf.load(variant).files.forEach(conf.files::put);
        return conf;
    }

    public static JamesConf load(Path dir) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.filter(Files::isRegularFile).toList()) {
                files.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the configuration in " + dir, e);
        }
        return new JamesConf(files);
    }

    public String file(String name) {
        String content = files.get(name);
        if (content == null) {
            throw new IllegalArgumentException("no configuration file " + name + " (have " + files.keySet() + ")");
        }
        return content;
    }

    /** Replaces every occurrence of {@code literal}; fails when there is none. */
    public JamesConf replace(String name, String literal, String replacement) {
        String content = file(name);
        if (!content.contains(literal)) {
            throw new IllegalArgumentException(name + " does not contain '" + literal + "'");
        }
        files.put(name, content.replace(literal, replacement));
        return this;
    }

    /** Replaces every match of {@code regex}; fails when there is none. */
    public JamesConf replaceAll(String name, String regex, String replacement) {
        Matcher matcher = Pattern.compile(regex).matcher(file(name));
        if (!matcher.find()) {
            throw new IllegalArgumentException(name + " has no match for /" + regex + "/");
        }
        files.put(name, matcher.replaceAll(replacement));
        return this;
    }

    public JamesConf modify(String name, UnaryOperator<String> change) {
        files.put(name, change.apply(file(name)));
        return this;
    }

    /** Replaces every occurrence of {@code literal} inside the SMTP listener with this jmxName; fails when none. */
    public JamesConf replaceInListener(String jmxName, String literal, String replacement) {
        String content = file("smtpserver.xml");
        int start = content.indexOf("<jmxName>" + jmxName + "</jmxName>");
        if (start < 0) {
            throw new IllegalArgumentException("smtpserver.xml has no listener " + jmxName);
        }
        int end = content.indexOf("</smtpserver>", start);
        String listener = content.substring(start, end);
        if (!listener.contains(literal)) {
            throw new IllegalArgumentException("listener " + jmxName + " does not contain '" + literal + "'");
        }
        files.put("smtpserver.xml", content.substring(0, start) + listener.replace(literal, replacement)
            + content.substring(end));
        return this;
    }

    /** Restricts the TLS protocols an SMTP listener accepts (its {@code <tls><supportedProtocols>}). */
    public JamesConf pinTlsProtocols(String jmxName, String... protocols) {
        StringBuilder pinned = new StringBuilder("    <supportedProtocols>");
        for (String protocol : protocols) {
            pinned.append("<protocol>").append(protocol).append("</protocol>");
        }
        return replaceInListener(jmxName, "</tls>", pinned.append("</supportedProtocols>\n        </tls>").toString());
    }

    /**
     * Sends the outbound delivery of every {@code TesRemoteDelivery} to {@code port} of the MX hosts, so that
     * recording sinks on loopback addresses (one per MX host, all on that port) can play them.
     */
    public JamesConf outboundPort(int port) {
        return replaceAll("mailetcontainer.xml", "(<danePolicy>[^<]*</danePolicy>)", "$1<port>" + port + "</port>");
    }

    /** The jmxNames of the enabled SMTP listeners, in the order James creates them. */
    public List<String> smtpListeners() {
        Matcher matcher = JMX_NAME.matcher(file("smtpserver.xml"));
        return matcher.results().map(result -> result.group(1)).toList();
    }

    public void writeTo(Path confDir) throws IOException {
        Files.createDirectories(confDir);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(confDir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
    }
}
