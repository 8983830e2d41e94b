package org.tesjames.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimSignature;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dkim.verify.DkimVerification;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dns.CachingDnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.testing.dns.TestDnsServer;

/**
 * DKIM signing and verification throughput per core (one thread), RSA-2048 and Ed25519, for a 10 kB and a 1 MB
 * message (by default with the {@code edits} body of {@link BenchBodies}; {@code -p body=edits,scattered,prose,base64}
 * adds the same edits at scattered places, the costliest body for relaxed canonicalisation, ordinary text and a
 * base64 attachment), next to two
 * baselines measured in the same run on the same messages and keys:
 * <ul>
 *   <li>the bare JDK: SHA-256 of the whole message, then one {@link Signature} operation with the same key over
 *       the 32-byte digest ({@code SHA256withRSA} or {@code Ed25519}; verification alike). A DKIM signature
 *       cannot cost less: it hashes the body and signs once (plus a small header hash);</li>
 *   <li>dkimpy (Debian {@code python3-dkim}, driven by {@code interop/dkimpy_driver.py}) signing the same message
 *       with the same key, relaxed/relaxed, and verifying the project's signature of it with the key record
 *       from memory; single-threaded, timed in Python after one warm-up.</li>
 * </ul>
 * The project's verifier gets its key record from a warm {@link CachingDnsClient} (an in-memory hit).
 *
 * <p>Run: {@code bin/bench dkim [JMH options] [--dkimpy-seconds N]} or
 * {@code java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*'
 * org.tesjames.benchmarks.DkimBenchmark}; prints ops/s and the ratios. {@code --dkimpy-seconds 0} skips dkimpy
 * (when dkimpy cannot run, the table is printed without it, with the reason);
 * JMH's {@code -p size=1048576} keeps to the 1 MB messages.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@Threads(1)
public class DkimBenchmark {
    static final String DOMAIN = "bench.test";

    @Param({"RSA", "ED25519"})
    public String keyType;

    @Param({"10240", "1048576"})
    public int size;

    /** The body, one of {@link BenchBodies#KINDS}; {@code -p body=edits,scattered,prose,base64} measures all four. */
    @Param({"edits"})
    public String body;

    private TestDnsServer dns;
    private DkimSigner signer;
    private DkimVerifier verifier;
    private KeyPair pair;
    private String jdkAlgorithm;
    private byte[] message;
    private byte[] signed;
    private byte[] jdkSignature;

    /** A message of about {@code size} octets: headers and the {@code edits} body of {@link BenchBodies}. */
    static byte[] message(int size) {
        return message(size, "edits");
    }

    /** A message of about {@code size} octets: headers and a body of {@link BenchBodies}. */
    static byte[] message(int size, String body) {
        byte[] header = ("From: Writer <writer@" + DOMAIN + ">\r\nTo: bob@remote.example\r\n"
            + "Subject: benchmark message\r\nDate: Thu, 15 Jan 2026 10:00:00 +0000\r\nMessage-ID: <bench@" + DOMAIN
            + ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        byte[] text = BenchBodies.of(body, size - header.length);
        byte[] message = Arrays.copyOf(header, header.length + text.length);
        System.arraycopy(text, 0, message, header.length, text.length);
        return message;
    }

    static KeyPair keyPair(DkimKeyType type) {
        return DkimKeyFile.generate(type, 2048);
    }

    static DkimKey key(KeyPair pair, DkimKeyType type) {
        return key(pair, type, DOMAIN);
    }

    /** The signing key of {@code domain}, selector {@code rsa} or {@code ed} by its type. */
    static DkimKey key(KeyPair pair, DkimKeyType type, String domain) {
        try {
            String selector = type == DkimKeyType.RSA ? "rsa" : "ed";
            return DkimKeyFile.parse(DkimKeyFile.pem(pair.getPrivate()), domain, selector, Path.of(selector + ".pem"));
        } catch (DkimKeyFile.BadKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] signedBy(DkimSigner signer, byte[] message) {
        return signedBy(signer, DOMAIN, message);
    }

    /** {@code message} with the {@code DKIM-Signature} field of {@code domain}'s first signature on top. */
    static byte[] signedBy(DkimSigner signer, String domain, byte[] message) {
        List<DkimSignature> signatures = signer.sign(domain, message).signatures();
        byte[] field = (signatures.get(0).headerField() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(field, field.length + message.length);
        System.arraycopy(message, 0, out, field.length, message.length);
        return out;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        DkimKeyType type = DkimKeyType.valueOf(keyType);
        pair = keyPair(type);
        DkimKey key = key(pair, type);
        jdkAlgorithm = type == DkimKeyType.RSA ? "SHA256withRSA" : "Ed25519";
        message = message(size, body);
        signer = new DkimSigner(domain -> List.of(key), Clock.systemUTC());
        signed = signedBy(signer, message);
        dns = TestDnsServer.start();
        dns.zone(DOMAIN).txt(key.selector() + "._domainkey", key.keyRecord().text());
        verifier = new DkimVerifier(CachingDnsClient.builder(DnsJavaClient.create(List.of(dns.address()),
            Duration.ofSeconds(5), 1)).minTtl(Duration.ofHours(1)).build(), Clock.systemUTC());
        if (!verify().anyPass()) {
            throw new IllegalStateException("the benchmark signature does not verify: " + verify());
        }
        jdkSignature = jdkSign();
        if (!jdkVerify()) {
            throw new IllegalStateException("the JDK baseline signature does not verify");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dns.close();
    }

    /** The project's signer: parse, relaxed body hash, header hash, one signature. */
    @Benchmark
    public DkimSigner.Result sign() {
        return signer.sign(DOMAIN, message);
    }

    /** The project's verifier on the signed message, key record from the warm cache. */
    @Benchmark
    public DkimVerification verify() {
        return verifier.verify(signed).toCompletableFuture().join();
    }

    /** Baseline: SHA-256 of the message, then one JDK signature over the digest. */
    @Benchmark
    public byte[] jdkSign() throws GeneralSecurityException {
        Signature signature = Signature.getInstance(jdkAlgorithm);
        signature.initSign(pair.getPrivate());
        signature.update(MessageDigest.getInstance("SHA-256").digest(message));
        return signature.sign();
    }

    /** Baseline: SHA-256 of the message, then one JDK verification over the digest. */
    @Benchmark
    public boolean jdkVerify() throws GeneralSecurityException {
        Signature signature = Signature.getInstance(jdkAlgorithm);
        signature.initVerify(pair.getPublic());
        signature.update(MessageDigest.getInstance("SHA-256").digest(message));
        return signature.verify(jdkSignature);
    }

    /** Runs the JMH benchmarks, then dkimpy on the same messages, and prints ops/s and ratios. */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException, IOException,
            InterruptedException {
        List<String> jmhArgs = new ArrayList<>(Arrays.asList(args));
        double dkimpySeconds = 3;
        int at = jmhArgs.indexOf("--dkimpy-seconds");
        if (at >= 0) {
            dkimpySeconds = Double.parseDouble(jmhArgs.get(at + 1));
            jmhArgs.subList(at, at + 2).clear();
        }
        CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        Collection<RunResult> results = new Runner(new OptionsBuilder()
            .parent(cli)
            .include(DkimBenchmark.class.getName() + "\\.")
            .build()).run();
        Map<String, Double> score = new LinkedHashMap<>();
        Map<String, Double> error = new LinkedHashMap<>();
        List<String> bodies = new ArrayList<>();
        for (RunResult result : results) {
            String body = result.getParams().getParam("body");
            String name = result.getParams().getBenchmark().replaceAll(".*\\.", "") + " "
                + result.getParams().getParam("keyType") + " " + result.getParams().getParam("size") + " " + body;
            score.put(name, result.getPrimaryResult().getScore());
            error.put(name, result.getPrimaryResult().getScoreError());
            if (!bodies.contains(body)) {
                bodies.add(body);
            }
        }
        Map<String, Double> dkimpy = Map.of();
        if (dkimpySeconds > 0) {
            try {
                dkimpy = dkimpy(dkimpySeconds, bodies);
            } catch (IOException | IllegalStateException e) {
                // the JMH results are not lost for want of the comparison (python3-dkim not installed, ...)
                System.out.printf("%ndkimpy not measured (its column stays empty): %s%n", e.getMessage());
            }
        }
        System.out.printf("%n%-8s %-8s %-6s %-9s %12s %12s %12s %10s %10s%n", "op", "key", "size", "body",
            "project/s", "jdk/s", "dkimpy/s", "proj/jdk", "proj/py");
        for (String op : List.of("sign", "verify")) {
            for (String type : List.of("RSA", "ED25519")) {
                for (String size : List.of("10240", "1048576")) {
                    for (String body : bodies) {
                        String key = type + " " + size + " " + body;
                        Double project = score.get(op + " " + key);
                        Double jdk = score.get("jdk" + Character.toUpperCase(op.charAt(0)) + op.substring(1) + " "
                            + key);
                        Double py = dkimpy.get(op + " " + key);
                        if (project == null) {
                            continue;
                        }
                        System.out.printf("%-8s %-8s %-6s %-9s %12.1f %12s %12s %10s %10s  (project ± %.1f)%n", op,
                            type, size.equals("10240") ? "10kB" : "1MB", body, project, format(jdk), format(py),
                            ratio(project, jdk), ratio(project, py), error.get(op + " " + key));
                    }
                }
            }
        }
    }

    private static String format(Double value) {
        return value == null ? "-" : String.format("%.1f", value);
    }

    private static String ratio(Double a, Double b) {
        return b == null || b == 0 ? "-" : String.format("%.2f", a / b);
    }

    private static final Pattern DKIMPY_RESULT = Pattern.compile("ops (\\d+) seconds ([0-9.]+)");

    /** dkimpy sign and verify rates (ops/s) of the benchmark's cases, keyed like the JMH results. */
    static Map<String, Double> dkimpy(double seconds, List<String> bodies) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tes-dkim-bench");
        Path driver = dir.resolve("dkimpy_driver.py");
        try (InputStream in = DkimBenchmark.class.getResourceAsStream("/interop/dkimpy_driver.py")) {
            if (in == null) {
                throw new IllegalStateException("interop/dkimpy_driver.py is not on the class path");
            }
            Files.copy(in, driver);
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String type : List.of("RSA", "ED25519")) {
            DkimKeyType keyType = DkimKeyType.valueOf(type);
            KeyPair pair = keyPair(keyType);
            DkimKey key = key(pair, keyType);
            Path keyFile = dir.resolve(type + ".key");
            if (keyType == DkimKeyType.RSA) {
                Files.writeString(keyFile, DkimKeyFile.pem(pair.getPrivate()), StandardCharsets.US_ASCII);
            } else {
                byte[] pkcs8 = pair.getPrivate().getEncoded();
                Files.writeString(keyFile, Base64.getEncoder().encodeToString(Arrays.copyOfRange(pkcs8,
                    pkcs8.length - 32, pkcs8.length)), StandardCharsets.US_ASCII);
            }
            Path records = dir.resolve(type + ".records");
            Files.writeString(records, key.selector() + "._domainkey." + DOMAIN + "\t" + key.keyRecord().text()
                + "\n", StandardCharsets.US_ASCII);
            DkimSigner signer = new DkimSigner(domain -> List.of(key), Clock.systemUTC());
            for (String size : List.of("10240", "1048576")) {
                for (String body : bodies) {
                    String name = type + " " + size + " " + body;
                    Path plain = dir.resolve(type + "-" + size + "-" + body + ".eml");
                    Files.write(plain, message(Integer.parseInt(size), body));
                    Path signedFile = dir.resolve(type + "-" + size + "-" + body + ".signed.eml");
                    Files.write(signedFile, signedBy(signer, Files.readAllBytes(plain)));
                    rates.put("sign " + name, run(driver, plain, seconds, "bench-sign", "--domain", DOMAIN,
                        "--selector", key.selector(), "--key", keyFile.toString(), "--algorithm",
                        keyType.algorithm(), "--canon", "relaxed/relaxed"));
                    rates.put("verify " + name, run(driver, signedFile, seconds, "bench-verify", "--records",
                        records.toString()));
                }
            }
        }
        return rates;
    }

    private static double run(Path driver, Path input, double seconds, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", driver.toString()));
        command.addAll(Arrays.asList(arguments));
        command.addAll(List.of("--seconds", Double.toString(seconds)));
        Process process = new ProcessBuilder(command).redirectInput(input.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("dkimpy driver failed: " + command + ": " + out);
        }
        Matcher matcher = DKIMPY_RESULT.matcher(out);
        if (!matcher.find()) {
            throw new IllegalStateException("unexpected dkimpy driver output: " + out);
        }
        return Long.parseLong(matcher.group(1)) / Double.parseDouble(matcher.group(2));
    }
}
