package org.tesjames.cli;

import static org.tesjames.cli.OptionValues.once;
import static org.tesjames.cli.OptionValues.required;
import static org.tesjames.cli.OptionValues.resolver;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

import org.tesjames.core.auth.AuthenticationReport;
import org.tesjames.core.auth.AuthenticationResultsHeader;
import org.tesjames.core.auth.MessageAuthenticator;
import org.tesjames.core.auth.SmtpIdentity;
import org.tesjames.core.auth.SpfCheck;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dkim.verify.DkimFailureReason;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dmarc.DmarcEvaluator;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.DmarcRecord;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.SpfResult;
import org.tesjames.core.dns.DnsJavaClient;
import org.xbill.DNS.ResolverConfig;

/**
 * {@code tes verify <message.eml> --client-ip IP --helo NAME --mail-from ADDR [--resolver host:port]...
 * [--timeout 5s] [--authserv-id ID]}: authenticates a stored message as the server would have when it arrived
 * from that SMTP client ({@link MessageAuthenticator}: DKIM, SPF, DMARC), prints each result with its reason and
 * the {@code Authentication-Results} field the server would add.
 *
 * <p>{@code --mail-from} takes the address with or without angle brackets; {@code <>} is the null sender (SPF
 * then checks the HELO identity).
 *
 * <p>Exit status: {@link Tes#OK} DMARC {@code pass}; {@link Tes#FAILED} DMARC {@code fail}, {@code none} or
 * {@code permerror} (the message is not authenticated for its author domain); {@link Tes#TEMPORARY_FAILURE}
 * DMARC {@code temperror}, or a DMARC {@code fail} while a DKIM or SPF result is {@code temperror} (trying again
 * may give another answer); {@link Tes#USAGE} bad arguments; {@link Tes#NO_INPUT} the message file does not
 * exist or cannot be read; {@link Tes#SOFTWARE} an internal error (a bug or a missing library).
 */
final class VerifyCommand {
    static final String USAGE = "tes verify <message.eml> --client-ip IP --helo NAME --mail-from ADDR"
        + " [--resolver host:port]... [--timeout 5s] [--authserv-id ID]";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern IPV4 = Pattern.compile(
        "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern AUTHSERV_ID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final List<String> OPTIONS = List.of("--client-ip", "--helo", "--mail-from", "--resolver",
        "--timeout", "--authserv-id");

