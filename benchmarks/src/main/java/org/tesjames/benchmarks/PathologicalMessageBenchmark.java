package org.tesjames.benchmarks;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.tesjames.core.auth.AuthenticationReport;
import org.tesjames.core.auth.MessageAuthenticator;
import org.tesjames.core.auth.SmtpIdentity;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.verify.DkimFailureReason;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dmarc.DmarcEvaluator;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.mail.HeaderFields;
import org.tesjames.mailets.auth.InboundAuthentication;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * Cost of the inbound authentication path on messages an attacker can send, each next to the cost of just parsing
 * the same message's header (the floor: nothing that reads the header can be cheaper), measured in the same run.
 *
 * <p>Shapes ({@code shape}): {@code normal}, a 10 kB message (headers and text lines, the baseline; it ignores
 * {@code fields}); {@code fields}, the same message with {@code fields} extra header fields of distinct names
 * ({@code X<hex>: v}, about 12 octets each: 1.2 MB for 100,000); {@code longH}, the normal message with one
 * {@code DKIM-Signature} (RSA-2048, correct body hash) whose {@code h=} lists {@code fields} names, folded;
 * {@code fieldsLongH} (not run by default: {@code -p shape=fieldsLongH}), both at once, the {@code h=} naming the
 * extra fields (so every name is present in the header).
 *
 * <p>Operations: {@code authenticate}, tes-core {@link MessageAuthenticator} (DKIM, SPF, DMARC; every DNS answer
 * from a warm {@link CachingDnsClient}, as in DkimBenchmark); {@code stamp}, tes-mailets
 * {@link InboundAuthentication#stamp} (rewrites the header of the James {@link Mail}'s {@link MimeMessage} with
 * javax.mail; a fresh mail per invocation, parsed outside the measurement); the floors {@code parseHeaderFields}
 * (tes-core {@link HeaderFields#parse}) and {@code parseInternetHeaders} (javax.mail {@link InternetHeaders} load).
 * The ratios printed: authenticate / parseHeaderFields and stamp / parseInternetHeaders.
 *
 * <p>Run: {@code bin/bench patho [JMH options]}, e.g. {@code -p fields=10000,20000,100000}; the defaults
 * ({@code fields} 10,000 and 20,000; one fork per case; one warm-up and two measured iterations of 0.5 s, an
 * iteration lasting at least one operation) are the smallest settings that still show growth: 20 cases, most of
 * the time in the forks' start and in {@code stamp} of 20,000 fields (a run of 24 cases took 6.5 minutes on a
 * 2-core machine shared with other builds). 100,000 fields are out of reach of a short run today: one
 * {@code stamp} would take minutes (javax.mail {@code removeHeader} once per field name, DESIGN platform fact 14),
 * and so would {@code authenticate} of {@code fieldsLongH}. Average time per operation, in milliseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
@Threads(1)
public class PathologicalMessageBenchmark {
    static final String AUTHSERV_ID = "mx.bench.test";
    static final SmtpIdentity IDENTITY = identity();

    @Param({"normal", "fields", "longH"})
    public String shape;

    @Param({"10000", "20000"})
    public int fields;

    private TestDnsServer dns;
    private MessageAuthenticator authenticator;
    private InboundAuthentication inbound;
    private AuthenticationReport report;
    private byte[] message;

    private static SmtpIdentity identity() {
        try {
            return new SmtpIdentity(InetAddress.getByName("192.0.2.1"), "mail." + DkimBenchmark.DOMAIN,
                "writer@" + DkimBenchmark.DOMAIN);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The normal message with {@code count} extra fields of distinct names after its own header fields. */
    static byte[] withFields(byte[] normal, int count) {
        StringBuilder extra = new StringBuilder(count * 13);
        for (int i = 0; i < count; i++) {
            extra.append('X').append(Integer.toHexString(i)).append(": v\r\n");
        }
        return prepend(extra.toString(), normal);
    }

    /** The names of the extra fields of {@link #withFields}, or as many names absent from the message. */
    static List<String> names(int count, boolean present) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add((present ? "X" : "Absent") + Integer.toHexString(i));
        }
        return names;
    }

    /**
     * {@code message} signed (so that its body hash is right), with the signature's {@code h=} replaced by
     * {@code names}, folded: the header hash runs over every name, then the signature does not verify.
     */
    static byte[] withLongH(DkimSigner signer, byte[] message, List<String> names) {
        String signed = new String(DkimBenchmark.signedBy(signer, message), StandardCharsets.ISO_8859_1);
        int end = signed.indexOf("\r\n\r\n");
        Matcher h = Pattern.compile("([;\\s])h=[^;]*;").matcher(signed.substring(0, end));
        if (!h.find()) {
            throw new IllegalStateException("no h= in the benchmark signature");
        }
        StringBuilder list = new StringBuilder(names.size() * 8);
        int line = 0;
        for (String name : names) {
            if (line > 70) {
                list.append("\r\n\t");
                line = 0;
            }
            list.append(name).append(':');
            line += name.length() + 1;
        }
        list.append("from");
        String rewritten = signed.substring(0, h.start()) + h.group(1) + "h=" + list + ";"
            + signed.substring(h.end());
        return rewritten.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] prepend(String fields, byte[] message) {
        byte[] head = fields.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(head, head.length + message.length);
        System.arraycopy(message, 0, out, head.length, message.length);
        return out;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        DkimKey key = DkimBenchmark.key(DkimBenchmark.keyPair(DkimKeyType.RSA), DkimKeyType.RSA);
        DkimSigner signer = new DkimSigner(domain -> List.of(key), Clock.systemUTC());
        byte[] normal = DkimBenchmark.message(10 * 1024);
        message = switch (shape) {
            case "normal" -> normal;
            case "fields" -> withFields(normal, fields);
            case "longH" -> withLongH(signer, normal, names(fields, false));
            case "fieldsLongH" -> withLongH(signer, withFields(normal, fields), names(fields, true));
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
        dns = TestDnsServer.start();
        dns.zone(DkimBenchmark.DOMAIN)
            .txt(key.selector() + "._domainkey", key.keyRecord().text())
            .txt("@", "v=spf1 ip4:192.0.2.1 -all")
            .txt("_dmarc", "v=DMARC1; p=none");
        DnsClient client = CachingDnsClient.builder(DnsJavaClient.create(List.of(dns.address()),
            Duration.ofSeconds(5), 1)).minTtl(Duration.ofHours(1)).build();
        authenticator = new MessageAuthenticator(new DkimVerifier(client, Clock.systemUTC()),
            new SpfVerifier(client), new DmarcPolicyDiscovery(client), new DmarcEvaluator(() -> 0, Policy.REJECT));
        inbound = new InboundAuthentication(authenticator, AUTHSERV_ID, Duration.ofSeconds(30), false,
            new RecordingMetricFactory());
        report = authenticate();
        if (!report.spf().result().name().equalsIgnoreCase("pass")) {
            throw new IllegalStateException("the warm DNS does not answer as expected: " + report);
        }
        if (shape.endsWith("LongH") && report.dkim().signatures().get(0).reason()
                != DkimFailureReason.SIGNATURE_MISMATCH) {
            throw new IllegalStateException("the long h= is not hashed: " + report.dkim());
        }
        MailImpl mail = mail(message);
        inbound.stamp(mail, report);
        if (mail.getMessage().getHeader("Authentication-Results") == null) {
            throw new IllegalStateException("stamp wrote no Authentication-Results");
        }
        mail.dispose();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dns.close();
    }

    static MailImpl mail(byte[] message) throws MessagingException {
        MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
        return MailImpl.builder().name("bench").sender("writer@" + DkimBenchmark.DOMAIN)
            .addRecipient("user@" + LoadHarness.LOCAL_DOMAIN).mimeMessage(mime).build();
    }

    /** A fresh mail for each {@code stamp} (stamping changes the message). */
    @State(Scope.Thread)
    public static class FreshMail {
        MailImpl mail;

        @Setup(Level.Invocation)
        public void parse(PathologicalMessageBenchmark benchmark) throws MessagingException {
            mail = mail(benchmark.message);
        }

        @TearDown(Level.Invocation)
        public void dispose() {
            mail.dispose();
        }
    }

    /** tes-core message authentication: DKIM, SPF, DMARC over the warm DNS cache. */
    @Benchmark
    public AuthenticationReport authenticate() {
        return authenticator.authenticate(message, IDENTITY).toCompletableFuture().join();
    }

    /** The mailets-side stamping: Authentication-Results written, the header rewritten with javax.mail. */
    @Benchmark
    public int stamp(FreshMail fresh) throws MessagingException {
        return inbound.stamp(fresh.mail, report);
    }

    /** Floor: tes-core's split of the message into header fields and body. */
    @Benchmark
    public HeaderFields parseHeaderFields() {
        return HeaderFields.parse(message);
    }

    /** Floor: javax.mail's load of the header, as James's MimeMessage does. */
    @Benchmark
    public InternetHeaders parseInternetHeaders() throws MessagingException {
        return new InternetHeaders(new ByteArrayInputStream(message));
    }

    /**
     * Runs the benchmarks and prints each operation's time next to its parsing floor. Without {@code -p shape} or
     * {@code -p fields}, the {@code normal} shape runs once (it ignores {@code fields}), then the other shapes for
     * every {@code fields} value.
     */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        String include = PathologicalMessageBenchmark.class.getName() + "\\.";
        List<RunResult> results = new ArrayList<>();
        if (cli.getParameter("shape").hasValue() || cli.getParameter("fields").hasValue()) {
            results.addAll(new Runner(new OptionsBuilder().parent(cli).include(include).build()).run());
        } else {
            results.addAll(new Runner(new OptionsBuilder().parent(cli).include(include)
                .param("shape", "normal").param("fields", "0").build()).run());
            results.addAll(new Runner(new OptionsBuilder().parent(cli).include(include)
                .param("shape", "fields", "longH").build()).run());
        }
        Map<String, Double> score = new LinkedHashMap<>();
        List<String> cases = new ArrayList<>();
        for (RunResult result : results) {
            String operation = result.getParams().getBenchmark().replaceAll(".*\\.", "");
            String key = result.getParams().getParam("shape") + " " + result.getParams().getParam("fields");
            if (!cases.contains(key)) {
                cases.add(key);
            }
            score.put(operation + " " + key, result.getPrimaryResult().getScore());
        }
        System.out.printf(Locale.ROOT, "%n%-12s %7s %14s %14s %14s %14s %12s %12s%n", "shape", "fields",
            "authenticate", "stamp", "HeaderFields", "InternetHdrs", "auth/floor", "stamp/floor");
        for (String key : cases) {
            String[] parts = key.split(" ");
            Double authenticate = score.get("authenticate " + key);
            Double stamp = score.get("stamp " + key);
            Double headerFields = score.get("parseHeaderFields " + key);
            Double internetHeaders = score.get("parseInternetHeaders " + key);
            System.out.printf(Locale.ROOT, "%-12s %7s %14s %14s %14s %14s %12s %12s%n", parts[0],
                parts[0].equals("normal") ? "-" : parts[1], millis(authenticate), millis(stamp),
                millis(headerFields), millis(internetHeaders), ratio(authenticate, headerFields),
                ratio(stamp, internetHeaders));
        }
        System.out.println("(ms per operation; floor = parsing the same message's header:"
            + " HeaderFields for authenticate, javax.mail InternetHeaders for stamp)");
    }

    private static String millis(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? "-" : String.format(Locale.ROOT, "%.1f", a / b);
    }
}
