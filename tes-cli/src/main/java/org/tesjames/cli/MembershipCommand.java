package org.tesjames.cli;

import static org.tesjames.cli.OptionValues.once;
import static org.tesjames.cli.OptionValues.required;
import static org.tesjames.cli.OptionValues.resolver;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.stream.Collectors;

import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dns.RecordingDnsClient;
import org.tesjames.core.membership.DomainNames;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.membership.MembershipVerdict;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Type;

/**
 * {@code tes membership <domain> [--resolver host:port]... [--registry-root R] [--timeout 5s]}: resolves the
 * TES membership chain of a domain with {@link MembershipResolver}, prints every query with its outcome, in
 * the order the queries were sent, then the verdict.
 *
 * <p>Exit status: {@link Tes#OK} member, {@link Tes#FAILED} not a member (an invalid domain included, which
 * makes no query), {@link Tes#TEMPORARY_FAILURE} the DNS could not answer. Usage errors are found by
 * {@link Options#parse(List)} before anything is sent.
 */
final class MembershipCommand {
    static final String USAGE =
        "tes membership <domain> [--resolver host:port]... [--registry-root R] [--timeout 5s]";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The parsed arguments.
     *
     * @param domain the domain as given (its syntax is checked by the resolver, as a "not a member" verdict)
     * @param resolvers explicit resolvers, tried in order; empty for the system resolvers
     * @param registryRoot the registry root R, normalised
     * @param timeout time to wait for one answer from one resolver, positive
     */
    record Options(String domain, List<ResolverAddress> resolvers, String registryRoot, Duration timeout) {
        Options {
            Objects.requireNonNull(domain, "domain");
            resolvers = List.copyOf(resolvers);
            Objects.requireNonNull(registryRoot, "registryRoot");
            Objects.requireNonNull(timeout, "timeout");
        }

        /**
         * Parses the arguments after {@code membership}. Options take their value as the next argument or
         * after {@code =} ({@code --timeout=2s}); {@code --resolver} may be repeated, the others not.
         *
         * @throws IllegalArgumentException with a message naming the bad argument
         */
        static Options parse(List<String> args) {
            Arguments arguments = Arguments.parse("membership", args, Set.of("--resolver", "--registry-root",
                "--timeout"), Set.of(), "--resolver, --registry-root or --timeout");
            String domain = arguments.positional();
            List<ResolverAddress> resolvers = new ArrayList<>();
            String registryRoot = null;
            Duration timeout = null;
            for (Arguments.Option option : arguments.options()) {
                String name = option.name();
                String value = option.value();
                switch (name) {
                    case "--resolver" -> resolvers.add(resolver(required(name, value)));
                    case "--registry-root" -> registryRoot = once(name, registryRoot, registryRoot(required(name, value)));
                    default -> timeout = once(name, timeout, OptionValues.timeout(required(name, value)));
                }
            }
            if (domain == null) {
                throw new IllegalArgumentException("membership needs a domain: " + USAGE);
            }
            return new Options(domain, resolvers,
                registryRoot == null ? MembershipResolver.DEFAULT_REGISTRY_ROOT : registryRoot,
                timeout == null ? DEFAULT_TIMEOUT : timeout);
        }


        private static String registryRoot(String value) {
            DomainNames.Normalised normalised = DomainNames.normalise(value);
            return normalised.domain().orElseThrow(() ->
                new IllegalArgumentException("bad --registry-root: " + normalised.problem()));
        }

    }

    private final PrintStream out;

    MembershipCommand(PrintStream out) {
        this.out = out;
    }

    /**
     * Resolves and prints. Each query is tried on every resolver in turn, the whole list once more after
     * they all failed ({@code dns.retries} default), as the mail server does.
     *
     * @return the exit status
     */
    int run(Options options) {
        List<InetSocketAddress> servers = options.resolvers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : options.resolvers().stream().map(ResolverAddress::socketAddress).toList();
        int retries = TesSettings.defaults().dnsRetries();
        RecordingDnsClient dns = new RecordingDnsClient(DnsJavaClient.create(servers, options.timeout(), retries));
        MembershipResolver resolver = new MembershipResolver(dns, options.registryRoot());

        out.println("membership of " + options.domain() + " under " + options.registryRoot()
            + " (resolvers " + servers.stream().map(MembershipCommand::label).collect(Collectors.joining(", "))
            + ", timeout " + options.timeout().toMillis() + " ms per try)");
        MembershipVerdict verdict = resolver.resolve(options.domain()).toCompletableFuture().join();
        for (RecordingDnsClient.Exchange exchange : dns.exchanges()) {
            printExchange(exchange);
        }
        return printVerdict(verdict);
    }

    private void printExchange(RecordingDnsClient.Exchange exchange) {
        out.println("query " + exchange.sequence() + ": " + exchange.name() + " " + Type.string(exchange.type()));
        DnsResult result = exchange.result();
        if (result instanceof DnsResult.Answer answer) {
            out.println("  answer, ttl " + answer.ttl().toSeconds() + " s" + authenticated(answer.authenticated())
                + ":");
            for (Record record : answer.records()) {
                out.println("    " + record);
            }
        } else if (result instanceof DnsResult.NxDomain nxDomain) {
            out.println("  NXDOMAIN, negative ttl " + nxDomain.ttl().toSeconds() + " s"
                + authenticated(nxDomain.authenticated()));
        } else if (result instanceof DnsResult.NoData noData) {
            out.println("  NODATA, negative ttl " + noData.ttl().toSeconds() + " s"
                + authenticated(noData.authenticated()));
        } else if (result instanceof DnsResult.Failure failure) {
            out.println("  failure " + failure.kind() + ": " + failure.detail());
        } else {
            throw new IllegalStateException("unknown DNS outcome " + result);
        }
    }

    private int printVerdict(MembershipVerdict verdict) {
        if (verdict instanceof MembershipVerdict.Member member) {
            out.println("verdict: member (master " + member.master() + ", ttl " + member.ttl().toSeconds() + " s)");
            return Tes.OK;
        }
        if (verdict instanceof MembershipVerdict.NotMember notMember) {
            out.println("verdict: not a member (step " + notMember.step().description() + ", reason "
                + notMember.reason() + ")");
            return Tes.FAILED;
        }
        if (verdict instanceof MembershipVerdict.TemporaryFailure failure) {
            out.println("verdict: temporary failure (step " + failure.step().description() + ", reason "
                + failure.reason() + ")");
            return Tes.TEMPORARY_FAILURE;
        }
        throw new IllegalStateException("unknown verdict " + verdict);
    }

    private static String authenticated(boolean authenticated) {
        return authenticated ? ", authenticated (AD)" : "";
    }

    private static String label(InetSocketAddress server) {
        return Optional.ofNullable(server.getAddress())
            .map(address -> new ResolverAddress(address, server.getPort()).toString())
            .orElse(server.getHostString() + ":" + server.getPort());
    }
}
