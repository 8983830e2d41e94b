package org.tesjames.cli;

import static org.tesjames.cli.OptionValues.once;
import static org.tesjames.cli.OptionValues.required;
import static org.tesjames.cli.OptionValues.resolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.DaneLookup.Destination;
import org.tesjames.core.dane.DaneLookup.Host;
import org.tesjames.core.dane.DaneResult;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.dane.TlsaSelection;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;
import org.tesjames.core.dane.tls.DaneHandshakeException;
import org.tesjames.core.dane.tls.DaneTls;
import org.tesjames.core.dane.tls.DaneTlsContext;
import org.tesjames.core.dane.tls.DaneTrustManager;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dnssec.DnssecClients;
import org.tesjames.core.dnssec.DnssecStatus;
import org.tesjames.core.dnssec.TrustAnchors;
import org.tesjames.core.tls.TlsVersion;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;

/**
 * {@code tes dane <domain> [--resolver host:port]... [--anchors FILE] [--connect] [--port 25] [--timeout 5s]}:
 * the DANE facts of a destination domain from {@link DaneLookup} (MX hosts, addresses, TLSA records with what
 * {@link TlsaSelection} makes of them, DNSSEC statuses, per-host outcome, reference identifiers) and, with
 * {@code --connect}, one STARTTLS handshake per host with the policy an SMTP client would use.
 *
 * <p>Exit status, one verdict per host, then for the destination:
 * <ul>
 * <li>{@link Tes#OK} (verified): at least one host, every host {@link DaneHostOutcome#SECURE_USABLE}, and with
 * {@code --connect} every handshake authenticated by the TLSA records.</li>
 * <li>{@link Tes#FAILED} (not verified) when some host is definitely not verified: no host (null MX,
 * NXDOMAIN), {@link DaneHostOutcome#INSECURE} or {@link DaneHostOutcome#SECURE_UNUSABLE}, and with
 * {@code --connect}: no address to connect to, STARTTLS missing where the TLSA records require it, a failed
 * handshake, a chain that does not match. This wins over 2: retrying cannot make such a destination verified.</li>
 * <li>{@link Tes#TEMPORARY_FAILURE} (indeterminate) otherwise when a lookup failed (MX failure, a host
 * {@link DaneHostOutcome#INDETERMINATE}: bogus data, SERVFAIL, timeout, or the whole lookup took longer than
 * {@link #LOOKUP_DEADLINE_FACTOR} times {@code --timeout}) or, with {@code --connect}, a connection or the SMTP
 * dialogue before TLS failed (refused, timeout, a greeting or STARTTLS reply that is not 2xx).</li>
 * </ul>
 * Usage errors (including an unreadable anchors file and a domain that is no name) are found before any query.
 */
final class DaneCommand {
    static final String USAGE = "tes dane <domain> [--resolver host:port]... [--anchors FILE] [--connect]"
        + " [--port 25] [--timeout 5s]";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The whole DNS lookup is abandoned (exit 2) after this many times {@code --timeout}. */
    static final int LOOKUP_DEADLINE_FACTOR = 10;

