package org.tesjames.benchmarks;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.it.harness.JamesConf;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

import com.google.inject.Module;

/**
 * SMTP load on the inbound listener of real James 3.8.1 servers booted in this JVM, one after the other (two
 * James at once clash on their JMX names): the shipped configuration ("with TES") and the same configuration
 * without the {@code SessionFactsHook}, {@code InboundPolicyHook} and {@code InboundAuthenticationHook} handlers
 * ("without TES"), in ABBA order
 * after discarded JVM warm-up rounds. Each run: boot, a warm-up load, then the measured load: {@code messages}
 * messages over {@code connections} concurrent plaintext connections, {@code per-session} messages per
 * session, sender in a domain the test DNS answers NXDOMAIN for (a non-member: the TES hook does the real
 * lookup, then hits its cache; the message is authenticated: unsigned, SPF and DMARC looked up, then cached),
 * each to one local user. The rate is 250 replies to DATA per second of the
 * measured load; every accepted message must then be in an INBOX, and the with-TES runs must carry
 * {@code X-TES-Status: non-member}. Prints every run, with the process's CPU time and allocation per message by
 * thread group ({@link CpuAccount}, from the start of the measured load to its last delivery), the median rate of
 * each configuration, the ratio, the per-round ratios sorted with how many reach 0.9, and the median ratio of CPU
 * per message.
 * Loopback only; bounded in messages and time; exits non-zero when a check fails.
 *
 * <p>{@code --same-server}: instead of a James per run, one James serves both configurations for the whole
 * driver run, the shipped inbound listener and {@value #BARE_LISTENER}, a copy of it without the TES handlers
 * ({@link #addBareListener}). The loads alternate between the two listeners in the same ABBA order, after a
 * warm-up load on each; after every load the INBOXes are checked (each message carries {@code X-TES-Status}
 * exactly when it came through the TES listener) and emptied, outside the measurement. No James is booted between
 * loads, so a run takes about half the time, and each configuration's event loops have threads of their own names
 * ({@code inbound-io}, {@code inbound-bare-io}) in the CPU account and in a profile. One James warms its code in
 * the first rounds: discard more of them (4) than with a James per run.
 *
 * <p>{@code --received N}: each message starts with {@code N} {@code Received} fields of earlier hops (about 200
 * octets each, {@link LoadHarness#receivedFields}), as mail that crossed a few relays has; by default none, the
 * minimal header above.
 *
 * <p>{@code --dkim BODY}: instead of the small unsigned messages, one message per user with a body of
 * {@link BenchBodies} ({@code edits}, {@code scattered}, {@code prose} or {@code base64}) of about {@code --size}
 * octets (1 MB by default), DKIM-signed once before the loads by the sender's domain (RSA-2048, relaxed/relaxed; its
 * key record in the test DNS); the TES listener's copies must also carry {@code dkim=pass} for that domain in
 * their {@code Authentication-Results}. The INBOXes hold every message of a load: keep {@code --messages} to a few
 * hundred with {@code --same-server} (which empties them after each load).
 *
 * <p>Options (defaults): {@code --messages 2000 --warmup 500 --connections 8 --per-session 10 --rounds 3
 * --discard-rounds 1 --users 8 --time-limit 120 --thread-ids search --received 0 --size 1048576}, and
 * {@code --same-server} and {@code --dkim} (off) (seconds per load; {@link ThreadIds}). Rounds run in ABBA order;
 * the first {@code --discard-rounds} rounds only warm the JVM. The shipped configuration is read from the system
 * property {@code tes.conf.dir}, else {@code james-conf/src/main/conf} under the current directory.
 */
public final class SmtpLoadDriver {
    private static final String SENDER_DOMAIN = "sender.nonmember.test";
    private static final String SENDER = "loadtest@" + SENDER_DOMAIN;
    private static final String TES_FACTS_HANDLER =
        "<handler class=\"org\\.tesjames\\.mailets\\.smtp\\.SessionFactsHook\">\\s*<listener>inbound</listener>\\s*</handler>";
    private static final String TES_POLICY_HANDLER = "<handler class=\"org.tesjames.mailets.smtp.InboundPolicyHook\"/>";
    private static final String TES_AUTHENTICATION_HANDLER =
        "<handler class=\"org.tesjames.mailets.smtp.InboundAuthenticationHook\"/>";
    /** {@code --same-server}: the jmxName of the inbound listener without TES. */
    static final String BARE_LISTENER = "inbound-bare";

    private final Settings settings;
    /** {@code --dkim}: the signed message to each user, built once (the clients sign nothing during a load). */
    private Map<String, byte[]> signed = Map.of();

