package org.tesjames.it.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.tesjames.testing.tls.TestCertificate;

/**
 * A private Postfix instance (Debian's {@code postfix} package) playing a receiving MX: its own configuration
 * and queue directories, one {@code smtpd} on {@code 127.0.0.1:<port>} with STARTTLS and the given certificate,
 * accepting mail for the given domains and discarding it after logging it ({@code maillog}). Started with
 * {@code postfix -c <dir> start}, which needs root.
 */
public final class PostfixServer implements AutoCloseable {
    private final Path dir;
    private final Path conf;
    private final int port;

    private PostfixServer(Path dir, int port) {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        this.port = port;
    }

    /** Starts Postfix on {@code 127.0.0.1:port} for {@code domains}; waits until it accepts connections. */
    public static PostfixServer start(int port, TestCertificate certificate, String... domains)
            throws IOException, InterruptedException {
        return startConfigured(port, certificate, "", null, domains);
    }

    /**
     * Starts Postfix as {@link #start(int, TestCertificate, String...)} with more {@code main.cf} lines (which may
     * replace the transports of {@code domains}) and, when {@code nameserver} is given, its SMTP client chrooted
     * into the queue directory with its own {@code etc/resolv.conf} naming that resolver ({@code options
     * trust-ad}): Postfix's DNS client only queries port 53.
     */
    public static PostfixServer startConfigured(int port, TestCertificate certificate, String extraMainCf,
                                                String nameserver, String... domains)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tes-postfix-");
        PostfixServer postfix = new PostfixServer(dir, port);
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path queue = Files.createDirectories(dir.resolve("queue"));
        Path data = Files.createDirectories(dir.resolve("data"));
        for (Path path : new Path[] {dir, conf, queue, data}) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        Files.setOwner(data, owner);
        certificate.writePem(conf.resolve("cert.pem"), conf.resolve("key.pem"));
        StringBuilder transports = new StringBuilder();
        for (String domain : domains) {
            transports.append(transports.length() == 0 ? "" : ", ").append(domain).append("=discard:");
        }
        Files.writeString(conf.resolve("main.cf"), """
            compatibility_level = 3.6
            queue_directory = %1$s
            data_directory = %2$s
            mail_owner = postfix
            setgid_group = postdrop
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            myhostname = %3$s
            mydestination =
            relay_domains = %4$s
            transport_maps = inline:{%5$s}
            smtpd_relay_restrictions = permit_auth_destination, reject
            smtpd_tls_cert_file = %6$s/cert.pem
            smtpd_tls_key_file = %6$s/key.pem
            smtpd_tls_security_level = may
            smtpd_tls_loglevel = 1
            maillog_file_prefixes = %7$s
            maillog_file = %7$s/maillog
            %8$s
            """.formatted(queue, data, certificate.firstDnsName().orElse("mx.test"), String.join(", ", domains),
            transports, conf, dir, extraMainCf));
        if (nameserver != null) {
            Path etc = Files.createDirectories(queue.resolve("etc"));
            Files.writeString(etc.resolve("resolv.conf"), "nameserver " + nameserver + "\noptions trust-ad edns0\n");
        }
        Files.writeString(conf.resolve("master.cf"), """
            127.0.0.1:%d inet n - n - - smtpd
            pickup    unix  n - n 60 1 pickup
            cleanup   unix  n - n - 0 cleanup
            qmgr      unix  n - n 300 1 qmgr
            tlsmgr    unix  - - n 1000? 1 tlsmgr
            rewrite   unix  - - n - - trivial-rewrite
            bounce    unix  - - n - 0 bounce
            defer     unix  - - n - 0 bounce
            trace     unix  - - n - 0 bounce
            verify    unix  - - n - 1 verify
            flush     unix  n - n 1000? 0 flush
            proxymap  unix  - - n - - proxymap
            smtp      unix  - - %s - - smtp
            showq     unix  n - n - - showq
            error     unix  - - n - - error
            retry     unix  - - n - - error
            discard   unix  - - n - - discard
            anvil     unix  - - n - 1 anvil
            scache    unix  - - n - 1 scache
            postlog   unix-dgram n - n - 1 postlogd
            """.formatted(port, nameserver != null ? "y" : "n"));
        postfix.run("postfix", "-c", conf.toString(), "check");
        postfix.run("postfix", "-c", conf.toString(), "start");
        postfix.awaitListening();
        return postfix;
    }

    public int port() {
        return port;
    }

    /** Postfix's log so far. */
    public String log() throws IOException {
        Path log = dir.resolve("maillog");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private void awaitListening() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Postfix does not listen on port " + port + ":\n" + log(), e);
                }
                Thread.sleep(200);
            }
        }
    }

    private String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output + "\n" + log());
        }
        return output;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("postfix", "-c", conf.toString(), "stop");
        } finally {
            TemporaryDirectories.delete(dir);
        }
    }
}
