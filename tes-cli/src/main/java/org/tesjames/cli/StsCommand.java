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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.membership.DomainNames;
import org.tesjames.core.sts.HttpsPolicyFetcher;
import org.tesjames.core.sts.StsInspection;
import org.tesjames.core.sts.StsLookup;
import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.sts.WebPkiTrust;
import org.xbill.DNS.ResolverConfig;

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
        StsPolicies policies = new StsPolicies(dns, new HttpsPolicyFetcher(dns, trust, options.port(), fetchTimeout,
            TesSettings.defaults().sts().fetchMaxBytes(), Clock.systemUTC()), Clock.systemUTC(), lookupDeadline, 1);
        StsInspection inspection = StsInspection.inspect(dns, policies, domain, lookupDeadline);
        String prefix = "TXT _mta-sts." + domain + ": ";
        if (inspection.txt() instanceof DnsResult.Answer answer) {
            inspection.txtRecords().forEach(text -> out.println(prefix + "\"" + text + "\" (ttl "
                + answer.ttl().toSeconds() + " s)"));
        } else {
            out.println(prefix + describe(inspection.txt()));
        }
        if (inspection.lookup() instanceof StsLookup.None none) {
            out.println("policy: none (" + none.reason() + ")");
            out.println("cache: nothing would be cached");
            boolean temporary = inspection.temporaryFailure();
            out.println("result: no policy" + (temporary ? " (temporary failure)" : ""));
            return temporary ? Tes.TEMPORARY_FAILURE : Tes.FAILED;
        }
        StsLookup.Found found = (StsLookup.Found) inspection.lookup();
        out.println("policy: fetched from https://mta-sts." + domain + "/.well-known/mta-sts.txt");
        found.policy().text().lines().forEach(line -> out.println("  " + line));
        out.println("cache: id " + found.id() + ", fetched " + found.fetchedAt() + ", kept until "
            + found.expiresAt() + " (max_age " + found.policy().maxAge().toSeconds() + " s) unless the TXT id changes");
        DnsResult mx = inspection.mx().orElseThrow();
        if (!(mx instanceof DnsResult.Answer)) {
            out.println("MX " + domain + ": " + describe(mx));
        }
        for (StsInspection.MxHost host : inspection.hosts()) {
            out.println("MX " + host.preference() + " " + host.host() + ": " + (host.admitted() ? "admitted"
                : "not admitted (not listed)"));
        }
        out.println("result: " + found.policy().mode().label() + " policy"
            + (mx.isTemporaryFailure() ? "" : ", " + inspection.admitted() + " MX host(s) admitted"));
        return Tes.OK;
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
