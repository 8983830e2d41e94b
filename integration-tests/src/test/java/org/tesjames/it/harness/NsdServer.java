package org.tesjames.it.harness;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * NSD, the authoritative DNS server from NLnet Labs (Debian package {@code nsd}), run unprivileged on a loopback
 * high port with zones written by the test. A third-party peer for the interop profile.
 */
public final class NsdServer implements AutoCloseable {
    /** How often {@link #start} tries a new port when NSD finds its port taken. */
    static final int BIND_ATTEMPTS = 3;
    /** What NSD logs when it cannot bind its port ("can't bind tcp socket ...: Address already in use"). */
    static final String PORT_IN_USE = "Address already in use";

    private final Process process;
    private final Path dir;
    private final int port;

    private NsdServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** A zone in master-file syntax, with SOA and NS made up for it. */
    public static String zone(String origin, String... records) {
        StringBuilder text = new StringBuilder()
            .append("$ORIGIN ").append(origin).append(".\n$TTL 300\n")
            .append("@ IN SOA ns.").append(origin).append(". hostmaster.").append(origin)
            .append(". 1 3600 600 86400 300\n@ IN NS ns.").append(origin).append(".\n");
        for (String record : records) {
            text.append(record).append('\n');
        }
        return text.toString();
    }

    /**
     * Starts NSD serving these zones (origin -> master file text) and waits until it answers. A port can be taken
     * between the probe that chose it and NSD's bind (the test run opens and closes sockets all the time): when NSD
     * exits because its port is in use, it is started again on another port, at most {@value #BIND_ATTEMPTS} times.
     */
    public static NsdServer start(Map<String, String> zones) throws IOException, InterruptedException {
        return start(zones, NsdServer::freeDnsPort);
    }

    /** As {@link #start(Map)}, each attempt on the next port {@code ports} gives. */
    static NsdServer start(Map<String, String> zones, PortSource ports) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            NsdServer nsd = launch(zones, ports.next());
            String failure = nsd.awaitStart();
            if (failure == null) {
                return nsd;
            }
            nsd.close();
            if (attempt == BIND_ATTEMPTS || !failure.contains(PORT_IN_USE)) {
                throw new IllegalStateException("NSD did not start (attempt " + attempt + "): " + failure);
            }
        }
    }

    /** Where {@link #start(Map, PortSource)} takes the port of each attempt. */
    @FunctionalInterface
    interface PortSource {
        int next() throws IOException;
    }

    /**
     * A loopback port that is free for both UDP and TCP when this returns, as a DNS server binds both. Still only
     * a probe: another socket may take it before the server binds it.
     */
    public static int freeDnsPort() throws IOException {
        for (int probe = 0; probe < 50; probe++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                 ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()));
                return udp.getLocalPort();
            } catch (BindException takenForTcp) {
                // the UDP port's number is taken for TCP: probe another
            }
        }
        throw new IOException("no loopback port free for both UDP and TCP in 50 probes");
    }

    private static NsdServer launch(Map<String, String> zones, int port) throws IOException {
        Path dir = Files.createTempDirectory("tes-nsd-");
        StringBuilder conf = new StringBuilder()
            .append("server:\n")
            .append("    ip-address: 127.0.0.1\n")
            .append("    port: ").append(port).append('\n')
            .append("    username: \"\"\n    chroot: \"\"\n    database: \"\"\n")
            .append("    zonesdir: \"").append(dir).append("\"\n")
            .append("    pidfile: \"").append(dir.resolve("nsd.pid")).append("\"\n")
            .append("    xfrdfile: \"").append(dir.resolve("xfrd.state")).append("\"\n")
            .append("    zonelistfile: \"").append(dir.resolve("zone.list")).append("\"\n")
            .append("    logfile: \"").append(dir.resolve("nsd.log")).append("\"\n")
            .append("    server-count: 1\n")
            .append("remote-control:\n    control-enable: no\n");
        for (Map.Entry<String, String> zone : new LinkedHashMap<>(zones).entrySet()) {
            Path file = dir.resolve(zone.getKey() + ".zone");
            Files.writeString(file, zone.getValue(), StandardCharsets.US_ASCII);
            conf.append("zone:\n    name: ").append(zone.getKey()).append("\n    zonefile: ")
                .append(file.getFileName()).append('\n');
        }
        Path confFile = Files.writeString(dir.resolve("nsd.conf"), conf.toString());
        Process process = new ProcessBuilder("nsd", "-d", "-c", confFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nsd.out").toFile())
            .start();
        return new NsdServer(process, dir, port);
    }

    /** Waits until NSD logs its start: null then, else why it did not start, with its log (read before cleanup). */
    private String awaitStart() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!log().contains("nsd started")) {
            if (!process.isAlive()) {
                return "exited with status " + process.exitValue() + " on port " + port + ": " + log();
            }
            if (Instant.now().isAfter(deadline)) {
                return "not started within 20 s on port " + port + ": " + log();
            }
            Thread.sleep(100);
        }
        return null;
    }

    public int port() {
        return port;
    }

    private String log() throws IOException {
        StringBuilder text = new StringBuilder();
        for (String name : new String[] {"nsd.log", "nsd.out"}) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                text.append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return text.toString();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        TemporaryDirectories.delete(dir);
    }
}