    /**
     * The parsed arguments.
     *
     * @param domain the destination domain, absolute
     * @param resolvers explicit resolvers, tried in order; empty for the system resolvers
     * @param anchors the trust anchor file; empty for the builtin IANA root anchors
     * @param connect whether to connect to each host
     * @param port the SMTP port connected to
     * @param timeout time per DNS try, and per connect / read on the SMTP connection, positive
     */
    record Options(Name domain, List<ResolverAddress> resolvers, Optional<Path> anchors, boolean connect, int port,
                   Duration timeout) {
        Options {
            Objects.requireNonNull(domain, "domain");
            resolvers = List.copyOf(resolvers);
            Objects.requireNonNull(anchors, "anchors");
            Objects.requireNonNull(timeout, "timeout");
        }

        /**
         * Parses the arguments after {@code dane}. Options take their value as the next argument or after
         * {@code =}; {@code --resolver} may be repeated, the others not.
         *
         * @throws IllegalArgumentException with a message naming the bad argument
         */
        static Options parse(List<String> args) {
            Arguments arguments = Arguments.parse("dane", args, Set.of("--resolver", "--anchors", "--port",
                "--timeout"), Set.of("--connect"), "--resolver, --anchors, --connect, --port or --timeout");
            String domain = arguments.positional();
            List<ResolverAddress> resolvers = new ArrayList<>();
            Path anchors = null;
            boolean connect = false;
            Integer port = null;
            Duration timeout = null;
            for (Arguments.Option option : arguments.options()) {
                String name = option.name();
                String value = option.value();
                switch (name) {
                    case "--connect" -> {
                        if (value != null) {
                            throw new IllegalArgumentException("--connect takes no value");
                        }
                        if (connect) {
                            throw new IllegalArgumentException("--connect given twice");
                        }
                        connect = true;
                    }
                    case "--resolver" -> resolvers.add(resolver(required(name, value)));
                    case "--anchors" -> anchors = once(name, anchors, Path.of(required(name, value)));
                    case "--port" -> port = once(name, port, port(required(name, value)));
                    default -> timeout = once(name, timeout, OptionValues.timeout(required(name, value)));
                }
            }
            if (domain == null) {
                throw new IllegalArgumentException("dane needs a domain: " + USAGE);
            }
            return new Options(domainName(domain), resolvers, Optional.ofNullable(anchors), connect,
                port == null ? DaneLookup.SMTP_PORT : port, timeout == null ? DEFAULT_TIMEOUT : timeout);
        }


        private static Name domainName(String value) {
            try {
                Name name = Name.fromString(value, Name.root);
                if (name.equals(Name.root)) {
                    throw new IllegalArgumentException("bad domain '" + value + "': the root is no mail domain");
                }
                return name;
            } catch (org.xbill.DNS.TextParseException e) {
                throw new IllegalArgumentException("bad domain '" + value + "': " + e.getMessage(), e);
            }
        }

        private static int port(String value) {
            int port;
            try {
                port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad --port: '" + value + "' is not a number", e);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad --port: " + port + " is not in 1..65535");
            }
            return port;
        }

    }

    /** The verdict on one host, or on the destination: the weakest of its hosts'. */
    enum Verdict {
        VERIFIED(Tes.OK),
        INDETERMINATE(Tes.TEMPORARY_FAILURE),
        NOT_VERIFIED(Tes.FAILED);

        private final int exitStatus;

        Verdict(int exitStatus) {
            this.exitStatus = exitStatus;
        }

        /** The weaker of two verdicts: not verified before indeterminate before verified. */
        Verdict and(Verdict other) {
            return ordinal() >= other.ordinal() ? this : other;
        }

        int exitStatus() {
            return exitStatus;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    private final PrintStream out;

    DaneCommand(PrintStream out) {
        this.out = out;
    }

    /**
     * Looks up (and connects, with {@code --connect}) and prints.
     *
     * @param anchors the trust anchors read from {@link Options#anchors()} (or the builtin ones)
     * @return the exit status
     */
    int run(Options options, TrustAnchors anchors) {
        List<InetSocketAddress> servers = options.resolvers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : options.resolvers().stream().map(ResolverAddress::socketAddress).toList();
        int retries = TesSettings.defaults().dnsRetries();
        DaneLookup lookup = new DaneLookup(DnssecClients.validating(servers, options.timeout(), retries, anchors));

        out.println("DANE for " + options.domain() + " (resolvers " + servers.stream().map(DaneCommand::label)
            .collect(Collectors.joining(", ")) + ", anchors " + anchors.source() + ", timeout "
            + options.timeout().toMillis() + " ms per try)");
        Duration deadline = options.timeout().multipliedBy(LOOKUP_DEADLINE_FACTOR);
        Destination destination;
        try {
            destination = lookup.lookup(options.domain()).toCompletableFuture()
                .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            out.println("result: indeterminate (the DNS lookup did not finish within " + deadline.toSeconds()
                + " s)");
            return Tes.TEMPORARY_FAILURE;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the DANE lookup failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("result: indeterminate (interrupted)");
            return Tes.TEMPORARY_FAILURE;
        }
        return print(destination, options);
    }

    private int print(Destination destination, Options options) {
        out.println("MX: " + describe(destination.mx()) + ", " + status(destination.mxStatus()) + ", source "
            + source(destination.mxSource()));
        Verdict verdict;
        switch (destination.mxSource()) {
            case FAILED -> verdict = Verdict.INDETERMINATE;
            case NULL_MX, NO_SUCH_DOMAIN -> verdict = Verdict.NOT_VERIFIED;
            default -> verdict = Verdict.VERIFIED;
        }
        for (Host host : destination.hosts()) {
            verdict = verdict.and(printHost(host, options));
        }
        out.println("result: " + verdict.label() + resultDetail(destination, verdict));
        return verdict.exitStatus();
    }

    private static String resultDetail(Destination destination, Verdict verdict) {
        return switch (destination.mxSource()) {
            case FAILED -> " (MX lookup failed)";
            case NULL_MX -> " (null MX: the domain accepts no mail)";
            case NO_SUCH_DOMAIN -> " (no such domain)";
            default -> verdict == Verdict.VERIFIED ? " (every host has usable secure TLSA records)" : "";
        };
    }

    private Verdict printHost(Host host, Options options) {
        out.println("host " + host.name() + " (preference " + host.preference() + ")"
            + (host.expandedName().equals(host.name()) ? "" : " CNAME to " + host.expandedName()));
        out.println("  addresses: " + addressText(host) + ", " + status(host.addressStatus()));
        if (host.tlsaQueries().isEmpty()) {
            out.println("  TLSA: not looked up");
        }
        for (DaneLookup.TlsaQuery query : host.tlsaQueries()) {
            out.println("  TLSA " + query.name() + ": " + describe(query.result()) + ", " + status(query.status()));
        }
        host.selection().ifPresent(selection -> {
            for (TlsaSelection.Assessment assessment : selection.assessments()) {
                out.println("    " + assessment.record() + ": " + assessmentText(assessment));
            }
        });
        out.println("  outcome: " + outcome(host.outcome()) + " (" + host.reason() + ")");
        out.println("  reference identifiers: " + host.referenceIdentifiers().stream().map(Name::toString)
            .collect(Collectors.joining(", ")));
        Verdict verdict = switch (host.outcome()) {
            case SECURE_USABLE -> Verdict.VERIFIED;
            case INDETERMINATE -> Verdict.INDETERMINATE;
            case SECURE_UNUSABLE, INSECURE -> Verdict.NOT_VERIFIED;
        };
        if (options.connect() && host.outcome() != DaneHostOutcome.INDETERMINATE) {
            verdict = verdict.and(connect(host, options));
        }
        out.println("  host verdict: " + verdict.label());
        return verdict;
    }

    private static String assessmentText(TlsaSelection.Assessment assessment) {
        return switch (assessment.status()) {
            case USABLE -> "usable";
            case UNUSABLE -> "unusable (" + assessment.reason() + ")";
            case IGNORED_WEAKER_DIGEST -> "ignored (" + assessment.reason() + ")";
        };
    }

    // ---------------------------------------------------------------------------------------------
    // --connect
    // ---------------------------------------------------------------------------------------------

    private Verdict connect(Host host, Options options) {
        Optional<InetAddress> address = host.addresses().stream().map(DaneCommand::address).findFirst();
        if (address.isEmpty()) {
            out.println("  connect: no address, not connected");
            return Verdict.NOT_VERIFIED;
        }
        InetSocketAddress target = new InetSocketAddress(address.get(), options.port());
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis());
        boolean tlsRequired = host.outcome() == DaneHostOutcome.SECURE_USABLE
            || host.outcome() == DaneHostOutcome.SECURE_UNUSABLE;
        out.println("  connect " + endpoint(target) + ":");
        try (Socket plain = new Socket()) {
            plain.connect(target, timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
            SmtpLines smtp = new SmtpLines(plain);
            Reply greeting = smtp.read();
            out.println("    greeting: " + greeting.lastLine());
            if (greeting.code() / 100 != 2) {
                return indeterminate("the greeting is not 2xx");
            }
            Reply ehlo = smtp.command("EHLO " + ehloName(plain));
            if (ehlo.code() / 100 != 2) {
                return indeterminate("EHLO answered " + ehlo.lastLine());
            }
            if (!ehlo.offers("STARTTLS")) {
                out.println("    STARTTLS: not offered");
                smtp.quit();
                if (tlsRequired) {
                    out.println("    DANE: not verified (STARTTLS missing, required by the secure TLSA records)");
                    return Verdict.NOT_VERIFIED;
                }
                out.println("    DANE: not applicable (no DANE for this host; plaintext)");
                return Verdict.NOT_VERIFIED;
            }
            Reply startTls = smtp.command("STARTTLS");
            if (startTls.code() != 220) {
                return indeterminate("STARTTLS answered " + startTls.lastLine());
            }
            return handshake(host, plain, options.port());
        } catch (IOException e) {
            return indeterminate(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private Verdict handshake(Host host, Socket plain, int port) throws IOException {
        boolean dane = host.outcome() == DaneHostOutcome.SECURE_USABLE;
        String baseDomain = withoutDot(host.tlsaBaseDomain());
        DaneConnectionPolicy policy = dane
            ? DaneConnectionPolicy.dane(baseDomain, rrset(host), host.referenceIdentifiers().stream()
                .map(DaneCommand::withoutDot).collect(Collectors.toSet()), TlsVersion.TLS_V1_2)
            : DaneConnectionPolicy.unauthenticated(TlsVersion.TLS_V1_2);
        DaneTlsContext context = DaneTls.sslContext(policy);
        out.println("    STARTTLS: " + (dane ? "DANE-authenticated, SNI " + baseDomain : "unauthenticated")
            + ", minimum " + TlsVersion.TLS_V1_2.jsseName());
        SSLSocket tls;
        try {
            tls = context.startTls(plain, dane ? baseDomain : withoutDot(host.name()), port, false);
        } catch (DaneHandshakeException e) {
            out.println("    TLS: handshake failed: " + e.getMessage());
            out.println("    DANE: " + (e.daneResult().isPresent() ? "not verified (" + e.getMessage() + ")"
                : "not verified (no TLS session)"));
            return Verdict.NOT_VERIFIED;
        }
        try (tls) {
            SSLSession session = tls.getSession();
            out.println("    TLS: " + session.getProtocol() + " " + session.getCipherSuite());
            Optional<DaneResult> result = context.daneTrustManager().flatMap(DaneTrustManager::lastResult);
            new SmtpLines(tls).quit();
            if (!dane) {
                out.println("    DANE: not applicable (" + outcome(host.outcome()) + ": encryption only)");
                return Verdict.NOT_VERIFIED;
            }
            if (result.orElse(null) instanceof DaneResult.Verified verified) {
                out.println("    DANE: verified by " + verified.matchedRecord() + " at depth "
                    + verified.matchDepth());
                return Verdict.VERIFIED;
            }
            out.println("    DANE: not verified (" + result.map(Object::toString).orElse("no DANE result") + ")");
            return Verdict.NOT_VERIFIED;
        }
    }

    private Verdict indeterminate(String reason) {
        out.println("    connection failed: " + reason);
        return Verdict.INDETERMINATE;
    }

    private static List<TlsaRecord> rrset(Host host) {
        return host.selection().orElseThrow().assessments().stream().map(TlsaSelection.Assessment::record).toList();
    }

    private static String ehloName(Socket socket) {
        InetAddress local = socket.getLocalAddress();
        return local instanceof Inet6Address ? "[IPv6:" + local.getHostAddress() + "]"
            : "[" + local.getHostAddress() + "]";
    }

    /** One SMTP reply: its code and lines (text after the code and separator). */
    private record Reply(int code, List<String> lines) {
        String lastLine() {
            return code + " " + (lines.isEmpty() ? "" : lines.get(lines.size() - 1));
        }

        boolean offers(String keyword) {
            return lines.stream().skip(1).anyMatch(line -> line.strip().split(" ", 2)[0].equalsIgnoreCase(keyword));
        }
    }

    /** Minimal SMTP client lines over a socket, reads bounded by the socket's timeout. */
    private static final class SmtpLines {
        private static final int MAX_LINES = 100;
        private static final int MAX_LINE = 1000;

        private final InputStream in;
        private final OutputStream out;

        SmtpLines(Socket socket) throws IOException {
            // read byte by byte: nothing after the STARTTLS reply may be consumed from the plaintext stream
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return line.length() == 0 ? null : line.toString();
                }
                if (b == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                if (line.length() > MAX_LINE) {
                    throw new IOException("an SMTP reply line longer than " + MAX_LINE + " octets");
                }
                line.append((char) b);
            }
        }

        Reply command(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return read();
        }

        Reply read() throws IOException {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < MAX_LINES; i++) {
                String line = readLine();
                if (line == null) {
                    throw new IOException("connection closed by the server");
                }
                if (line.length() < 3 || line.length() > MAX_LINE || !line.substring(0, 3).chars()
                    .allMatch(Character::isDigit) || line.length() > 3 && " -".indexOf(line.charAt(3)) < 0) {
                    throw new IOException("not an SMTP reply line: " + line);
                }
                lines.add(line.length() > 4 ? line.substring(4) : "");
                if (line.length() == 3 || line.charAt(3) == ' ') {
                    return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
                }
            }
            throw new IOException("an SMTP reply of more than " + MAX_LINES + " lines");
        }

        /** Best effort: the verdict is known already. */
        void quit() {
            try {
                command("QUIT");
            } catch (IOException e) {
                // the server may close first; nothing depends on its answer
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // text
    // ---------------------------------------------------------------------------------------------

    private static InetAddress address(Record record) {
        if (record instanceof ARecord a) {
            return a.getAddress();
        }
        return ((AAAARecord) record).getAddress();
    }

    private static String addressText(Host host) {
        List<String> addresses = host.addresses().stream().map(record -> address(record).getHostAddress()).toList();
        if (!addresses.isEmpty()) {
            return String.join(", ", addresses);
        }
        return "none (A " + describe(host.a()) + ", AAAA " + describe(host.aaaa()) + ")";
    }

    private static String describe(DnsResult result) {
        if (result instanceof DnsResult.Answer answer) {
            return answer.records().size() + " record(s), ttl " + answer.ttl().toSeconds() + " s";
        }
        if (result instanceof DnsResult.NxDomain) {
            return "NXDOMAIN";
        }
        if (result instanceof DnsResult.NoData) {
            return "NODATA";
        }
        if (result instanceof DnsResult.Failure failure) {
            return "failure " + failure.kind() + ": " + failure.detail();
        }
        throw new IllegalStateException("unknown DNS outcome " + result);
    }

    private static String status(DnssecStatus status) {
        return switch (status) {
            case SECURE -> "secure";
            case INSECURE -> "insecure";
            case INDETERMINATE -> "indeterminate";
        };
    }

    private static String source(DaneLookup.MxSource source) {
        return switch (source) {
            case MX -> "MX";
            case IMPLICIT -> "implicit (no MX: the domain itself)";
            case NULL_MX -> "null MX";
            case NO_SUCH_DOMAIN -> "no such domain";
            case FAILED -> "failed";
        };
    }

    private static String outcome(DaneHostOutcome outcome) {
        return switch (outcome) {
            case SECURE_USABLE -> "secure-usable";
            case SECURE_UNUSABLE -> "secure-unusable";
            case INSECURE -> "insecure";
            case INDETERMINATE -> "indeterminate";
        };
    }

    private static String withoutDot(Name name) {
        return name.toString(true);
    }

    private static String endpoint(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static String label(InetSocketAddress server) {
        return Optional.ofNullable(server.getAddress())
            .map(address -> new ResolverAddress(address, server.getPort()).toString())
            .orElse(server.getHostString() + ":" + server.getPort());
    }
}