    private SmtpLoadDriver(Settings settings) {
        this.settings = settings;
    }

    /** Command-line options. */
    record Settings(int messages, int warmup, int connections, int perSession, int rounds, int discardRounds,
                    int users, Duration timeLimit, ThreadIds threadIds, boolean sameServer, int received,
                    String dkim, int size) {
        static Settings parse(String[] args) {
            int messages = 2000;
            int warmup = 500;
            int connections = 8;
            int perSession = 10;
            int rounds = 3;
            int discardRounds = 1;
            int users = 8;
            int timeLimit = 120;
            ThreadIds threadIds = ThreadIds.SEARCH;
            boolean sameServer = false;
            int received = 0;
            String dkim = null;
            int size = 1024 * 1024;
            for (int i = 0; i < args.length; i += 2) {
                if (args[i].equals("--same-server")) {
                    sameServer = true;
                    i--;
                    continue;
                }
                String text = LoadHarness.value(args, i);
                if (args[i].equals("--thread-ids")) {
                    threadIds = ThreadIds.parse(text);
                    continue;
                }
                if (args[i].equals("--dkim")) {
                    if (!BenchBodies.KINDS.contains(text)) {
                        throw new IllegalArgumentException("--dkim takes one body of " + BenchBodies.KINDS + ", not "
                            + text);
                    }
                    dkim = text;
                    continue;
                }
                int value = args[i].equals("--discard-rounds") || args[i].equals("--received")
                    ? LoadHarness.nonNegative(args[i], text)
                    : LoadHarness.positive(args[i], text);
                switch (args[i]) {
                    case "--messages" -> messages = value;
                    case "--warmup" -> warmup = value;
                    case "--connections" -> connections = value;
                    case "--per-session" -> perSession = value;
                    case "--rounds" -> rounds = value;
                    case "--discard-rounds" -> discardRounds = value;
                    case "--users" -> users = value;
                    case "--time-limit" -> timeLimit = value;
                    case "--received" -> received = value;
                    case "--size" -> size = value;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Settings(messages, warmup, connections, perSession, rounds, discardRounds, users,
                Duration.ofSeconds(timeLimit), threadIds, sameServer, received, dkim, size);
        }
    }

    /**
     * How James's mailbox guesses the JMAP thread of each delivered message, in both configurations alike: the memory
     * app's {@code SearchThreadIdGuessingAlgorithm} (its default: a search of the recipient's mailboxes by header,
     * which parses the header of every stored message at every delivery, so its cost grows with the INBOX and with
     * the header size of what is stored in it), or {@code NaiveThreadIdGuessingAlgorithm} (no search; what James's
     * JPA app binds).
     */
    enum ThreadIds {
        SEARCH,
        NAIVE;

        static ThreadIds parse(String text) {
            return switch (text) {
                case "search" -> SEARCH;
                case "naive" -> NAIVE;
                default -> throw new IllegalArgumentException("--thread-ids must be search or naive, not " + text);
            };
        }

        Module[] overrides() {
            return this == SEARCH ? new Module[0] : new Module[] {binder -> binder.bind(ThreadIdGuessingAlgorithm.class)
                .to(NaiveThreadIdGuessingAlgorithm.class)};
        }
    }

    /** The two configurations compared. */
    enum Variant {
        WITH_TES("with TES", conf -> { }),
        WITHOUT_TES("without TES", conf -> conf
            .replaceAll("smtpserver.xml", TES_FACTS_HANDLER, "")
            .replace("smtpserver.xml", TES_POLICY_HANDLER, "")
            .replace("smtpserver.xml", TES_AUTHENTICATION_HANDLER, ""));

        final String label;
        final Consumer<JamesConf> overlay;

        Variant(String label, Consumer<JamesConf> overlay) {
            this.label = label;
            this.overlay = overlay;
        }
    }

    /** One measured load: accepted messages, the time they took and the CPU the process used for them. */
    record Load(int accepted, int refused, long nanos, Map<String, CpuAccount.Use> cpu) {
        Load(int accepted, int refused, long nanos) {
            this(accepted, refused, nanos, Map.of());
        }

        /**
         * Process CPU per accepted message from the start of the load to its last delivery, the driver's main
         * thread left out.
         */
        double cpuMicros() {
            return CpuAccount.cpuMicrosPerMessage(cpu, accepted, "main");
        }

        double rate() {
            return accepted * 1e9 / nanos;
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SmtpLoadDriver: " + e.getMessage());
            System.exit(64);
            return;
        }
        LoadHarness.prepareJvm();
        boolean ok = new SmtpLoadDriver(settings).run();
        System.exit(ok ? 0 : 1);
    }

    /**
     * Rounds of one run per configuration, in ABBA order (with, without; then without, with; ...) so that drift
     * (JIT, other load on the machine) weighs on both alike. The first {@code discardRounds} rounds warm the
     * JVM and are not counted.
     */
    private boolean run() throws Exception {
        System.out.printf(Locale.ROOT, "SMTP load: %d messages (+%d warm-up) per run, %d connections, %d messages"
                + " per session, %d earlier Received field(s) per message, %d round(s) of with/without TES (+%d"
                + " discarded), %d cores, thread ids: %s, %s; %s%n",
            settings.messages(), settings.warmup(), settings.connections(), settings.perSession(), settings.received(),
            settings.rounds(), settings.discardRounds(), Runtime.getRuntime().availableProcessors(),
            settings.threadIds().name().toLowerCase(Locale.ROOT), settings.sameServer()
                ? "one James with both listeners (inbound with TES, " + BARE_LISTENER + " without)"
                : "a James booted for each run", settings.dkim() == null ? "unsigned messages of about 1.1 kB"
                : "messages DKIM-signed by the sender's domain (RSA-2048, relaxed/relaxed), body " + settings.dkim()
                + " of about " + settings.size() + " octets");
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        boolean ok = true;
        try (TestDnsServer dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
             TesJamesServer shared = settings.sameServer() ? TesJamesServer.start(dns, JamesConf.shipped(),
                 SmtpLoadDriver::addBareListener, settings.threadIds().overrides()) : null) {
            if (settings.dkim() != null) {
                signed = signedMessages(dns);
            }
            List<String> sharedUsers = shared == null ? List.of() : LoadHarness.addUsers(shared, settings.users());
            if (shared != null) {
                for (Variant variant : Variant.values()) {
                    measure(shared, sharedUsers, variant, settings.warmup());
                }
            }
            for (int round = 1 - settings.discardRounds(); round <= settings.rounds(); round++) {
                List<Variant> order = Math.floorMod(round, 2) == 1 ? List.of(Variant.WITH_TES, Variant.WITHOUT_TES)
                    : List.of(Variant.WITHOUT_TES, Variant.WITH_TES);
                double[] rates = new double[2];
                double[] cpus = new double[2];
                for (Variant variant : order) {
                    Load load = shared == null ? runOnce(dns, variant)
                        : measure(shared, sharedUsers, variant, settings.messages());
                    boolean complete = load.refused() == 0 && load.accepted() == settings.messages();
                    ok &= complete;
                    System.out.printf(Locale.ROOT, "%-9s %-12s %8.1f msg/s  (%d accepted, %d refused, %.2f s)%s%n",
                        round < 1 ? "discarded" : "round " + round, variant.label, load.rate(), load.accepted(),
                        load.refused(), load.nanos() / 1e9, complete ? "" : "  INCOMPLETE");
                    CpuAccount.print(load.cpu(), load.accepted());
                    rates[variant.ordinal()] = load.rate();
                    cpus[variant.ordinal()] = load.cpuMicros();
                }
                if (round >= 1) {
                    with.add(rates[Variant.WITH_TES.ordinal()]);
                    without.add(rates[Variant.WITHOUT_TES.ordinal()]);
                    ratios.add(rates[Variant.WITH_TES.ordinal()] / rates[Variant.WITHOUT_TES.ordinal()]);
                    cpuRatios.add(cpus[Variant.WITHOUT_TES.ordinal()] / cpus[Variant.WITH_TES.ordinal()]);
                }
            }
        }
        double medianWith = LoadHarness.median(with);
        double medianWithout = LoadHarness.median(without);
        System.out.printf(Locale.ROOT, "%nmedian with TES:    %8.1f msg/s%nmedian without TES: %8.1f msg/s%n"
                + "ratio of medians with/without: %.3f; median of the per-round ratios: %.3f (goal >= 0.9)%n",
            medianWith, medianWithout, medianWith / medianWithout, LoadHarness.median(ratios));
        System.out.printf(Locale.ROOT, "per-round ratios, sorted: %s; %d of %d rounds at or above 0.9%n",
            ratios.stream().sorted().map(r -> String.format(Locale.ROOT, "%.3f", r)).collect(Collectors.joining(" ")),
            ratios.stream().filter(r -> r >= 0.9).count(), ratios.size());
        System.out.printf(Locale.ROOT, "CPU per message (process, from the load's start to its last delivery, driver's"
            + " main thread left out), without / with TES: median of the per-round ratios %.3f%n",
            LoadHarness.median(cpuRatios));
        return ok;
    }

    /**
     * {@code --dkim}: an RSA-2048 key of the sender's domain, its record published in the test DNS, and one message
     * to each user with the body asked for, signed with it. The domain stays a non-member (its zone has no
     * {@code tes-master} name), with no SPF or DMARC record, as for unsigned messages.
     */
    private Map<String, byte[]> signedMessages(TestDnsServer dns) {
        DkimKey key = DkimBenchmark.key(DkimBenchmark.keyPair(DkimKeyType.RSA), DkimKeyType.RSA, SENDER_DOMAIN);
        dns.zone(SENDER_DOMAIN).txt(key.selector() + "._domainkey", key.keyRecord().text());
        DkimSigner signer = new DkimSigner(domain -> List.of(key), Clock.systemUTC());
        byte[] body = BenchBodies.of(settings.dkim(), settings.size());
        byte[] trace = LoadHarness.receivedFields(settings.received());
        Map<String, byte[]> messages = new HashMap<>();
        for (String user : LoadHarness.userAddresses(settings.users())) {
            byte[] message = LoadHarness.message(trace, SENDER, user, messages.size(), body);
            messages.put(user, DkimBenchmark.signedBy(signer, SENDER_DOMAIN, message));
        }
        return messages;
    }

    private Load runOnce(TestDnsServer dns, Variant variant) throws Exception {
        try (TesJamesServer james = TesJamesServer.start(dns, JamesConf.shipped(), variant.overlay,
                settings.threadIds().overrides())) {
            List<String> users = LoadHarness.addUsers(james, settings.users());
            Load warmup = load(james.inboundPort(), users, settings.warmup());
            awaitDelivered(james, users, warmup.accepted());
            CpuAccount account = CpuAccount.start();
            Load measured = load(james.inboundPort(), users, settings.messages());
            awaitDelivered(james, users, warmup.accepted() + measured.accepted());
            Map<String, CpuAccount.Use> cpu = account.stop();
            checkTesStatus(james.inbox(users.get(0)).get(0), variant);
            return new Load(measured.accepted(), measured.refused(), measured.nanos(), cpu);
        }
    }

    /**
     * {@code --same-server}: one load of {@code count} messages on the listener of {@code variant} of the James that
     * has both; the INBOXes are checked and emptied after it, outside the measurement, so that every load finds them
     * empty.
     */
    private Load measure(TesJamesServer james, List<String> users, Variant variant, int count) throws Exception {
        CpuAccount account = CpuAccount.start();
        Load measured = load(port(james, variant), users, count);
        awaitDelivered(james, users, measured.accepted());
        Map<String, CpuAccount.Use> cpu = account.stop();
        checkAndClear(james, users, variant);
        return new Load(measured.accepted(), measured.refused(), measured.nanos(), cpu);
    }

    private static int port(TesJamesServer james, Variant variant) {
        return variant == Variant.WITH_TES ? james.inboundPort() : james.smtpPort(BARE_LISTENER);
    }

    /**
     * Adds {@value #BARE_LISTENER}: a copy of the shipped inbound listener without the TES handlers, on its own
     * port, after the others (the same James then serves both configurations).
     */
    static void addBareListener(JamesConf conf) {
        conf.modify("smtpserver.xml", text -> {
            int jmxName = text.indexOf("<jmxName>" + TesJamesServer.INBOUND + "</jmxName>");
            int start = text.lastIndexOf("<smtpserver ", jmxName);
            int end = text.indexOf("</smtpserver>", jmxName) + "</smtpserver>".length();
            int close = text.lastIndexOf("</smtpservers>");
            if (jmxName < 0 || start < 0 || close < end) {
                throw new IllegalArgumentException("smtpserver.xml: no inbound listener to copy");
            }
            String bare = text.substring(start, end)
                .replace("<jmxName>" + TesJamesServer.INBOUND + "</jmxName>",
                    "<jmxName>" + BARE_LISTENER + "</jmxName>")
                .replaceAll(TES_FACTS_HANDLER, "")
                .replace(TES_POLICY_HANDLER, "")
                .replace(TES_AUTHENTICATION_HANDLER, "");
            if (bare.contains("org.tesjames")) {
                throw new IllegalArgumentException("smtpserver.xml: the inbound listener has TES handlers this driver"
                    + " does not know: " + bare);
            }
            return text.substring(0, close) + "    " + bare + "\n" + text.substring(close);
        });
    }

    /**
     * Reads every INBOX (each message must carry {@code X-TES-Status} exactly when it came through the TES listener),
     * then empties them.
     */
    private void checkAndClear(TesJamesServer james, List<String> users, Variant variant)
            throws MessagingException {
        for (String user : users) {
            for (MimeMessage message : james.inbox(user)) {
                checkTesStatus(message, variant);
            }
            james.clearInbox(user);
        }
    }

    /** Sends {@code count} messages over the configured connections; the clock stops at the last reply. */
    private Load load(int port, List<String> users, int count) throws Exception {
        AtomicInteger remaining = new AtomicInteger(count);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger sequence = new AtomicInteger();
        byte[] body = LoadHarness.smallBody();
        byte[] trace = LoadHarness.receivedFields(settings.received());
        ExecutorService pool = Executors.newFixedThreadPool(settings.connections());
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < settings.connections(); c++) {
                workers.add(pool.submit(() -> {
                    while (remaining.get() > 0) {
                        session(port, users, remaining, accepted, refused, sequence, trace, body);
                    }
                    return null;
                }));
            }
            long deadline = start + settings.timeLimit().toNanos();
            for (Future<?> worker : workers) {
                try {
                    worker.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("load not done within " + settings.timeLimit().toSeconds()
                        + " s (accepted " + accepted.get() + " of " + count + ")");
                } catch (ExecutionException e) {
                    throw new IllegalStateException("SMTP client failed", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Load(accepted.get(), refused.get(), System.nanoTime() - start);
    }

    private void session(int port, List<String> users, AtomicInteger remaining, AtomicInteger accepted,
                         AtomicInteger refused, AtomicInteger sequence, byte[] trace, byte[] body)
            throws IOException {
        try (SmtpTestClient client = SmtpTestClient.connect("127.0.0.1", port)) {
            LoadHarness.expect(client.greeting(), 220, "greeting");
            LoadHarness.expect(client.ehlo("load.sender.nonmember.test"), 250, "EHLO");
            for (int i = 0; i < settings.perSession() && remaining.getAndDecrement() > 0; i++) {
                int n = sequence.incrementAndGet();
                LoadHarness.expect(client.mailFrom(SENDER), 250, "MAIL");
                SmtpReply rcpt = client.rcptTo(users.get(n % users.size()));
                if (rcpt.code() != 250) {
                    refused.incrementAndGet();
                    LoadHarness.expect(client.rset(), 250, "RSET");
                    continue;
                }
                LoadHarness.expect(client.data(), 354, "DATA");
                String user = users.get(n % users.size());
                byte[] message = signed.isEmpty() ? LoadHarness.message(trace, SENDER, user, n, body)
                    : signed.get(user);
                if (client.message(message).code() == 250) {
                    accepted.incrementAndGet();
                } else {
                    refused.incrementAndGet();
                }
            }
            client.quit();
        }
    }

    private void awaitDelivered(TesJamesServer james, List<String> users, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + settings.timeLimit().toNanos();
        int delivered = 0;
        while (System.nanoTime() < deadline) {
            delivered = 0;
            for (String user : users) {
                delivered += (int) james.inboxSize(user);
            }
            if (delivered >= expected) {
                if (delivered > expected) {
                    throw new IllegalStateException(delivered + " messages delivered, " + expected + " accepted");
                }
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("only " + delivered + " of " + expected + " accepted messages delivered within "
            + settings.timeLimit().toSeconds() + " s");
    }

    /**
     * Each message must carry {@code X-TES-Status} exactly when it came through the TES listener; with {@code --dkim},
     * the TES listener's messages must also carry the passing verification of their signature.
     */
    private void checkTesStatus(MimeMessage message, Variant variant) throws MessagingException {
        String[] status = message.getHeader("X-TES-Status");
        boolean stamped = status != null && status.length == 1 && status[0].trim().equals("non-member");
        if (stamped != (variant == Variant.WITH_TES)) {
            throw new IllegalStateException(variant.label + ": unexpected X-TES-Status "
                + (status == null ? "(none)" : String.join(", ", status)));
        }
        if (stamped && settings.dkim() != null) {
            String[] results = message.getHeader("Authentication-Results");
            String dkim = "dkim=pass header.d=" + SENDER_DOMAIN;
            if (results == null || results.length != 1 || !results[0].replaceAll("\\s+", " ").contains(dkim)) {
                throw new IllegalStateException(variant.label + ": no " + dkim + " in Authentication-Results "
                    + (results == null ? "(none)" : String.join(", ", results)));
            }
        }
    }
}
