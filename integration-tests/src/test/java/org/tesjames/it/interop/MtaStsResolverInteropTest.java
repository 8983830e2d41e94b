package org.tesjames.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.sts.HttpsPolicyFetcher;
import org.tesjames.core.sts.StsLookup;
import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.TestZone;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.sts.PolicyServer;
import org.tesjames.testing.tls.TestPki;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * MTA-STS interop with Debian's {@code postfix-mta-sts-resolver} (1.1.2, Python): for each test policy the project
 * ({@link StsPolicies} over {@link HttpsPolicyFetcher}) and the resolver, with Postfix matching its answer, agree
 * on whether the policy is valid, its mode, and which candidate MX hosts it admits. Where the two differ, the
 * case names the difference, the project's verdict is the one RFC 8461 gives, and the resolver's is asserted as
 * it is, so that a change on either side shows.
 *
 * <p>Both sides run end to end against the same test servers: the TXT record {@code _mta-sts.<domain>} on the
 * project's {@link TestDnsServer}, the policy over HTTPS from one {@link PolicyServer} whose certificate (for every
 * {@code mta-sts.<domain>}) is issued by a test CA that both trust.
 * <ul>
 * <li>The resolver: its daemon (the socketmap server Postfix queries, {@code mta-sts-daemon}) and its resolver
 * alone (what {@code mta-sts-query} runs) for the validity and mode of policies the daemon does not hand to Postfix
 * ({@code none}), both through {@code interop/mta_sts_resolver.py}. That launcher changes one thing: the name
 * server. c-ares, which the resolver uses through aiodns, reads its servers only from {@code /etc/resolv.conf} and
 * queries only port 53, which a test can neither change nor bind without root; the launcher hands the test DNS
 * server's address and port to each aiodns resolver the package creates. The policy host is reached without any
 * change: the fetch goes to port 443 (not bindable without root either), but aiohttp follows the standard
 * {@code https_proxy} variable, so a CONNECT proxy of this test carries the resolver's own TLS connection to the
 * policy host (the resolver verifies the certificate for {@code mta-sts.<domain>} itself, trusting the test CA
 * through OpenSSL's {@code SSL_CERT_FILE}).</li>
 * <li>Which MX hosts the resolver admits: it answers Postfix {@code secure match=<patterns>} (a wildcard
 * {@code *.d} becomes Postfix's {@code .d}); Postfix then delivers only over TLS whose certificate matches a
 * pattern. Postfix's own TLS client {@code posttls-finger} is run with those patterns against a STARTTLS server
 * per candidate host, presenting a certificate of the test CA for that host name: "Verified" means admitted.</li>
 * <li>The project: a fresh lookup ({@link StsLookup.Found} with a fetched policy means valid) and
 * {@code StsPolicy.admits} of each candidate host.</li>
 * </ul>
 */
@Tag("interop")
class MtaStsResolverInteropTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String POSTTLS_FINGER = "/usr/sbin/posttls-finger";
    private static final String ZONE = "sts-interop.test";
    private static final String POLICY_HOST_ADDRESS = "127.0.0.1";
    private static final List<String> CANDIDATES = List.of("mx1.example.net", "mx2.example.net",
        "a.mx1.example.net", "example.net", "mx1.example.net.evil.test", "backup.example.org");

    private static TestDnsServer dns;
    private static PolicyServer policyHost;
    private static ConnectProxy proxy;
    private static Process daemon;
    private static int daemonPort;
    private static StsPolicies project;
    private static Path caFile;
    private static final Map<String, RecordingSmtpSink> MX_HOSTS = new LinkedHashMap<>();

    @TempDir
    static Path work;

    /** What one side makes of a policy. */
    record Verdict(boolean valid, String mode, Set<String> admitted) {
        static Verdict invalid() {
            return new Verdict(false, "", Set.of());
        }

        static Verdict valid(String mode, String... admitted) {
            return new Verdict(true, mode, new LinkedHashSet<>(List.of(admitted)));
        }
    }

    /**
     * A test policy.
     *
     * @param name what it tests
     * @param policy the policy text served
     * @param rfc the verdict of RFC 8461, which the project must give
     * @param resolverDiffers the resolver's verdict where it is not the RFC's, and why
     */
    record Case(String name, String policy, Verdict rfc, Optional<String> resolverDiffers, Verdict resolver) {
        static Case agreed(String name, String policy, Verdict rfc) {
            return new Case(name, policy, rfc, Optional.empty(), rfc);
        }

        static Case differing(String name, String policy, Verdict rfc, Verdict resolver, String why) {
            return new Case(name, policy, rfc, Optional.of(why), resolver);
        }

        String domain() {
            return "c" + CASES.indexOf(this) + "." + ZONE;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static String policy(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    static final List<Case> CASES = List.of(
        Case.agreed("enforce, one exact mx",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "max_age: 86400"),
            Verdict.valid("enforce", "mx1.example.net")),
        Case.agreed("enforce, two exact mx in two domains",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "mx: backup.example.org",
                "max_age: 604800"),
            Verdict.valid("enforce", "mx1.example.net", "backup.example.org")),
        Case.differing("enforce, wildcard: one leftmost label only (RFC 8461 section 4.1)",
            policy("version: STSv1", "mode: enforce", "mx: *.example.net", "mx: backup.example.org",
                "max_age: 86400"),
            Verdict.valid("enforce", "mx1.example.net", "mx2.example.net", "backup.example.org"),
            Verdict.valid("enforce", "mx1.example.net", "mx2.example.net", "a.mx1.example.net",
                "backup.example.org"),
            "the resolver turns *.example.net into Postfix's .example.net, which matches sub-domains at any depth"),
        Case.agreed("testing",
            policy("version: STSv1", "mode: testing", "mx: mx2.example.net", "max_age: 86400"),
            Verdict.valid("testing", "mx2.example.net")),
        Case.agreed("none without mx",
            policy("version: STSv1", "mode: none", "max_age: 86400"),
            Verdict.valid("none")),
        Case.agreed("mx pattern case is ignored",
            policy("version: STSv1", "mode: enforce", "mx: MX1.Example.NET", "mx: *.EXAMPLE.org", "max_age: 86400"),
            Verdict.valid("enforce", "mx1.example.net", "backup.example.org")),
        Case.agreed("CRLF, white space, empty lines, extension fields, any order",
            "max_age:86400  \r\n\r\nmx:   mx2.example.net\r\nx-extension: anything: at all\r\nmode: enforce\t\r\n"
                + "version: STSv1\r\n",
            Verdict.valid("enforce", "mx2.example.net")),
        Case.agreed("max_age 0", policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "max_age: 0"),
            Verdict.valid("enforce", "mx1.example.net")),
        Case.agreed("max_age at the limit 31557600",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "max_age: 31557600"),
            Verdict.valid("enforce", "mx1.example.net")),
        Case.agreed("max_age over the limit",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "max_age: 31557601"),
            Verdict.invalid()),
        Case.agreed("max_age negative",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "max_age: -1"), Verdict.invalid()),
        Case.agreed("max_age not a number",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "max_age: one day"),
            Verdict.invalid()),
        Case.agreed("no max_age", policy("version: STSv1", "mode: enforce", "mx: mx1.example.net"),
            Verdict.invalid()),
        Case.agreed("version STSv2", policy("version: STSv2", "mode: enforce", "mx: mx1.example.net",
            "max_age: 86400"), Verdict.invalid()),
        Case.agreed("no version", policy("mode: enforce", "mx: mx1.example.net", "max_age: 86400"),
            Verdict.invalid()),
        Case.agreed("no mode", policy("version: STSv1", "mx: mx1.example.net", "max_age: 86400"),
            Verdict.invalid()),
        Case.agreed("unknown mode", policy("version: STSv1", "mode: reject", "mx: mx1.example.net",
            "max_age: 86400"), Verdict.invalid()),
        Case.agreed("mode value in another case",
            policy("version: STSv1", "mode: Enforce", "mx: mx1.example.net", "max_age: 86400"), Verdict.invalid()),
        Case.agreed("enforce without mx", policy("version: STSv1", "mode: enforce", "max_age: 86400"),
            Verdict.invalid()),
        Case.agreed("testing without mx", policy("version: STSv1", "mode: testing", "max_age: 86400"),
            Verdict.invalid()),
        Case.differing("max_age in Python's digit grouping",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "max_age: 86_400"),
            Verdict.invalid(), Verdict.valid("enforce", "mx1.example.net"),
            "the resolver reads max_age with Python's int(), which accepts 86_400; the ABNF is 1*10DIGIT"),
        Case.differing("mode given twice",
            policy("version: STSv1", "mode: testing", "mode: enforce", "mx: mx1.example.net", "max_age: 86400"),
            Verdict.invalid(), Verdict.valid("enforce", "mx1.example.net"),
            "the resolver keeps the last mode; the project refuses a policy whose intent it cannot tell"),
        Case.differing("a line that is not a field",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net", "this is not a field",
                "max_age: 86400"),
            Verdict.invalid(), Verdict.valid("enforce", "mx1.example.net"),
            "the resolver ignores lines without a colon; the project refuses text outside the policy grammar"),
        Case.differing("an mx value that is no host name",
            policy("version: STSv1", "mode: enforce", "mx: *.*.example.net", "max_age: 86400"),
            Verdict.invalid(), Verdict.valid("enforce"),
            "the resolver does not check mx values; Postfix's pattern .*.example.net then matches no host"),
        Case.differing("an mx value with a trailing dot",
            policy("version: STSv1", "mode: enforce", "mx: mx1.example.net.", "max_age: 86400"),
            Verdict.valid("enforce", "mx1.example.net"), Verdict.valid("enforce"),
            "the project reads mx1.example.net. as the absolute name mx1.example.net; Postfix compares the "
                + "pattern with the trailing dot to the certificate's names and matches none"));

    static Stream<Case> cases() {
        return CASES.stream();
    }

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create("MTA-STS Interop Test CA");
        caFile = work.resolve("ca.pem");
        Files.writeString(caFile, pki.root().chainPem(), StandardCharsets.US_ASCII);

        dns = TestDnsServer.start();
        TestZone zone = dns.zone(ZONE);
        List<String> policyHosts = new ArrayList<>();
        for (Case c : CASES) {
            String label = c.domain().substring(0, c.domain().length() - ZONE.length() - 1);
            zone.txt("_mta-sts." + label, "v=STSv1; id=2026120201;").a("mta-sts." + label, POLICY_HOST_ADDRESS);
            policyHosts.add("mta-sts." + c.domain());
        }
        policyHost = PolicyServer.start(POLICY_HOST_ADDRESS, 0, pki.issue(policyHosts.toArray(String[]::new)));
        DnsClient client = DnsJavaClient.create(List.of(dns.address()), Duration.ofSeconds(2), 1);
        proxy = ConnectProxy.start(client, policyHost.port());
        project = new StsPolicies(client, new HttpsPolicyFetcher(client, WebPkiTrust.pemFile(caFile),
            policyHost.port(), Duration.ofSeconds(10), 64 * 1024, Clock.systemUTC()), Clock.systemUTC(),
            Duration.ofSeconds(5), 1000);

        for (String host : CANDIDATES) {
            MX_HOSTS.put(host, RecordingSmtpSink.builder().hostname(host).startTls(pki.issue(host)).start());
        }
        startDaemon();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        MX_HOSTS.values().forEach(RecordingSmtpSink::close);
        for (AutoCloseable started : new AutoCloseable[] {proxy, policyHost, dns}) {
            if (started != null) {
                started.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothSidesReadThePolicyAndAdmitTheSameMxHosts(Case c) throws Exception {
        policyHost.policy(c.policy());

        Verdict ours = project(c.domain());
        Verdict theirs = resolver(c.domain());

        assertThat(ours).as("the project, RFC 8461").isEqualTo(c.rfc());
        assertThat(theirs).as("postfix-mta-sts-resolver with Postfix"
            + c.resolverDiffers().map(why -> " (known difference: " + why + ")").orElse("")).isEqualTo(c.resolver());
        c.resolverDiffers().ifPresent(why -> assertThat(theirs).as("a difference is listed only where there is one")
            .isNotEqualTo(ours));
    }

    private static Verdict project(String domain) {
        StsLookup lookup = project.lookup(domain);
        if (!(lookup instanceof StsLookup.Found found)) {
            assertThat(((StsLookup.None) lookup).problem()).as("the project fetched and refused the policy")
                .hasValueSatisfying(problem -> assertThat(problem.type().label()).isEqualTo("sts-policy-invalid"));
            return Verdict.invalid();
        }
        assertThat(found.source()).isEqualTo(StsLookup.Source.FETCHED);
        String mode = found.policy().mode().label();
        Set<String> admitted = new LinkedHashSet<>();
        if (!mode.equals("none")) {
            CANDIDATES.stream().filter(found.policy()::admits).forEach(admitted::add);
        }
        return new Verdict(true, mode, admitted);
    }

    /** The resolver's verdict: its own reading of the policy, its socketmap answers, and Postfix's matching. */
    private static Verdict resolver(String domain) throws Exception {
        int fetches = policyHost.requests();
        List<String> query = python("query", domain);
        assertThat(policyHost.requests()).as("the resolver fetched the policy").isEqualTo(fetches + 1);
        String status = field(query, "status").orElseThrow();
        assertThat(status).isIn("VALID", "FETCH_ERROR");
        String strict = socketmap("strict", domain);
        String postfix = socketmap("postfix", domain);
        assertThat(policyHost.requests()).as("the daemon fetched the policy, then answered from its cache (a valid"
            + " policy) or fetched again (an invalid one, never cached)")
            .isEqualTo(fetches + (status.equals("VALID") ? 2 : 3));
        if (status.equals("FETCH_ERROR")) {
            assertThat(strict).isEqualTo("NOTFOUND ");
            assertThat(postfix).isEqualTo("NOTFOUND ");
            return Verdict.invalid();
        }
        String mode = field(query, "mode").orElseThrow();
        if (mode.equals("none")) {
            assertThat(strict).isEqualTo("NOTFOUND ");
            assertThat(postfix).isEqualTo("NOTFOUND ");
            return new Verdict(true, mode, Set.of());
        }
        assertThat(strict).startsWith("OK secure match=").endsWith(" servername=hostname");
        assertThat(postfix).as("the daemon enforces only mode enforce").isEqualTo(
            mode.equals("enforce") ? strict : "NOTFOUND ");
        List<String> patterns = List.of(strict.substring("OK secure match=".length(),
            strict.length() - " servername=hostname".length()).split(":"));
        Set<String> admitted = new LinkedHashSet<>();
        for (String candidate : CANDIDATES) {
            if (postfixVerifies(candidate, patterns)) {
                admitted.add(candidate);
            }
        }
        return new Verdict(true, mode, admitted);
    }

    private static Optional<String> field(List<String> lines, String name) {
        return lines.stream().filter(line -> line.startsWith(name + " ")).map(line -> line.substring(name.length() + 1))
            .findFirst();
    }

    /** Postfix's TLS client with the patterns as its match list, against the candidate's STARTTLS server. */
    private static boolean postfixVerifies(String candidate, List<String> patterns) throws Exception {
        RecordingSmtpSink host = MX_HOSTS.get(candidate);
        List<String> command = new ArrayList<>(List.of(POSTTLS_FINGER, "-c", "-t", "10", "-T", "30", "-l", "secure",
            "-F", caFile.toString(), "-s", candidate, "[" + host.host() + "]:" + host.port()));
        command.addAll(patterns);
        String output = String.join("\n", run(command, Map.of()));
        assertThat(output).as("posttls-finger %s", command).contains("TLS connection established");
        return output.contains("Verified TLS connection established");
    }

    private static Path driver() {
        try {
            return Path.of(MtaStsResolverInteropTest.class.getResource("/interop/mta_sts_resolver.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> resolverEnvironment() {
        return Map.of("https_proxy", "http://127.0.0.1:" + proxy.port(), "SSL_CERT_FILE", caFile.toString());
    }

    private static List<String> python(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, driver().toString(), "--dns",
            dns.host() + ":" + dns.port()));
        command.addAll(List.of(arguments));
        return run(command, resolverEnvironment());
    }

    /** Runs a command to its end; its standard output and error lines, or an AssertionError. */
    private static List<String> run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        clearProxies(builder.environment());
        builder.environment().putAll(environment);
        Process process = builder.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish: " + command);
        }
        String text = new String(out.get(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(command + " exited " + process.exitValue() + ": " + text);
        }
        return text.lines().toList();
    }

    private static void clearProxies(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.toLowerCase().endsWith("_proxy"));
    }

    private static byte[] readAll(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void startDaemon() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            daemonPort = probe.getLocalPort();
        }
        Path config = work.resolve("mta-sts-daemon.yml");
        Files.writeString(config, String.join("\n",
            "host: 127.0.0.1",
            "port: " + daemonPort,
            "shutdown_timeout: 2",
            "cache:",
            "  type: internal",
            "  options:",
            "    cache_size: 1000",
            "default_zone:",
            "  strict_testing: false",
            "  timeout: 10",
            "zones:",
            "  strict:",
            "    strict_testing: true",
            "    timeout: 10",
            ""), StandardCharsets.US_ASCII);
        ProcessBuilder builder = new ProcessBuilder(PYTHON, driver().toString(), "--dns", dns.host() + ":" + dns.port(),
            "daemon", "-c", config.toString(), "-v", "debug", "--disable-uvloop")
            .redirectErrorStream(true).redirectOutput(work.resolve("mta-sts-daemon.log").toFile());
        clearProxies(builder.environment());
        builder.environment().putAll(resolverEnvironment());
        daemon = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket socket = new Socket("127.0.0.1", daemonPort)) {
                return;
            } catch (IOException e) {
                if (!daemon.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("mta-sts-daemon did not start: "
                        + Files.readString(work.resolve("mta-sts-daemon.log")), e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** One Postfix socketmap request ({@code <map> <key>} as a netstring) to the daemon; the reply's text. */
    private static String socketmap(String map, String key) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", daemonPort)) {
            socket.setSoTimeout(60_000);
            byte[] request = (map + " " + key).getBytes(StandardCharsets.US_ASCII);
            OutputStream out = socket.getOutputStream();
            out.write((request.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(request);
            out.write(',');
            out.flush();
            InputStream in = socket.getInputStream();
            int length = 0;
            for (int c = in.read(); c != ':'; c = in.read()) {
                assertThat(c).as("netstring length digit").isBetween((int) '0', (int) '9');
                length = length * 10 + (c - '0');
            }
            byte[] reply = in.readNBytes(length);
            assertThat(in.read()).isEqualTo(',');
            return new String(reply, StandardCharsets.US_ASCII);
        }
    }

    /**
     * An HTTP CONNECT proxy on loopback: each tunnel goes to the address the test DNS server gives the requested
     * host, on the policy host's port instead of 443.
     */
    static final class ConnectProxy implements AutoCloseable {
        private final ServerSocket server;
        private final DnsClient dns;
        private final int targetPort;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        private ConnectProxy(ServerSocket server, DnsClient dns, int targetPort) {
            this.server = server;
            this.dns = dns;
            this.targetPort = targetPort;
        }

        static ConnectProxy start(DnsClient dns, int targetPort) throws IOException {
            ConnectProxy proxy = new ConnectProxy(new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1")), dns,
                targetPort);
            Thread accept = new Thread(proxy::accept, "connect-proxy");
            accept.setDaemon(true);
            accept.start();
            return proxy;
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    sockets.add(client);
                    daemonThread(() -> tunnel(client));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void tunnel(Socket client) {
            try {
                InputStream in = client.getInputStream();
                String request = readHead(in);
                String[] words = request.split(" ", 3);
                if (words.length < 3 || !words[0].equals("CONNECT") || !words[1].endsWith(":443")) {
                    client.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    client.close();
                    return;
                }
                String host = words[1].substring(0, words[1].length() - ":443".length());
                DnsResult answer = dns.query(Name.fromString(host + "."), Type.A).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
                if (!(answer instanceof DnsResult.Answer records)) {
                    client.getOutputStream().write("HTTP/1.1 502 Bad Gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    client.close();
                    return;
                }
                InetAddress address = ((ARecord) records.records().get(0)).getAddress();
                Socket upstream = new Socket();
                sockets.add(upstream);
                upstream.connect(new InetSocketAddress(address, targetPort), 10_000);
                client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
                daemonThread(() -> pump(upstream, client));
                pump(client, upstream);
            } catch (Exception e) {
                close(client);
            }
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0 || head.length() > 8192) {
                    throw new IOException("incomplete request head");
                }
                head.append((char) c);
            }
            return head.toString();
        }

        private static void pump(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                close(from);
                close(to);
            }
        }

        private static void daemonThread(Runnable task) {
            Thread thread = new Thread(task, "connect-proxy-tunnel");
            thread.setDaemon(true);
            thread.start();
        }

        private static void close(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            sockets.forEach(ConnectProxy::close);
        }
    }
}
