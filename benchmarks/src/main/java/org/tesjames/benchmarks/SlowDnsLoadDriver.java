package org.tesjames.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * Ordinary mail while other clients make the TES hooks wait on a slow DNS zone (DESIGN platform fact 12): one real
 * James 3.8.1 booted in this JVM with the shipped configuration (inbound listener with {@code InboundPolicyHook} and
 * {@code InboundAuthenticationHook}), its TES resolver on a {@link TestDnsServer} where every name under the
 * attacker zone {@code slow.test} is answered after {@code --latency} (NXDOMAIN: the sender is a non-member) and
 * every other name at once.
 *
 * <p>After a JVM warm-up (one phase without slow connections, not counted), one phase per entry of
 * {@code --slow}, in order, on the same server: {@code --ordinary} connections send
 * ordinary mail in a loop (MAIL FROM a non-member domain answered at once, RCPT to a local user, DATA of about
 * 1 kB; sessions of {@code --per-session} transactions) while N attacker connections each keep sending
 * MAIL FROM {@code x@s<k>.slow.test} with a name never used before, RCPT to a local user, RSET, so that every
 * RCPT waits on the slow zone. After {@code --warmup} seconds the ordinary transactions are measured for
 * {@code --seconds}: transactions completed in the window per second, and the median and p99 of the time from
 * MAIL to the reply to the message, over the transactions started in the window. Then every client stops after
 * its current reply (bounded by {@code --drain}, after which the driver closes the sockets) and the driver waits
 * until the server answers new connections at once again before the next phase.
 *
 * <p>Prints a table of the phases and, per N, the ratio of the ordinary rate with N slow connections to the rate
 * with none (the phase with N = 0 of the same run; the goal is at least 0.8). Loopback only; bounded in time (each
 * phase at most warm-up + window + 2 drains); exits non-zero when an ordinary transaction is refused or a phase
 * does not drain.
 *
 * <p>Options (defaults): {@code --ordinary 4 --slow 0,16,64 --latency 3s --seconds 20 --warmup 5
 * --per-session 10 --drain 120} (seconds). {@code --latency} takes {@code <n>s} or {@code <n>ms}; beyond the TES
 * resolver's {@code dns.timeout} (5 s shipped) the slow lookups time out instead (451 replies, same wait).
 */
public final class SlowDnsLoadDriver {
    static final String SLOW_ZONE = "slow.test";
    private static final String SENDER = "ordinary@sender.nonmember.test";
    private static final int USERS = 4;
    private static final Duration QUIET_REPLY = Duration.ofMillis(500);

    private final Settings settings;
    private final AtomicLong slowNames = new AtomicLong();

    private SlowDnsLoadDriver(Settings settings) {
        this.settings = settings;
    }

