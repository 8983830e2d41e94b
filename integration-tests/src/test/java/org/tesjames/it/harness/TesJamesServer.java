package org.tesjames.it.harness;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;
import org.awaitility.Awaitility;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;

/**
 * A real James 3.8.1 memory server booted in the test JVM with the project's shipped configuration
 * (overlaid per test), never James's defaults. Every listener binds an ephemeral loopback port; the TLS
 * keystore is generated for the test; James's DNS service and the TES resolver both query the given
 * test DNS server. Start it with {@link #start}, stop it with {@link #close}.
 */
public final class TesJamesServer implements AutoCloseable {
    public static final String KEYSTORE_SECRET = "tes-keystore-secret";
    /**
     * The test DNS server's root trust anchor, written to {@code conf/} and named by {@code dnssec.anchors}: the
     * TES resolver validates the test zones as it validates the Internet's.
     */
    public static final String TEST_ANCHORS = "test-root.ds";
    public static final String INBOUND = "inbound";
    public static final String SUBMISSION = "submission";
    public static final String SUBMISSIONS = "submissions";

    private final GuiceJamesServer server;
    private final Path home;
    private final TestCertificate certificate;
    private final Map<String, Integer> smtpPorts;
    private final TestDnsService jamesDns;

    private TesJamesServer(GuiceJamesServer server, TestDnsService jamesDns, Path home, TestCertificate certificate,
                           List<String> listeners) {
        this.server = server;
        this.jamesDns = jamesDns;
        this.home = home;
        this.certificate = certificate;
        List<Integer> ports = server.getProbe(HarnessProbe.class).smtpPorts();
        if (ports.size() != listeners.size()) {
            throw new IllegalStateException("configured SMTP listeners " + listeners + " but James bound " + ports);
        }
        this.smtpPorts = IntStream.range(0, listeners.size()).boxed()
            .collect(Collectors.toUnmodifiableMap(listeners::get, ports::get));
    }

    /**
     * Boots James with the shipped configuration, changed by {@code overlay}, the TES resolver and James's DNS
     * pointed at {@code dns}.
     */
    public static TesJamesServer start(TestDnsServer dns, Consumer<JamesConf> overlay) throws Exception {
        return start(dns, JamesConf.shipped(), overlay);
    }

    /**
     * Boots James with {@code base} (the shipped configuration or a shipped variant), changed by {@code overlay};
     * {@code overrides} replace bindings of the memory app (as a load benchmark swaps a part of James it does not
     * measure).
     */
    public static TesJamesServer start(TestDnsServer dns, JamesConf base, Consumer<JamesConf> overlay,
                                       Module... overrides) throws Exception {
        Path home = Files.createTempDirectory("tes-james-");
        JamesConf conf = base
            .replaceAll("smtpserver.xml", "<bind>[^<]*</bind>", "<bind>127.0.0.1:0</bind>")
            .replaceAll("imapserver.xml", "<bind>[^<]*</bind>", "<bind>127.0.0.1:0</bind>")
            .replace("webadmin.properties", "enabled=true", "enabled=false")
            .modify("tes.properties", text -> text + "\ndns.resolvers=127.0.0.1:" + dns.port()
                + "\ndnssec.anchors=" + TEST_ANCHORS + "\n");
        overlay.accept(conf);
        conf.writeTo(home.resolve("conf"));
        Files.writeString(home.resolve("conf").resolve(TEST_ANCHORS), dns.trustAnchorText());

        TestCertificate certificate = TestCertificates.selfSigned("localhost", "mail.test");
        certificate.writePkcs12(home.resolve("conf/keystore"), KEYSTORE_SECRET, "james");

        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .workingDirectory(home.toFile())
            .build();
        TestDnsService jamesDns = new TestDnsService(dns.port());
        GuiceJamesServer server = MemoryJamesServerMain.createServer(configuration)
            .overrideWith(
                binder -> binder.bind(DNSService.class).toInstance(jamesDns),
                binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(HarnessProbe.class))
            .overrideWith(overrides);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            deleteRecursively(home);
            throw e;
        }
        return new TesJamesServer(server, jamesDns, home, certificate, conf.smtpListeners());
    }

    public int smtpPort(String listener) {
        Integer port = smtpPorts.get(listener);
        if (port == null) {
            throw new IllegalArgumentException("no SMTP listener " + listener + " (have " + smtpPorts.keySet() + ")");
        }
        return port;
    }

    public int inboundPort() {
        return smtpPort(INBOUND);
    }

    public int submissionPort() {
        return smtpPort(SUBMISSION);
    }

    public int submissionsPort() {
        return smtpPort(SUBMISSIONS);
    }

    public int imapPort() {
        return server.getProbe(HarnessProbe.class).imapPort();
    }

    /** Makes James's DNS service cache answers for their TTL (see {@link TestDnsService#cacheAnswers}). */
    public void cacheJamesDnsAnswers() {
        jamesDns.cacheAnswers(true);
    }

    /**
     * Routes the stock {@code RemoteDelivery} to this port on every MX host found through James's DNS service
     * (instead of 25). {@code TesRemoteDelivery} takes its port from its configuration instead
     * ({@link JamesConf#outboundPort}).
     */
    public void remoteSmtpPort(int port) {
        jamesDns.remoteSmtpPort(port);
    }

    /** The certificate every listener presents. */
    public TestCertificate certificate() {
        return certificate;
    }

    public <T extends GuiceProbe> T probe(Class<T> probe) {
        return server.getProbe(probe);
    }

    public TesJamesServer addDomain(String domain) throws Exception {
        DataProbeImpl data = server.getProbe(DataProbeImpl.class);
        if (!data.containsDomain(domain)) {
            data.addDomain(domain);
        }
        return this;
    }

    /** Creates the user, and its domain when needed. */
    public TesJamesServer addUser(String address, String password) throws Exception {
        addDomain(address.substring(address.indexOf('@') + 1));
        server.getProbe(DataProbeImpl.class).addUser(address, password);
        return this;
    }

    /** The messages in the user's INBOX now. */
    public List<MimeMessage> inbox(String user) {
        try {
            return server.getProbe(HarnessProbe.class).inbox(user).stream()
                .map(TesJamesServer::parse)
                .toList();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the INBOX of " + user, e);
        }
    }

    /** How many messages the user's INBOX holds now (counted by James, not read). */
    public long inboxSize(String user) {
        try {
            return server.getProbe(HarnessProbe.class).inboxSize(user);
        } catch (Exception e) {
            throw new IllegalStateException("cannot count the INBOX of " + user, e);
        }
    }

    /** Deletes every message in the user's INBOX. */
    public void clearInbox(String user) {
        try {
            server.getProbe(HarnessProbe.class).clearInbox(user);
        } catch (Exception e) {
            throw new IllegalStateException("cannot clear the INBOX of " + user, e);
        }
    }

    /** Waits until the user's INBOX holds {@code count} messages, and returns them. */
    public List<MimeMessage> awaitInbox(String user, int count, Duration timeout) {
        return Awaitility.await("INBOX of " + user + " holds " + count + " message(s)")
            .atMost(timeout)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> inbox(user), messages -> messages.size() >= count);
    }

    private static MimeMessage parse(byte[] raw) {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        } catch (MessagingException e) {
            throw new IllegalStateException("undecodable delivered message", e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            deleteRecursively(home);
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            TemporaryDirectories.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
