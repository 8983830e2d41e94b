package org.tesjames.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.tesjames.it.harness.JamesConf;
import org.tesjames.it.harness.OutboundPorts;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.tesjames.testing.smtp.ReceivedMessage;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.smtp.SinkConnection;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.tesjames.testing.sts.PolicyServer;
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;

/**
 * End-to-end outbound throughput of real James 3.8.1 servers booted in this JVM one after the other: messages per
 * second from the first submission to the last message received by a recording sink playing the recipient's MX
 * host (STARTTLS with a self-signed certificate).
 * <ul>
 * <li>"DANE policy": the shipped {@code relay} flow: the recipient domain is a TES member (membership split),
 * delivered by {@code TesRemoteDelivery} with {@code dane-required}: DNSSEC-validated MX, address and TLSA lookups
 * (cached after the first), TLS 1.2+ authenticated by a TLSA 3 1 1 record.</li>
 * <li>"stock": the {@code relay} processor holds only James's {@code RemoteDelivery} with plain STARTTLS
 * ({@code startTLS=true}, {@code verifyServerIdentity=false}: connects by address, {@code mail.smtp.ssl.trust=*}:
 * encrypted, not authenticated), MX lookup through James's
 * DNS service (the test harness's, caching answers for their TTL like James's own).</li>
 * </ul>
 * With {@code --compare sts}, the two configurations are instead the shipped relay flow delivering to a domain that
 * is <em>not</em> a TES member ({@code TesRemoteDelivery} {@code dane-opportunistic}, unsigned zone, no TLSA) whose
 * MX host has a certificate of a test CA that {@code sts.trust-store} trusts:
 * <ul>
 * <li>"MTA-STS": {@code sts.enabled=true}, the domain publishes an {@code enforce} policy listing the MX host
 * (TXT {@code _mta-sts}, the policy served over HTTPS on loopback, fetched once per server, then cached): STARTTLS
 * required, TLS 1.2+, the certificate checked against the CA and the MX host name;</li>
 * <li>"DANE only": the same server with {@code sts.enabled=false}: the opportunistic DANE plan of the same
 * destination (insecure zone: STARTTLS without authentication).</li>
 * </ul>
 * Both deliver one message per SMTP connection (RemoteDelivery does not reuse connections) with the same delivery
 * threads. Submission: {@code connections} concurrent authenticated sessions (STARTTLS, AUTH PLAIN) on the
 * submission listener, {@code per-session} messages each. Rounds in ABBA order after discarded warm-up rounds;
 * every run checks that the sink got each message once, over TLS, and (DANE) with the MX host name as SNI.
 *
 * <p>Options (defaults): {@code --messages 400 --warmup 100 --connections 4 --per-session 10 --rounds 2
 * --discard-rounds 1 --time-limit 180} (seconds per load) {@code --compare stock} (or {@code sts}).
 */
public final class OutboundLoadDriver {
    private static final String DOMAIN = "bench-member.test";
    private static final String OTHER_DOMAIN = "bench-other.test";
    private static final String MX_ADDRESS = "127.0.0.77";
    private static final String POLICY_ADDRESS = "127.0.0.78";
    private static final String SENDER = "loader@bench.test";
    private static final String PASSWORD = "secret-Pa55";

    private final Settings settings;
    private final int port = OutboundPorts.free();
    private final int policyPort = OutboundPorts.free();
    private final TestPki ca = TestPki.create("Outbound Bench CA");
    /** The CA as {@code sts.trust-store}, written once. */
    private Path trustStore;

    private OutboundLoadDriver(Settings settings) {
        this.settings = settings;
    }