    /**
     * The parsed arguments.
     *
     * @param message the message file
     * @param identity client address, HELO, MAIL FROM ({@code ""} for the null sender)
     * @param resolvers explicit resolvers, tried in order; empty for the system resolvers
     * @param timeout time to wait for one answer from one resolver
     * @param authservId the authserv-id of the Authentication-Results field
     */
    record Options(Path message, SmtpIdentity identity, List<ResolverAddress> resolvers, Duration timeout,
                   String authservId) {
        Options {
            Objects.requireNonNull(message);
            Objects.requireNonNull(identity);
            resolvers = List.copyOf(resolvers);
            Objects.requireNonNull(timeout);
            Objects.requireNonNull(authservId);
        }

        /**
         * Parses the arguments after {@code verify}. Options take their value as the next argument or after
         * {@code =}; {@code --resolver} may be repeated, the others not.
         *
         * @throws IllegalArgumentException with a message naming the bad argument
         */
        static Options parse(List<String> args) {
            String message = null;
            InetAddress clientIp = null;
            String helo = null;
            String mailFrom = null;
            List<ResolverAddress> resolvers = new ArrayList<>();
            Duration timeout = null;
            String authservId = null;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--")) {
                    if (message != null) {
                        throw new IllegalArgumentException("verify takes one message file, got '" + message
                            + "' and '" + arg + "'");
                    }
                    message = arg;
                    continue;
                }
                int equals = arg.indexOf('=');
                String option = equals < 0 ? arg : arg.substring(0, equals);
                if (!OPTIONS.contains(option)) {
                    throw new IllegalArgumentException("unknown option '" + option + "' for verify (expected "
                        + String.join(", ", OPTIONS) + ")");
                }
                String value;
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    value = null;
                }
                switch (option) {
                    case "--client-ip" -> clientIp = once(option, clientIp, clientIp(required(option, value)));
                    case "--helo" -> helo = once(option, helo, helo(required(option, value)));
                    case "--mail-from" -> mailFrom = once(option, mailFrom, mailFrom(required(option, value)));
                    case "--resolver" -> resolvers.add(resolver(required(option, value)));
                    case "--timeout" -> timeout = once(option, timeout, OptionValues.timeout(required(option, value)));
                    case "--authserv-id" -> authservId = once(option, authservId,
                        authservId(required(option, value)));
                    default -> throw new IllegalStateException(option);
                }
            }
            if (message == null) {
                throw new IllegalArgumentException("verify needs a message file: " + USAGE);
            }
            if (clientIp == null) {
                throw new IllegalArgumentException("verify needs --client-ip: " + USAGE);
            }
            if (helo == null) {
                throw new IllegalArgumentException("verify needs --helo: " + USAGE);
            }
            if (mailFrom == null) {
                throw new IllegalArgumentException("verify needs --mail-from (<> for the null sender): " + USAGE);
            }
            return new Options(Path.of(message), new SmtpIdentity(clientIp, helo, mailFrom), resolvers,
                timeout == null ? DEFAULT_TIMEOUT : timeout, authservId == null ? localName() : authservId);
        }

        private static InetAddress clientIp(String value) {
            String literal = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1)
                : value;
            if (!IPV4.matcher(literal).matches() && !IPV6.matcher(literal).matches()) {
                throw new IllegalArgumentException("bad --client-ip '" + value + "': an IPv4 or IPv6 address");
            }
            try {
                return InetAddress.getByName(literal);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bad --client-ip '" + value + "': " + e.getMessage(), e);
            }
        }

        /**
         * The HELO/EHLO argument as an SMTP server could have received it: any text without control characters
         * (SPF checks it as it is: a name that is not a domain gives {@code none} for the HELO identity, and the
         * {@code %{h}} macro expands to it).
         */
        private static String helo(String value) {
            if (value.isBlank() || value.chars().anyMatch(c -> c < ' ' || c == 0x7f)) {
                throw new IllegalArgumentException("bad --helo '" + value + "': text without control characters");
            }
            return value;
        }

        /**
         * The MAIL FROM address as an SMTP server could have received it (RFC 5321 section 4.1.2): {@code <>}, or
         * a local part (a dot-string, a quoted string such as {@code "Macro Error"}, or empty: RFC 7208 section 4.3
         * reads it as {@code postmaster}) then {@code @} and a domain or address literal; angle brackets optional.
         */
        private static String mailFrom(String value) {
            String address = value.strip();
            if (address.startsWith("<") && address.endsWith(">")) {
                address = address.substring(1, address.length() - 1).strip();
            }
            if (address.isEmpty()) {
                return "";
            }
            int at = localPartEnd(address);
            String domain = at < 0 ? "" : address.substring(at + 1);
            if (at < 0 || domain.isEmpty() || domain.chars().anyMatch(c -> c <= ' ' || c == 0x7f || c == '@')
                || address.chars().anyMatch(c -> c < ' ' || c == 0x7f)) {
                throw new IllegalArgumentException("bad --mail-from '" + value + "': local@domain, or <> for the"
                    + " null sender (quote a local part with spaces: '\"a b\"@example.com')");
            }
            return address;
        }

        /** The index of the {@code @} after the local part, or -1 when the local part is not one SMTP allows. */
        private static int localPartEnd(String address) {
            if (!address.startsWith("\"")) {
                int at = address.indexOf('@');
                return at < 0 || address.substring(0, at).indexOf(' ') >= 0 ? -1 : at;
            }
            for (int i = 1; i < address.length(); i++) {
                char c = address.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    return i + 1 < address.length() && address.charAt(i + 1) == '@' ? i + 1 : -1;
                }
            }
            return -1;
        }

        private static String authservId(String value) {
            if (!AUTHSERV_ID.matcher(value).matches()) {
                throw new IllegalArgumentException("bad --authserv-id '" + value + "': a host name");
            }
            return value;
        }

        private static String localName() {
            try {
                String name = InetAddress.getLocalHost().getHostName();
                return AUTHSERV_ID.matcher(name).matches() ? name : "localhost";
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
    }

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    VerifyCommand(PrintStream out, PrintStream err, Clock clock) {
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    /** Reads, authenticates and prints; returns the exit status. */
    int run(Options options) {
        byte[] message;
        try {
            message = Files.readAllBytes(options.message());
        } catch (NoSuchFileException e) {
            err.println("tes: no such file: " + options.message());
            return Tes.NO_INPUT;
        } catch (AccessDeniedException e) {
            err.println("tes: cannot read " + options.message() + ": permission denied");
            return Tes.NO_INPUT;
        } catch (IOException e) {
            err.println("tes: cannot read " + options.message() + ": " + e.getMessage());
            return Tes.NO_INPUT;
        }
        List<InetSocketAddress> servers = options.resolvers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : options.resolvers().stream().map(ResolverAddress::socketAddress).toList();
        DnsJavaClient dns = DnsJavaClient.create(servers, options.timeout(), TesSettings.defaults().dnsRetries());
        MessageAuthenticator authenticator = new MessageAuthenticator(new DkimVerifier(dns, clock),
            new SpfVerifier(dns), new DmarcPolicyDiscovery(dns), DmarcEvaluator.withRandom(new SecureRandom()));
        SmtpIdentity identity = options.identity();
        out.println("message " + options.message() + " (" + message.length + " octets), client "
            + identity.clientIp().getHostAddress() + ", HELO " + identity.helo() + ", MAIL FROM <"
            + identity.mailFrom() + ">");
        AuthenticationReport report;
        try {
            report = authenticator.authenticate(message, identity).toCompletableFuture().join();
        } catch (CompletionException e) {
            err.println("tes: verification failed: " + e.getCause());
            return Tes.SOFTWARE;
        }
        report.messageId().ifPresent(id -> out.println("Message-ID: " + id));
        printDkim(report);
        printSpf(report.spf());
        printDmarc(report);
        out.println(AuthenticationResultsHeader.NAME + ": "
            + AuthenticationResultsHeader.fold(AuthenticationResultsHeader.render(options.authservId(), report)));
        return status(report);
    }

    private void printDkim(AuthenticationReport report) {
        List<DkimSignatureResult> signatures = report.dkim().signatures();
        out.println("dkim: " + (signatures.isEmpty() ? "none (no DKIM-Signature)" : signatures.size()
            + " signature(s)") + (report.dkim().notEvaluated() > 0
            ? ", " + report.dkim().notEvaluated() + " more not evaluated (limit)" : ""));
        for (int i = 0; i < signatures.size(); i++) {
            DkimSignatureResult signature = signatures.get(i);
            StringBuilder line = new StringBuilder("  signature ").append(i + 1).append(": d=")
                .append(orDash(signature.domain())).append(" s=").append(orDash(signature.selector()))
                .append(" a=").append(orDash(signature.algorithm())).append(": ")
                .append(signature.result().keyword());
            if (signature.reason() != DkimFailureReason.NONE) {
                line.append(" (").append(signature.reason().name().toLowerCase(java.util.Locale.ROOT))
                    .append(": ").append(signature.detail()).append(')');
            }
            if (signature.bodyLength().isPresent()) {
                line.append(" l=").append(signature.bodyLength().getAsLong()).append(" (")
                    .append(signature.unsignedBodyOctets()).append(" body octets not signed)");
            }
            out.println(line);
        }
    }

    private void printSpf(SpfCheck spf) {
        out.println("spf: " + spf.result().keyword() + " (identity " + spf.identity() + ", domain "
            + orDash(spf.domain()) + "): " + spf.reason());
        spf.explanation().ifPresent(explanation -> out.println("  explanation: " + explanation));
    }

    private void printDmarc(AuthenticationReport report) {
        DmarcResult dmarc = report.dmarc();
        out.println("dmarc: " + dmarc.result().token() + ", disposition " + dmarc.disposition().token()
            + (dmarc.sampledOut() ? " (sampled out by pct)" : "") + "; author domain " + dmarc.authorDomain());
        report.policy().ifPresent(outcome -> {
            if (outcome instanceof DmarcPolicyDiscovery.Found found) {
                DmarcRecord record = found.record();
                out.println("  record at _dmarc." + found.domainQueried()
                    + (found.organisationalFallback() ? " (organizational domain fallback)" : "") + ": p="
                    + record.policy().token() + record.subdomainPolicy().map(p -> " sp=" + p.token()).orElse("")
                    + " adkim=" + record.dkimAlignment().name().toLowerCase(java.util.Locale.ROOT).charAt(0)
                    + " aspf=" + record.spfAlignment().name().toLowerCase(java.util.Locale.ROOT).charAt(0)
                    + " pct=" + record.percent() + "; applied policy " + found.appliedPolicy().token());
            } else if (outcome instanceof DmarcPolicyDiscovery.None none) {
                out.println("  no record: " + none.reason());
            } else if (outcome instanceof DmarcPolicyDiscovery.TempError error) {
                out.println("  record lookup failed: " + error.reason());
            } else if (outcome instanceof DmarcPolicyDiscovery.PermError error) {
                out.println("  unusable record: " + error.reason());
            }
        });
        out.println("  alignment: dkim " + (dmarc.dkimAligned() ? "aligned" : "not aligned") + ", spf "
            + (dmarc.spfAligned() ? "aligned" : "not aligned"));
        out.println("  reason: " + dmarc.reason());
    }

    private static int status(AuthenticationReport report) {
        DmarcResult.Result result = report.dmarc().result();
        if (result == DmarcResult.Result.PASS) {
            return Tes.OK;
        }
        if (result == DmarcResult.Result.TEMPERROR) {
            return Tes.TEMPORARY_FAILURE;
        }
        boolean temporary = report.spf().result() == SpfResult.TEMPERROR
            || report.dkim().signatures().stream().anyMatch(s -> s.result() == DkimResult.TEMPERROR);
        return result == DmarcResult.Result.FAIL && temporary ? Tes.TEMPORARY_FAILURE : Tes.FAILED;
    }

    private static String orDash(String value) {
        return value.isEmpty() ? "-" : value;
    }
}
