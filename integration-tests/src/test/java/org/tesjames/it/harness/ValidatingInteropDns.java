package org.tesjames.it.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Third-party DNS for interop tests: zones signed with {@code ldns-signzone} (or left unsigned) served by NSD, and
 * unbound as the validating resolver in front of it, with the DS of each signed zone as its trust anchor.
 */
public final class ValidatingInteropDns implements AutoCloseable {
    private final Path dir;
    private final NsdServer nsd;
    private final Process unbound;
    private final InetSocketAddress address;

    private ValidatingInteropDns(Path dir, NsdServer nsd, Process unbound, InetSocketAddress address) {
        this.dir = dir;
        this.nsd = nsd;
        this.unbound = unbound;
        this.address = address;
    }

    /**
     * @param signed origin -> master-file text ({@link NsdServer#zone}), signed with a new KSK and ZSK
     * @param unsigned origin -> master-file text, served as is (insecure: no anchor covers it)
     * @param probe a name unbound must answer before the servers count as started
     */
    public static ValidatingInteropDns start(Map<String, String> signed, Map<String, String> unsigned, String probe)
            throws Exception {
        return start(signed, unsigned, probe,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), NsdServer.freeDnsPort()));
    }

    /** As {@link #start(Map, Map, String)}, unbound listening on {@code listen} (port 53 needs root). */
    public static ValidatingInteropDns start(Map<String, String> signed, Map<String, String> unsigned, String probe,
                                             InetSocketAddress listen) throws Exception {
        Path dir = Files.createTempDirectory("tes-interop-dns-");
        Map<String, String> zones = new LinkedHashMap<>();
        StringBuilder ds = new StringBuilder();
        for (Map.Entry<String, String> zone : signed.entrySet()) {
            zones.put(zone.getKey(), sign(dir, zone.getKey(), zone.getValue(), ds));
        }
        zones.putAll(unsigned);
        Path anchors = Files.writeString(dir.resolve("anchors.ds"), ds.toString());
        NsdServer nsd = NsdServer.start(zones);
        StringBuilder stubs = new StringBuilder();
        for (String origin : zones.keySet()) {
            stubs.append("stub-zone:\n    name: \"").append(origin).append("\"\n    stub-addr: 127.0.0.1@")
                .append(nsd.port()).append('\n');
        }
        Path conf = Files.writeString(dir.resolve("unbound.conf"), """
            server:
                interface: %s
                port: %d
                do-not-query-localhost: no
                username: ""
                chroot: ""
                directory: "%s"
                pidfile: "%s/unbound.pid"
                use-syslog: no
                logfile: "%s/unbound.log"
                verbosity: 1
                num-threads: 1
                module-config: "validator iterator"
                trust-anchor-file: "%s"
                access-control: 127.0.0.0/8 allow
                qname-minimisation: no
                local-zone: "test." nodefault
            remote-control:
                control-enable: no
            %s""".formatted(listen.getAddress().getHostAddress(), listen.getPort(), dir, dir, dir, anchors, stubs));
        Process unbound = new ProcessBuilder("unbound", "-d", "-c", conf.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("unbound.out").toFile()).start();
        ValidatingInteropDns dns = new ValidatingInteropDns(dir, nsd, unbound, listen);
        dns.awaitAnswer(probe);
        return dns;
    }

    /** The validating resolver (unbound). */
    public InetSocketAddress resolver() {
        return address;
    }

    private static String sign(Path dir, String zone, String text, StringBuilder ds) throws Exception {
        Path file = Files.writeString(dir.resolve(zone + ".zone"), text);
        String ksk = run(dir, "ldns-keygen", "-a", "ECDSAP256SHA256", "-k", zone).trim();
        String zsk = run(dir, "ldns-keygen", "-a", "ECDSAP256SHA256", zone).trim();
        run(dir, "ldns-signzone", "-o", zone + ".", file.toString(), ksk, zsk);
        ds.append(run(dir, "ldns-key2ds", "-n", "-2", ksk + ".key"));
        return Files.readString(dir.resolve(zone + ".zone.signed"), StandardCharsets.US_ASCII);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private void awaitAnswer(String probe) throws Exception {
        SimpleResolver resolver = new SimpleResolver(address);
        resolver.setTimeout(Duration.ofSeconds(1));
        Message query = Message.newQuery(Record.newRecord(Name.fromString(probe, Name.root), Type.A, DClass.IN));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try {
                resolver.send(query);
                return;
            } catch (IOException e) {
                if (!unbound.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("unbound did not answer: "
                        + Files.readString(dir.resolve("unbound.out")), e);
                }
                Thread.sleep(200);
            }
        }
    }

    @Override
    public void close() throws Exception {
        unbound.destroy();
        unbound.waitFor(10, TimeUnit.SECONDS);
        nsd.close();
        TemporaryDirectories.delete(dir);
    }
}
