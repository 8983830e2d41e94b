package org.tesjames.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

/**
 * The packaged distribution ({@code james-conf/target/tes-james}) started as a separate JVM, exactly as an
 * operator runs it: James's class path is the distribution's {@code lib/} only, and the TES classes come from
 * {@code extensions-jars/}. Listeners bind free loopback ports; users are created through WebAdmin.
 */
public final class JamesProcess implements AutoCloseable {
    public static final String DIST_DIR_PROPERTY = "tes.dist.dir";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path home;
    private final Path log;
    private final int inboundPort;
    private final int submissionPort;
    private final int imapPort;
    private final int webadminPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private JamesProcess(Process process, Path home, int inboundPort, int submissionPort, int imapPort,
                         int webadminPort) {
        this.process = process;
        this.home = home;
        this.log = home.resolve("james.log");
        this.inboundPort = inboundPort;
        this.submissionPort = submissionPort;
        this.imapPort = imapPort;
        this.webadminPort = webadminPort;
    }

    public static Path distribution() {
        String dir = System.getProperty(DIST_DIR_PROPERTY);
        if (dir == null) {
            throw new IllegalStateException("System property " + DIST_DIR_PROPERTY + " is not set (run through Maven)");
        }
        Path dist = Path.of(dir);
        if (!Files.isDirectory(dist.resolve("lib")) || !Files.isDirectory(dist.resolve("extensions-jars"))) {
            throw new IllegalStateException("no distribution layout in " + dist + " (build james-conf first)");
        }
        return dist;
    }

    /** Starts the distribution with its configuration changed by {@code overlay}; waits until James is up. */
    public static JamesProcess start(TestDnsServer dns, Consumer<JamesConf> overlay) throws Exception {
        return start(dns, overlay, "512m");
    }

    /** Like {@link #start(TestDnsServer, Consumer)}, with this maximum heap ({@code -Xmx}, such as {@code 256m}). */
    public static JamesProcess start(TestDnsServer dns, Consumer<JamesConf> overlay, String maxHeap)
            throws Exception {
        return start(dns, overlay, maxHeap, home -> { });
    }

    /**
     * Like {@link #start(TestDnsServer, Consumer, String)}; {@code prepareHome} runs on James's working directory
     * before James starts (to link {@code var/} directories to storage shared with another node, for instance).
     */
    public static JamesProcess start(TestDnsServer dns, Consumer<JamesConf> overlay, String maxHeap,
                                     HomePreparation prepareHome) throws Exception {
        Path dist = distribution();
        Path home = Files.createTempDirectory("tes-james-process-");
        int inbound = freePort();
        int submission = freePort();
        int submissions = freePort();
        int imap = freePort();
        int webadmin = freePort();
        JamesConf conf = JamesConf.load(dist.resolve("conf"))
            .replace("smtpserver.xml", "<bind>0.0.0.0:25</bind>", "<bind>127.0.0.1:" + inbound + "</bind>")
            .replace("smtpserver.xml", "<bind>0.0.0.0:587</bind>", "<bind>127.0.0.1:" + submission + "</bind>")
            .replace("smtpserver.xml", "<bind>0.0.0.0:465</bind>", "<bind>127.0.0.1:" + submissions + "</bind>")
            .replace("imapserver.xml", "<bind>0.0.0.0:143</bind>", "<bind>127.0.0.1:" + imap + "</bind>")
            .replace("webadmin.properties", "port=8000", "port=" + webadmin)
            .modify("tes.properties", text -> text + "\ndns.resolvers=127.0.0.1:" + dns.port()
                + "\ndnssec.anchors=" + TesJamesServer.TEST_ANCHORS + "\n");
        overlay.accept(conf);
        conf.writeTo(home.resolve("conf"));
        Files.writeString(home.resolve("conf").resolve(TesJamesServer.TEST_ANCHORS), dns.trustAnchorText());
        TestCertificate certificate = TestCertificates.selfSigned("localhost");
        certificate.writePkcs12(home.resolve("conf/keystore"), TesJamesServer.KEYSTORE_SECRET, "james");
        copyDirectory(dist.resolve("extensions-jars"), home.resolve("extensions-jars"));
        prepareHome.prepare(home);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(),
            "-Xmx" + maxHeap,
            "-Dworking.directory=" + home,
            "-Dlogback.configurationFile=" + home.resolve("conf/logback.xml"),
            "-Dextra.props=" + home.resolve("conf/jvm.properties"),
            "-cp", dist.resolve("lib") + "/*",
            "org.apache.james.MemoryJamesServerMain")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("james.log").toFile());
        JamesProcess james = new JamesProcess(builder.start(), home, inbound, submission, imap, webadmin);
        james.awaitStarted();
        return james;
    }

    private void awaitStarted() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("James exited with status " + process.exitValue() + ":\n" + logTail());
            }
            if (log().contains("JAMES server started")) {
                return;
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("James did not start within " + START_TIMEOUT + ":\n" + logTail());
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    public String logTail() throws IOException {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    public int inboundPort() {
        return inboundPort;
    }

    public int submissionPort() {
        return submissionPort;
    }

    public int imapPort() {
        return imapPort;
    }

    /** The address of a WebAdmin resource of this James ({@code path} with its query, if any). */
    public URI webadminUri(String path) {
        return URI.create("http://127.0.0.1:" + webadminPort + path);
    }

    /** What a test does to James's working directory before James starts. */
    @FunctionalInterface
    public interface HomePreparation {
        void prepare(Path home) throws IOException;
    }

    public Path home() {
        return home;
    }

    /** Sends a WebAdmin request and returns the response, whatever its status. */
    public HttpResponse<String> http(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(webadminUri(path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(60))
            .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Ends James at once (SIGKILL), as a crash of its node would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Creates the domain and the user through WebAdmin, as an operator would. */
    public void addUser(String address, String password) throws IOException, InterruptedException {
        String domain = address.substring(address.indexOf('@') + 1);
        webadmin("PUT", "/domains/" + domain, "");
        webadmin("PUT", "/users/" + address, "{\"password\":\"" + password + "\"}");
    }

    private void webadmin(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http(method, path, body);
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
    }

    /** Stops James as an operator's Ctrl-C or service manager would (SIGTERM) and returns the exit status. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("James did not stop within 60 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
        TemporaryDirectories.delete(home);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
