package org.tesjames.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dnssec.DnssecClients;
import org.tesjames.core.dnssec.TrustAnchors;
import org.tesjames.it.harness.NsdServer;
import org.tesjames.it.harness.TemporaryDirectories;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * DANE lookups against third-party DNSSEC: zones signed by ldns-signzone (ldnsutils), served by NSD, resolved
 * and validated by unbound. The same destinations give the same per-host outcome in both DNSSEC modes:
 * {@code trust-ad} (unbound validates, its AD flag is believed) and {@code validate} (TES validates unbound's
 * answers with dnsjava's ValidatingResolver and the zones' DS records as anchors). Cases: a secure usable TLSA,
 * a secure RRset of unusable (PKIX-TA) records, an unsigned zone, and a zone whose signatures have expired (its
 * MX RRset is already bogus: the destination is indeterminate, never insecure).
 */
@Tag("interop")
class DaneInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static Path dir;
    private static NsdServer nsd;
    private static Process unbound;
    private static InetSocketAddress unboundAddress;
    private static TrustAnchors anchors;

    @BeforeAll
    static void startPeers() throws Exception {
        dir = Files.createTempDirectory("tes-dane-interop-");
        TestCertificate mx = TestCertificates.selfSigned("mx.dane.test");
        String spkiSha256 = HexFormat.of().formatHex(mx.tlsaAssociationData(1, 1));

        Map<String, String> zones = new LinkedHashMap<>();
        zones.put("dane.test", NsdServer.zone("dane.test",
            "usable IN MX 10 mx.dane.test.",
            "unusable IN MX 10 mx2.dane.test.",
            "mx IN A 127.0.0.2",
            "mx2 IN A 127.0.0.3",
            "_25._tcp.mx IN TLSA 3 1 1 " + spkiSha256,
            "_25._tcp.mx2 IN TLSA 0 0 1 " + spkiSha256));
        zones.put("insecure.test", NsdServer.zone("insecure.test",
            "@ IN MX 10 mx.insecure.test.",
            "mx IN A 127.0.0.4",
            "_25._tcp.mx IN TLSA 3 1 1 " + spkiSha256));
        zones.put("expired.test", NsdServer.zone("expired.test",
            "@ IN MX 10 mx.expired.test.",
            "mx IN A 127.0.0.5",
            "_25._tcp.mx IN TLSA 3 1 1 " + spkiSha256));

        StringBuilder ds = new StringBuilder();
        zones.put("dane.test", sign("dane.test", zones.get("dane.test"), false, ds));
        zones.put("expired.test", sign("expired.test", zones.get("expired.test"), true, ds));
        Path anchorFile = Files.writeString(dir.resolve("anchors.ds"), ds.toString());
        anchors = TrustAnchors.read(anchorFile);

        nsd = NsdServer.start(zones);
        unboundAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), NsdServer.freeDnsPort());
        Path conf = Files.writeString(dir.resolve("unbound.conf"), """
            server:
                interface: 127.0.0.1
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
                # unbound answers NXDOMAIN for the special-use name test. (RFC 6761) unless told otherwise
                local-zone: "test." nodefault
                domain-insecure: "insecure.test"
            remote-control:
                control-enable: no
            stub-zone:
                name: "dane.test"
                stub-addr: 127.0.0.1@%d
            stub-zone:
                name: "insecure.test"
                stub-addr: 127.0.0.1@%d
            stub-zone:
                name: "expired.test"
                stub-addr: 127.0.0.1@%d
            """.formatted(unboundAddress.getPort(), dir, dir, dir, anchorFile, nsd.port(), nsd.port(), nsd.port()));
        unbound = new ProcessBuilder("unbound", "-d", "-c", conf.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("unbound.out").toFile()).start();
        awaitAnswer(unboundAddress);
    }

    @AfterAll
    static void stopPeers() throws Exception {
        if (unbound != null) {
            unbound.destroy();
            unbound.waitFor(10, TimeUnit.SECONDS);
        }
        if (nsd != null) {
            nsd.close();
        }
        TemporaryDirectories.delete(dir);
    }

    /** Signs the zone with a new KSK and ZSK (ECDSA P-256), adds the KSK's DS to {@code ds}, returns the text. */
    private static String sign(String zone, String text, boolean expired, StringBuilder ds) throws Exception {
        Path file = Files.writeString(dir.resolve(zone + ".zone"), text);
        String ksk = run("ldns-keygen", "-a", "ECDSAP256SHA256", "-k", zone).trim();
        String zsk = run("ldns-keygen", "-a", "ECDSAP256SHA256", zone).trim();
        List<String> command = new ArrayList<>(List.of("ldns-signzone", "-o", zone + "."));
        if (expired) {
            command.addAll(List.of("-i", "20200101000000", "-e", "20200201000000"));
        }
        command.addAll(List.of(file.toString(), ksk, zsk));
        run(command.toArray(String[]::new));
        ds.append(run("ldns-key2ds", "-n", "-2", ksk + ".key"));
        return Files.readString(dir.resolve(zone + ".zone.signed"), StandardCharsets.US_ASCII);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private static void awaitAnswer(InetSocketAddress server) throws Exception {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTimeout(Duration.ofSeconds(1));
        Message query = Message.newQuery(Record.newRecord(Name.fromConstantString("mx.dane.test."), Type.A, DClass.IN));
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

    /** The outcome of the destination's single MX host, or {@code MX <status>} when no host could be found. */
    private static String outcome(DnsClient client, String domain) {
        DaneLookup.Destination destination = new DaneLookup(client).lookup(domain).toCompletableFuture().join();
        if (destination.hosts().isEmpty()) {
            return "MX " + destination.mxStatus();
        }
        assertThat(destination.hosts()).as(domain + ": " + destination).hasSize(1);
        return destination.hosts().get(0).outcome().name();
    }

    @ParameterizedTest
    @CsvSource({
        "usable.dane.test, SECURE_USABLE",
        "unusable.dane.test, SECURE_UNUSABLE",
        "insecure.test, INSECURE",
        "expired.test, MX INDETERMINATE"})
    void theSameOutcomeInTrustAdAndValidateModes(String domain, String expected) {
        DnsClient trustAd = DnssecClients.trustingAd(List.of(unboundAddress), TIMEOUT, 0, false);
        DnsClient validate = DnssecClients.validating(List.of(unboundAddress), TIMEOUT, 0, anchors);

        assertThat(outcome(trustAd, domain)).as("trust-ad").isEqualTo(expected);
        assertThat(outcome(validate, domain)).as("validate").isEqualTo(expected);
    }
}