    /** Command-line options. */
    record Settings(int ordinary, List<Integer> slow, Duration latency, Duration seconds, Duration warmup,
                    int perSession, Duration drain) {
        static Settings parse(String[] args) {
            int ordinary = 4;
            List<Integer> slow = List.of(0, 16, 64);
            Duration latency = Duration.ofSeconds(3);
            int seconds = 20;
            int warmup = 5;
            int perSession = 10;
            int drain = 120;
            for (int i = 0; i < args.length; i += 2) {
                String text = LoadHarness.value(args, i);
                switch (args[i]) {
                    case "--ordinary" -> ordinary = LoadHarness.positive(args[i], text);
                    case "--slow" -> slow = counts(args[i], text);
                    case "--latency" -> latency = duration(args[i], text);
                    case "--seconds" -> seconds = LoadHarness.positive(args[i], text);
                    case "--warmup" -> warmup = LoadHarness.positive(args[i], text);
                    case "--per-session" -> perSession = LoadHarness.positive(args[i], text);
                    case "--drain" -> drain = LoadHarness.positive(args[i], text);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Settings(ordinary, slow, latency, Duration.ofSeconds(seconds), Duration.ofSeconds(warmup),
                perSession, Duration.ofSeconds(drain));
        }

        /** A comma-separated list of connection counts, e.g. {@code 0,16,64}. */
        private static List<Integer> counts(String option, String text) {
            List<Integer> counts = new ArrayList<>();
            for (String part : text.split(",", -1)) {
                counts.add(LoadHarness.nonNegative(option, part.trim()));
            }
            return List.copyOf(counts);
        }

        /** {@code <n>s} or {@code <n>ms}, n a non-negative integer. */
        private static Duration duration(String option, String text) {
            if (text.matches("[0-9]{1,6}ms")) {
                return Duration.ofMillis(Integer.parseInt(text.substring(0, text.length() - 2)));
            }
            if (text.matches("[0-9]{1,5}s")) {
                return Duration.ofSeconds(Integer.parseInt(text.substring(0, text.length() - 1)));
            }
            throw new IllegalArgumentException(option + " must be <n>s or <n>ms: '" + text + "'");
        }
    }

    /** One ordinary transaction: when MAIL was sent and when the message was answered (nanoTime). */
    private record Transaction(long start, long end) {
    }

    /** What one phase measured. */
    record Phase(int slow, int completed, double rate, List<Long> latencies, int refused, int slowAnswered,
                 long slowQueries, boolean drained) {
        long medianMillis() {
            return latencies.isEmpty() ? -1 : TimeUnit.NANOSECONDS.toMillis(LoadHarness.percentile(latencies, 50));
        }

        long p99Millis() {
            return latencies.isEmpty() ? -1 : TimeUnit.NANOSECONDS.toMillis(LoadHarness.percentile(latencies, 99));
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SlowDnsLoadDriver: " + e.getMessage());
            System.exit(64);
            return;
        }
        LoadHarness.prepareJvm();
        boolean ok = new SlowDnsLoadDriver(settings).run();
        System.exit(ok ? 0 : 1);
    }

    private boolean run() throws Exception {
        System.out.printf(Locale.ROOT, "Slow DNS load: %d ordinary connection(s) (%d transactions per session);"
                + " phases with %s connection(s) whose sender domains under %s answer after %d ms; %d s warm-up,"
                + " %d s measured per phase; %d cores%n", settings.ordinary(), settings.perSession(),
            settings.slow(), SLOW_ZONE, settings.latency().toMillis(), settings.warmup().toSeconds(),
            settings.seconds().toSeconds(), Runtime.getRuntime().availableProcessors());
        List<Phase> phases = new ArrayList<>();
        try (TestDnsServer dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start()) {
            dns.zone(SLOW_ZONE);
            dns.faultBelow(SLOW_ZONE, Fault.delay(settings.latency()));
            try (TesJamesServer james = TesJamesServer.start(dns, conf -> { })) {
                List<String> users = LoadHarness.addUsers(james, USERS);
                Phase jvmWarmup = phase(dns, james.inboundPort(), users, 0, settings.warmup());
                System.out.printf(Locale.ROOT, "JVM warm-up (not counted): %.1f transactions/s%n", jvmWarmup.rate());
                for (int slow : settings.slow()) {
                    Phase phase = phase(dns, james.inboundPort(), users, slow, settings.seconds());
                    System.out.printf(Locale.ROOT, "phase with %d slow connection(s): %.1f transactions/s%s%n", slow,
                        phase.rate(), phase.drained() ? "" : "  (DID NOT DRAIN)");
                    phases.add(phase);
                }
            }
        }
        return report(phases);
    }

    private static long slowZoneQueries(TestDnsServer dns) {
        String suffix = SLOW_ZONE + "./";
        return dns.queryCounts().entrySet().stream()
            .filter(entry -> entry.getKey().contains(suffix))
            .mapToLong(Map.Entry::getValue)
            .sum();
    }

    private boolean report(List<Phase> phases) {
        Phase base = phases.stream().filter(phase -> phase.slow() == 0).findFirst().orElse(null);
        System.out.printf(Locale.ROOT, "%n%6s %12s %8s %10s %10s %8s %8s %10s %12s %10s%n", "slow", "ordinary/s",
            "done", "median ms", "p99 ms", "samples", "refused", "slow RCPT", "slow queries", "ratio");
        boolean ok = true;
        for (Phase phase : phases) {
            String ratio = base == null || base.rate() == 0 ? "-"
                : String.format(Locale.ROOT, "%.4f", phase.rate() / base.rate());
            System.out.printf(Locale.ROOT, "%6d %12.2f %8d %10s %10s %8d %8d %10d %12d %10s%n", phase.slow(),
                phase.rate(), phase.completed(), millis(phase.medianMillis()), millis(phase.p99Millis()), phase.latencies().size(),
                phase.refused(), phase.slowAnswered(), phase.slowQueries(), ratio);
            ok &= phase.refused() == 0 && phase.drained();
        }
        System.out.printf(Locale.ROOT, "ordinary/s: ordinary transactions completed in the window (done) per"
            + " second; median, p99: MAIL to the reply to the message, of the transactions started in the window"
            + " (samples);%nslow RCPT: RCPTs answered to the slow connections in the phase; ratio = ordinary/s with"
            + " N slow connections / with none (goal >= 0.8)%s%n", base == null ? "; no phase with 0 slow connections: no ratio" : "");
        return ok;
    }

    private static String millis(long millis) {
        return millis < 0 ? "-" : Long.toString(millis);
    }

    /** One phase: attackers first, then the ordinary clients; warm-up, window, stop, drain. */
    private Phase phase(TestDnsServer dns, int port, List<String> users, int slow, Duration window)
            throws Exception {
        long queriesBefore = slowZoneQueries(dns);
        AtomicBoolean stop = new AtomicBoolean();
        Set<SmtpTestClient> open = ConcurrentHashMap.newKeySet();
        Queue<Transaction> transactions = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger slowAnswered = new AtomicInteger();
        Duration clientTimeout = settings.warmup().plus(window).plus(settings.drain());
        SmtpTestClient.Builder connection = SmtpTestClient.builder("127.0.0.1", port).timeout(clientTimeout);
        ExecutorService pool = Executors.newFixedThreadPool(slow + settings.ordinary());
        List<Future<?>> workers = new ArrayList<>();
        long windowStart;
        long windowEnd;
        boolean drained;
        try {
            for (int i = 0; i < slow; i++) {
                String user = users.get(i % users.size());
                // Each attacker connection from its own loopback address, as from many hosts: neither James's
                // connectionLimitPerIP nor TES's smtp.pending.max-per-client stops them, so the phase measures
                // isolation alone.
                SmtpTestClient.Builder attackerConnection = SmtpTestClient.builder("127.0.0.1", port)
                    .timeout(clientTimeout).localAddress("127.0." + (10 + i / 250) + "." + (i % 250 + 1));
                workers.add(pool.submit(() -> {
                    attacker(attackerConnection, user, stop, open, slowAnswered);
                    return null;
                }));
            }
            for (int i = 0; i < settings.ordinary(); i++) {
                workers.add(pool.submit(() -> {
                    ordinary(connection, users, stop, open, transactions, refused);
                    return null;
                }));
            }
            Thread.sleep(settings.warmup().toMillis());
            windowStart = System.nanoTime();
            Thread.sleep(window.toMillis());
            windowEnd = System.nanoTime();
            stop.set(true);
            drained = awaitWorkers(workers, open);
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        drained &= awaitQuiet(connection);
        long start = windowStart;
        long end = windowEnd;
        int completed = (int) transactions.stream().filter(t -> t.end() >= start && t.end() <= end).count();
        List<Long> latencies = transactions.stream().filter(t -> t.start() >= start && t.start() <= end)
            .map(t -> t.end() - t.start()).toList();
        return new Phase(slow, completed, completed * 1e9 / (end - start), latencies, refused.get(),
            slowAnswered.get(), slowZoneQueries(dns) - queriesBefore, drained);
    }

    /** Waits for every client to stop by itself within {@code --drain}, then closes the sockets still open. */
    private boolean awaitWorkers(List<Future<?>> workers, Set<SmtpTestClient> open) throws InterruptedException {
        long deadline = System.nanoTime() + settings.drain().toNanos();
        boolean drained = true;
        for (Future<?> worker : workers) {
            try {
                worker.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                drained = false;
                open.forEach(SmtpTestClient::close);
            } catch (ExecutionException e) {
                open.forEach(SmtpTestClient::close);
                throw new IllegalStateException("SMTP client failed", e.getCause());
            }
        }
        return drained;
    }

    /**
     * Waits (at most {@code --drain}) until eight new connections in a row get their greeting and EHLO reply
     * within 500 ms each: no event loop of the server is still busy with the previous phase.
     */
    private boolean awaitQuiet(SmtpTestClient.Builder connection) throws InterruptedException {
        long deadline = System.nanoTime() + settings.drain().toNanos();
        int quiet = 0;
        while (quiet < 8) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            long start = System.nanoTime();
            try (SmtpTestClient client = connection.connect()) {
                client.ehlo("probe.sender.nonmember.test");
                client.quit();
            } catch (IOException e) {
                quiet = 0;
                Thread.sleep(100);
                continue;
            }
            quiet = System.nanoTime() - start < QUIET_REPLY.toNanos() ? quiet + 1 : 0;
        }
        return true;
    }

    /** Sessions of ordinary mail until told to stop; every transaction's start and end recorded. */
    private void ordinary(SmtpTestClient.Builder connection, List<String> users, AtomicBoolean stop,
                          Set<SmtpTestClient> open, Queue<Transaction> transactions, AtomicInteger refused)
            throws IOException {
        byte[] body = LoadHarness.smallBody();
        int n = 0;
        while (!stop.get()) {
            SmtpTestClient client = connection.connect();
            open.add(client);
            try {
                LoadHarness.expect(client.greeting(), 220, "greeting");
                LoadHarness.expect(client.ehlo("load.sender.nonmember.test"), 250, "EHLO");
                for (int i = 0; i < settings.perSession() && !stop.get(); i++) {
                    String user = users.get(n++ % users.size());
                    long start = System.nanoTime();
                    LoadHarness.expect(client.mailFrom(SENDER), 250, "MAIL");
                    if (client.rcptTo(user).code() != 250) {
                        refused.incrementAndGet();
                        LoadHarness.expect(client.rset(), 250, "RSET");
                        continue;
                    }
                    LoadHarness.expect(client.data(), 354, "DATA");
                    SmtpReply reply = client.message(LoadHarness.message(SENDER, user, n, body));
                    long end = System.nanoTime();
                    if (reply.code() == 250) {
                        transactions.add(new Transaction(start, end));
                    } else {
                        refused.incrementAndGet();
                    }
                }
                client.quit();
            } catch (IOException e) {
                if (!stop.get()) {
                    throw e;
                }
            } finally {
                open.remove(client);
                client.close();
            }
        }
    }

    /** One connection sending MAIL FROM a fresh name under the slow zone, RCPT, RSET until told to stop. */
    private void attacker(SmtpTestClient.Builder connection, String user, AtomicBoolean stop,
                          Set<SmtpTestClient> open, AtomicInteger answered) throws IOException {
        SmtpTestClient client = connection.connect();
        open.add(client);
        try {
            LoadHarness.expect(client.greeting(), 220, "greeting");
            LoadHarness.expect(client.ehlo("attacker." + SLOW_ZONE), 250, "EHLO");
            while (!stop.get()) {
                LoadHarness.expect(client.mailFrom("x@s" + slowNames.incrementAndGet() + "." + SLOW_ZONE), 250,
                    "slow MAIL");
                SmtpReply rcpt = client.rcptTo(user);
                if (rcpt.code() != 250 && rcpt.code() != 451) {
                    throw new IllegalStateException("slow RCPT: expected 250 or 451, got " + rcpt);
                }
                answered.incrementAndGet();
                LoadHarness.expect(client.rset(), 250, "RSET");
            }
            client.quit();
        } catch (IOException e) {
            if (!stop.get()) {
                throw e;
            }
        } finally {
            open.remove(client);
            client.close();
        }
    }
}
