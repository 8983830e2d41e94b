package org.tesjames.cli;

import static org.tesjames.cli.OptionValues.once;
import static org.tesjames.cli.OptionValues.required;
import static org.tesjames.cli.OptionValues.resolver;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.membership.DomainNames;
import org.tesjames.core.sts.HttpsPolicyFetcher;
import org.tesjames.core.sts.StsLookup;
import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.core.tlsrpt.ResultType;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * {@code tes sts <domain> [--resolver host:port]... [--trust-store ca.pem] [--port 443] [--timeout 5s]}: the
 * MTA-STS facts of a destination with the server's own code ({@link StsPolicies}, {@link HttpsPolicyFetcher}):
 * the {@code _mta-sts} TXT record, the fetched policy or why there is none, what the server's cache would hold,
 * and which MX hosts of the domain the policy admits.
 *
 * <p>Exit status: {@link Tes#OK} a valid policy (any mode); {@link Tes#FAILED} no policy (no or an invalid TXT
 * record, an invalid policy, a policy host whose certificate fails the check); {@link Tes#TEMPORARY_FAILURE} a
 * DNS failure or a fetch that failed otherwise (connection, HTTP status, time).
 */
final class StsCommand {
    static final String USAGE = "tes sts <domain> [--resolver host:port]... [--trust-store ca.pem] [--port 443]"
        + " [--timeout 5s]";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * @param domain the domain, normalised
     * @param resolvers explicit resolvers; empty for the system's
     * @param trustStore a PEM file of trusted CAs; empty for the JDK's trust store
     * @param port the HTTPS port of the policy host
     * @param timeout per DNS try; the fetch gets twelve times as long (60 s by default, as the server)
     */
    record Options(String domain, List<ResolverAddress> resolvers, Optional<Path> trustStore, int port,
                   Duration timeout) {
        Options {
            Objects.requireNonNull(domain, "domain");
            resolvers = List.copyOf(resolvers);
            Objects.requireNonNull(trustStore, "trustStore");
            Objects.requireNonNull(timeout, "timeout");
        }

        static Options parse(List<String> args) {
            Arguments arguments = Arguments.parse("sts", args, Set.of("--resolver", "--trust-store", "--port",
                "--timeout"), Set.of(), "--resolver, --trust-store, --port or --timeout");
            String domain = arguments.positional();
            List<ResolverAddress> resolvers = new ArrayList<>();
            Path trustStore = null;
            Integer port = null;
            Duration timeout = null;
            for (Arguments.Option option : arguments.options()) {
                String name = option.name();
                String value = option.value();
                switch (name) {
                    case "--resolver" -> resolvers.add(resolver(required(name, value)));
                    case "--trust-store" -> trustStore = once(name, trustStore, Path.of(required(name, value)));
                    case "--port" -> port = once(name, port, port(required(name, value)));
                    default -> timeout = once(name, timeout, OptionValues.timeout(required(name, value)));
                }
            }
            if (domain == null) {
                throw new IllegalArgumentException("sts needs a domain: " + USAGE);
            }
            String given = domain;
            DomainNames.Normalised normalised = DomainNames.normalise(given);
            String name = normalised.domain().orElseThrow(() -> new IllegalArgumentException("bad domain '"
                + given + "': " + normalised.problem()));
            return new Options(name, resolvers, Optional.ofNullable(trustStore), port == null ? 443 : port,
                timeout == null ? DEFAULT_TIMEOUT : timeout);
        }

        private static int port(String value) {
            if (!value.matches("\\d{1,5}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 65535) {
                throw new IllegalArgumentException("bad --port: '" + value + "' is not in 1..65535");
            }
            return Integer.parseInt(value);
        }
    }

    private final PrintStream out;
    private final PrintStream err;

    StsCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(Options options) {
        WebPkiTrust trust;
        try {
            trust = options.trustStore().isPresent() ? WebPkiTrust.pemFile(options.trustStore().get())
                : WebPkiTrust.jdk();
        } catch (IOException | IllegalArgumentException e) {
            err.println("tes: bad --trust-store: " + e.getMessage());
            return Tes.USAGE;
        }
        List<InetSocketAddress> servers = options.resolvers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : options.resolvers().stream().map(ResolverAddress::socketAddress).toList();
        DnsClient dns = DnsJavaClient.create(servers, options.timeout(), TesSettings.defaults().dnsRetries());
        Duration lookupDeadline = options.timeout().multipliedBy(4);
        Duration fetchTimeout = options.timeout().multipliedBy(12);
        String domain = options.domain();
        out.println("MTA-STS for " + domain + " (trusted CAs " + trust + ", fetch limit " + fetchTimeout.toSeconds()
            + " s, policy port " + options.port() + ")");
        DnsResult txt = printTxt(dns, domain, lookupDeadline);

        StsPolicies policies = new StsPolicies(dns, new HttpsPolicyFetcher(dns, trust, options.port(), fetchTimeout,
            TesSettings.defaults().sts().fetchMaxBytes(), Clock.systemUTC()), Clock.systemUTC(), lookupDeadline, 1);
        StsLookup lookup = policies.lookup(domain);
        if (lookup instanceof StsLookup.None none) {
            out.println("policy: none (" + none.reason() + ")");
            out.println("cache: nothing would be cached");
            boolean temporary = txt.isTemporaryFailure()
                || none.problem().map(p -> p.type() == ResultType.STS_POLICY_FETCH_ERROR).orElse(false);
            out.println("result: no policy" + (temporary ? " (temporary failure)" : ""));
            return temporary ? Tes.TEMPORARY_FAILURE : Tes.FAILED;
        }
        StsLookup.Found found = (StsLookup.Found) lookup;
        out.println("policy: fetched from https://mta-sts." + domain + "/.well-known/mta-sts.txt");
        found.policy().text().lines().forEach(line -> out.println("  " + line));
        out.println("cache: id " + found.id() + ", fetched " + found.fetchedAt() + ", kept until "
            + found.expiresAt() + " (max_age " + found.policy().maxAge().toSeconds() + " s) unless the TXT id changes");
        int admitted = printMx(dns, domain, lookupDeadline, found);
        out.println("result: " + found.policy().mode().label() + " policy"
            + (admitted < 0 ? "" : ", " + admitted + " MX host(s) admitted"));
        return Tes.OK;
    }

    private DnsResult printTxt(DnsClient dns, String domain, Duration deadline) {
        DnsResult result = query(dns, "_mta-sts." + domain, Type.TXT, deadline);
        String prefix = "TXT _mta-sts." + domain + ": ";
        if (result instanceof DnsResult.Answer answer) {
            answer.records().stream().filter(TXTRecord.class::isInstance)
                .map(r -> String.join("", ((TXTRecord) r).getStrings()))
                .forEach(text -> out.println(prefix + "\"" + text + "\" (ttl " + answer.ttl().toSeconds() + " s)"));
        } else {
            out.println(prefix + describe(result));
        }
        return result;
    }

    /** @return how many MX hosts the policy admits, or -1 when the MX lookup failed */
    private int printMx(DnsClient dns, String domain, Duration deadline, StsLookup.Found found) {
        DnsResult result = query(dns, domain, Type.MX, deadline);
        if (!(result instanceof DnsResult.Answer answer)) {
            out.println("MX " + domain + ": " + describe(result));
            return result.isTemporaryFailure() ? -1 : 0;
        }
        int admitted = 0;
        List<MXRecord> hosts = answer.records().stream().filter(MXRecord.class::isInstance).map(MXRecord.class::cast)
            .sorted(Comparator.comparingInt(MXRecord::getPriority)).toList();
        for (MXRecord mx : hosts) {
            String host = mx.getTarget().toString(true).toLowerCase(Locale.ROOT);
            boolean listed = found.policy().admits(host);
            admitted += listed ? 1 : 0;
            out.println("MX " + mx.getPriority() + " " + host + ": " + (listed ? "admitted" : "not admitted (not "
                + "listed)"));
        }
        return admitted;
    }

    private static DnsResult query(DnsClient dns, String name, int type, Duration deadline) {
        try {
            Name query = Name.fromString(name + ".");
            return dns.query(query, type).toCompletableFuture().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | IOException e) {
            return new DnsResult.Failure(Name.root, type, DnsResult.Failure.Kind.TIMEOUT, String.valueOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DnsResult.Failure(Name.root, type, DnsResult.Failure.Kind.TIMEOUT, "interrupted");
        }
    }

    private static String describe(DnsResult result) {
        if (result instanceof DnsResult.NxDomain) {
            return "NXDOMAIN";
        }
        if (result instanceof DnsResult.NoData) {
            return "NODATA";
        }
        if (result instanceof DnsResult.Failure failure) {
            return failure.kind() + " (" + failure.detail() + ")";
        }
        return result.toString();
    }
}