    record Settings(int messages, int warmup, int connections, int perSession, int rounds, int discardRounds,
                    Duration timeLimit, List<Variant> compared) {
        static Settings parse(String[] args) {
            int[] values = {400, 100, 4, 10, 2, 1, 180};
            List<String> names = List.of("--messages", "--warmup", "--connections", "--per-session", "--rounds",
                "--discard-rounds", "--time-limit");
            List<Variant> compared = List.of(Variant.DANE, Variant.STOCK);
            for (int i = 0; i < args.length; i += 2) {
                int index = names.indexOf(args[i]);
                if (index < 0 && !args[i].equals("--compare")) {
                    throw new IllegalArgumentException("unknown option " + args[i]);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + args[i] + " needs a value");
                }
                if (index < 0) {
                    compared = switch (args[i + 1]) {
                        case "stock" -> List.of(Variant.DANE, Variant.STOCK);
                        case "sts" -> List.of(Variant.STS, Variant.DANE_ONLY);
                        default -> throw new IllegalArgumentException("--compare must be stock or sts: '"
                            + args[i + 1] + "'");
                    };
                    continue;
                }
                try {
                    values[index] = Integer.parseInt(args[i + 1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(args[i] + " must be an integer: '" + args[i + 1] + "'");
                }
                if (values[index] < (args[i].equals("--discard-rounds") ? 0 : 1)) {
                    throw new IllegalArgumentException(args[i] + " out of range: " + args[i + 1]);
                }
            }
            return new Settings(values[0], values[1], values[2], values[3], values[4], values[5],
                Duration.ofSeconds(values[6]), compared);
        }
    }

    enum Variant {
        DANE("DANE policy", DOMAIN),
        STOCK("stock", DOMAIN),
        STS("MTA-STS", OTHER_DOMAIN),
        DANE_ONLY("DANE only", OTHER_DOMAIN);

        final String label;
        final String domain;

        Variant(String label, String domain) {
            this.label = label;
            this.domain = domain;
        }

        String mx() {
            return "mx." + domain;
        }
    }

    record Load(int delivered, long nanos) {
        double rate() {
            return delivered * 1e9 / nanos;
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("OutboundLoadDriver: " + e.getMessage());
            System.exit(64);
            return;
        }
        LoadHarness.prepareJvm();
        boolean ok = new OutboundLoadDriver(settings).run();
        System.exit(ok ? 0 : 1);
    }

    private boolean run() throws Exception {
        Variant subject = settings.compared().get(0);
        Variant baseline = settings.compared().get(1);
        System.out.printf(Locale.ROOT, "Outbound load: %d messages (+%d warm-up) per run, %d submission sessions at"
                + " once, %d messages per session, %d round(s) of %s/%s (+%d discarded), %d cores%n",
            settings.messages(), settings.warmup(), settings.connections(), settings.perSession(), settings.rounds(),
            subject.label, baseline.label, settings.discardRounds(), Runtime.getRuntime().availableProcessors());
        TestCertificate memberCertificate = TestCertificates.selfSigned(Variant.DANE.mx());
        TestCertificate otherCertificate = ca.issue(Variant.STS.mx());
        List<Double> subjectRates = new ArrayList<>();
        List<Double> baselineRates = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        boolean ok = true;
        try (TestDnsServer dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
             PolicyServer policyHost = PolicyServer.start(POLICY_ADDRESS, policyPort,
                 ca.issue("mta-sts." + OTHER_DOMAIN))) {
            dns.zone(DOMAIN).mx("@", 10, Variant.DANE.mx() + ".").a("mx", MX_ADDRESS)
                .tlsa("_25._tcp.mx", 3, 1, 1, memberCertificate.certificate());
            new TesMembershipZones(dns).member(DOMAIN, "master.bench-registry.test");
            dns.zone(OTHER_DOMAIN).unsigned().mx("@", 10, Variant.STS.mx() + ".").a("mx", MX_ADDRESS)
                .a("mta-sts", POLICY_ADDRESS).txt("_mta-sts", "v=STSv1; id=20261202;");
            policyHost.policy("version: STSv1\r\nmode: enforce\r\nmx: " + Variant.STS.mx()
                + "\r\nmax_age: 86400\r\n");
            for (int round = 1 - settings.discardRounds(); round <= settings.rounds(); round++) {
                List<Variant> order = Math.floorMod(round, 2) == 1 ? List.of(subject, baseline)
                    : List.of(baseline, subject);
                double[] rates = new double[2];
                for (Variant variant : order) {
                    Load load;
                    int fetches = policyHost.requests();
                    try {
                        load = runOnce(dns, variant.domain.equals(DOMAIN) ? memberCertificate : otherCertificate,
                            variant);
                        checkPolicyFetches(variant, policyHost.requests() - fetches);
                    } catch (IllegalStateException e) {
                        System.out.printf(Locale.ROOT, "%-9s %-12s FAILED: %s%n", round < 1 ? "discarded"
                            : "round " + round, variant.label, e.getMessage());
                        ok = false;
                        continue;
                    }
                    System.out.printf(Locale.ROOT, "%-9s %-12s %8.1f msg/s  (%d delivered, %.2f s)%n",
                        round < 1 ? "discarded" : "round " + round, variant.label, load.rate(), load.delivered(),
                        load.nanos() / 1e9);
                    rates[variant == subject ? 0 : 1] = load.rate();
                }
                if (round >= 1 && rates[0] > 0 && rates[1] > 0) {
                    subjectRates.add(rates[0]);
                    baselineRates.add(rates[1]);
                    ratios.add(rates[0] / rates[1]);
                }
            }
        }
        if (subjectRates.isEmpty()) {
            return false;
        }
        System.out.printf(Locale.ROOT, "%nmedian %s: %8.1f msg/s%nmedian %s: %8.1f msg/s%n"
                + "ratio of medians %s/%s: %.3f; median of the per-round ratios: %.3f (rounds %s)%n",
            subject.label, median(subjectRates), baseline.label, median(baselineRates), subject.label, baseline.label,
            median(subjectRates) / median(baselineRates), median(ratios), ratios.stream()
                .map(ratio -> String.format(Locale.ROOT, "%.2f", ratio)).toList());
        return ok;
    }

    /** MTA-STS fetches the policy once per server (cold cache), then keeps it; without MTA-STS nothing fetches it. */
    private static void checkPolicyFetches(Variant variant, int fetches) {
        if (variant == Variant.STS && fetches != 1 || variant == Variant.DANE_ONLY && fetches != 0) {
            throw new IllegalStateException(variant.label + ": " + fetches + " policy fetches");
        }
    }

    private Consumer<JamesConf> overlay(Variant variant) {
        if (variant == Variant.DANE) {
            return conf -> conf.outboundPort(port);
        }
        if (variant == Variant.STS || variant == Variant.DANE_ONLY) {
            return conf -> conf.outboundPort(port).modify("tes.properties", text -> text
                + "\nsts.enabled=" + (variant == Variant.STS) + "\nsts.trust-store=" + trustStore()
                + "\nsts.fetch.port=" + policyPort + "\n");
        }
        return conf -> conf.modify("mailetcontainer.xml", text -> {
            int start = text.indexOf("<processor state=\"relay\"");
            String close = "\n        </processor>";
            int end = text.indexOf(close, start) + close.length();
            return text.substring(0, start) + """
                <processor state="relay" enableJmx="true">
                            <mailet match="All" class="org.tesjames.mailets.TesDkimSign"/>
                            <mailet match="All" class="RemoteDelivery">
                                <outgoing>outgoing-stock</outgoing>
                                <delayTime>5 minutes</delayTime>
                                <maxRetries>1</maxRetries>
                                <deliveryThreads>10</deliveryThreads>
                                <sendpartial>true</sendpartial>
                                <bounceProcessor>bounces</bounceProcessor>
                                <startTLS>true</startTLS>
                                <verifyServerIdentity>false</verifyServerIdentity>
                                <mail.smtp.ssl.trust>*</mail.smtp.ssl.trust>
                                <mail.smtp.ssl.protocols>TLSv1.2 TLSv1.3</mail.smtp.ssl.protocols>
                            </mailet>
                        </processor>""" + text.substring(end);
        });
    }

    private Load runOnce(TestDnsServer dns, TestCertificate certificate, Variant variant) throws Exception {
        try (TesJamesServer james = TesJamesServer.start(dns, overlay(variant));
             RecordingSmtpSink sink = RecordingSmtpSink.builder().bindAddress(MX_ADDRESS).port(port)
                 .hostname(variant.mx()).startTls(certificate).start()) {
            james.remoteSmtpPort(port);
            james.cacheJamesDnsAnswers();
            james.addUser(SENDER, PASSWORD);
            load(james, sink, variant, settings.warmup(), 0);
            sink.clear();
            Load measured = load(james, sink, variant, settings.messages(), settings.warmup());
            check(sink, variant);
            return measured;
        }
    }

    /** Submits {@code count} messages and waits until the sink has them all; the clock covers both. */
    private Load load(TesJamesServer james, RecordingSmtpSink sink, Variant variant, int count, int offset)
        throws Exception {
        AtomicInteger remaining = new AtomicInteger(count);
        AtomicInteger sequence = new AtomicInteger(offset);
        ExecutorService pool = Executors.newFixedThreadPool(settings.connections());
        long start = System.nanoTime();
        long deadline = start + settings.timeLimit().toNanos();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < settings.connections(); c++) {
                workers.add(pool.submit(() -> {
                    while (remaining.get() > 0) {
                        session(james.submissionPort(), variant.domain, remaining, sequence);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                try {
                    worker.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("submission not done within " + settings.timeLimit().toSeconds()
                        + " s");
                } catch (ExecutionException e) {
                    throw new IllegalStateException("SMTP client failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        while (sink.messages().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + sink.messages().size() + " of " + count
                    + " messages reached the sink within " + settings.timeLimit().toSeconds() + " s");
            }
            Thread.sleep(20);
        }
        return new Load(sink.messages().size(), System.nanoTime() - start);
    }

    private void session(int port, String domain, AtomicInteger remaining, AtomicInteger sequence)
        throws IOException {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", port).trustAll().connect()) {
            expect(client.ehlo("loader.bench.test"), 250, "EHLO");
            expect(client.starttls(), 220, "STARTTLS");
            expect(client.ehlo("loader.bench.test"), 250, "EHLO");
            expect(client.authPlain(SENDER, PASSWORD), 235, "AUTH");
            for (int i = 0; i < settings.perSession() && remaining.getAndDecrement() > 0; i++) {
                int n = sequence.incrementAndGet();
                expect(client.mailFrom(SENDER), 250, "MAIL");
                expect(client.rcptTo("rcpt" + n + "@" + domain), 250, "RCPT");
                expect(client.data(), 354, "DATA");
                String message = "From: <" + SENDER + ">\r\nTo: <rcpt" + n + "@" + domain + ">\r\nSubject: load " + n
                    + "\r\nMessage-ID: <outbound-" + n + "@bench.test>\r\n\r\n" + ("x".repeat(76) + "\r\n").repeat(12);
                expect(client.message(message.getBytes(StandardCharsets.US_ASCII)), 250, "end of DATA");
            }
            client.quit();
        }
    }

    private static void check(RecordingSmtpSink sink, Variant variant) {
        List<ReceivedMessage> messages = sink.messages();
        long distinct = messages.stream().map(message -> message.recipients().get(0)).distinct().count();
        if (distinct != messages.size()) {
            throw new IllegalStateException(variant.label + ": duplicate deliveries");
        }
        if (!messages.stream().allMatch(ReceivedMessage::tls)) {
            throw new IllegalStateException(variant.label + ": a message was delivered without TLS");
        }
        if (variant == Variant.DANE || variant == Variant.STS) {
            List<SinkConnection> connections = sink.connections();
            if (!connections.stream().filter(SinkConnection::tls)
                .allMatch(c -> c.sniHostName().orElse("").equals(variant.mx()))) {
                throw new IllegalStateException(variant.label + ": a connection without the MX host name as SNI");
            }
        }
    }

    private Path trustStore() {
        if (trustStore == null) {
            try {
                trustStore = Files.createTempFile("outbound-bench-ca-", ".pem");
                trustStore.toFile().deleteOnExit();
                Files.writeString(trustStore, ca.root().chainPem(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return trustStore;
    }

    private static void expect(SmtpReply reply, int code, String step) {
        if (reply.code() != code) {
            throw new IllegalStateException(step + ": expected " + code + ", got " + reply);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
