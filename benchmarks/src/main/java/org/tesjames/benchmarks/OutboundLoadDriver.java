package org.tesjames.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.tesjames.testing.tes.TesMembershipZones;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

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
 * Both deliver one message per SMTP connection (RemoteDelivery does not reuse connections) with the same delivery
 * threads. Submission: {@code connections} concurrent authenticated sessions (STARTTLS, AUTH PLAIN) on the
 * submission listener, {@code per-session} messages each. Rounds in ABBA order after discarded warm-up rounds;
 * every run checks that the sink got each message once, over TLS, and (DANE) with the MX host name as SNI.
 *
 * <p>Options (defaults): {@code --messages 400 --warmup 100 --connections 4 --per-session 10 --rounds 2
 * --discard-rounds 1 --time-limit 180} (seconds per load).
 */
public final class OutboundLoadDriver {
    private static final String DOMAIN = "bench-member.test";
    private static final String MX = "mx." + DOMAIN;
    private static final String MX_ADDRESS = "127.0.0.77";
    private static final String SENDER = "loader@bench.test";
    private static final String PASSWORD = "secret-Pa55";

    private final Settings settings;
    private final int port = OutboundPorts.free();

    private OutboundLoadDriver(Settings settings) {
        this.settings = settings;
    }

    record Settings(int messages, int warmup, int connections, int perSession, int rounds, int discardRounds,
                    Duration timeLimit) {
        static Settings parse(String[] args) {
            int[] values = {400, 100, 4, 10, 2, 1, 180};
            List<String> names = List.of("--messages", "--warmup", "--connections", "--per-session", "--rounds",
                "--discard-rounds", "--time-limit");
            for (int i = 0; i < args.length; i += 2) {
                int index = names.indexOf(args[i]);
                if (index < 0) {
                    throw new IllegalArgumentException("unknown option " + args[i]);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + args[i] + " needs a value");
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
                Duration.ofSeconds(values[6]));
        }
    }

    enum Variant {
        DANE("DANE policy"),
        STOCK("stock");

        final String label;

        Variant(String label) {
            this.label = label;
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
        System.out.printf(Locale.ROOT, "Outbound load: %d messages (+%d warm-up) per run, %d submission sessions at"
                + " once, %d messages per session, %d round(s) of DANE/stock (+%d discarded), %d cores%n",
            settings.messages(), settings.warmup(), settings.connections(), settings.perSession(), settings.rounds(),
            settings.discardRounds(), Runtime.getRuntime().availableProcessors());
        TestCertificate certificate = TestCertificates.selfSigned(MX);
        List<Double> dane = new ArrayList<>();
        List<Double> stock = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        boolean ok = true;
        try (TestDnsServer dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start()) {
            dns.zone(DOMAIN).mx("@", 10, MX + ".").a("mx", MX_ADDRESS)
                .tlsa("_25._tcp.mx", 3, 1, 1, certificate.certificate());
            new TesMembershipZones(dns).member(DOMAIN, "master.bench-registry.test");
            for (int round = 1 - settings.discardRounds(); round <= settings.rounds(); round++) {
                List<Variant> order = Math.floorMod(round, 2) == 1 ? List.of(Variant.DANE, Variant.STOCK)
                    : List.of(Variant.STOCK, Variant.DANE);
                double[] rates = new double[2];
                for (Variant variant : order) {
                    Load load;
                    try {
                        load = runOnce(dns, certificate, variant);
                    } catch (IllegalStateException e) {
                        System.out.printf(Locale.ROOT, "%-9s %-12s FAILED: %s%n", round < 1 ? "discarded"
                            : "round " + round, variant.label, e.getMessage());
                        ok = false;
                        continue;
                    }
                    System.out.printf(Locale.ROOT, "%-9s %-12s %8.1f msg/s  (%d delivered, %.2f s)%n",
                        round < 1 ? "discarded" : "round " + round, variant.label, load.rate(), load.delivered(),
                        load.nanos() / 1e9);
                    rates[variant.ordinal()] = load.rate();
                }
                if (round >= 1 && rates[0] > 0 && rates[1] > 0) {
                    dane.add(rates[Variant.DANE.ordinal()]);
                    stock.add(rates[Variant.STOCK.ordinal()]);
                    ratios.add(rates[Variant.DANE.ordinal()] / rates[Variant.STOCK.ordinal()]);
                }
            }
        }
        if (dane.isEmpty()) {
            return false;
        }
        System.out.printf(Locale.ROOT, "%nmedian DANE policy: %8.1f msg/s%nmedian stock:       %8.1f msg/s%n"
                + "ratio of medians DANE/stock: %.3f; median of the per-round ratios: %.3f%n",
            median(dane), median(stock), median(dane) / median(stock), median(ratios));
        return ok;
    }

    private Consumer<JamesConf> overlay(Variant variant) {
        if (variant == Variant.DANE) {
            return conf -> conf.outboundPort(port);
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
                 .hostname(MX).startTls(certificate).start()) {
            james.remoteSmtpPort(port);
            james.cacheJamesDnsAnswers();
            james.addUser(SENDER, PASSWORD);
            load(james, sink, settings.warmup(), 0);
            sink.clear();
            Load measured = load(james, sink, settings.messages(), settings.warmup());
            check(sink, variant);
            return measured;
        }
    }

    /** Submits {@code count} messages and waits until the sink has them all; the clock covers both. */
    private Load load(TesJamesServer james, RecordingSmtpSink sink, int count, int offset) throws Exception {
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
                        session(james.submissionPort(), remaining, sequence);
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

    private void session(int port, AtomicInteger remaining, AtomicInteger sequence) throws IOException {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", port).trustAll().connect()) {
            expect(client.ehlo("loader.bench.test"), 250, "EHLO");
            expect(client.starttls(), 220, "STARTTLS");
            expect(client.ehlo("loader.bench.test"), 250, "EHLO");
            expect(client.authPlain(SENDER, PASSWORD), 235, "AUTH");
            for (int i = 0; i < settings.perSession() && remaining.getAndDecrement() > 0; i++) {
                int n = sequence.incrementAndGet();
                expect(client.mailFrom(SENDER), 250, "MAIL");
                expect(client.rcptTo("rcpt" + n + "@" + DOMAIN), 250, "RCPT");
                expect(client.data(), 354, "DATA");
                String message = "From: <" + SENDER + ">\r\nTo: <rcpt" + n + "@" + DOMAIN + ">\r\nSubject: load " + n
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
        if (variant == Variant.DANE) {
            List<SinkConnection> connections = sink.connections();
            if (!connections.stream().filter(SinkConnection::tls).allMatch(c -> c.sniHostName().orElse("").equals(MX))) {
                throw new IllegalStateException("DANE: a connection without the MX host name as SNI");
            }
        }
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
