package org.tesjames.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dkim.sign.DkimRecordCheck;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.membership.DomainNames;
import org.xbill.DNS.ResolverConfig;

/**
 * {@code tes dkim keygen|check}: DKIM signing keys in the key store layout {@code <keys>/<domain>/<selector>.pem}.
 *
 * <ul>
 *   <li>{@code keygen --domain D --selector S [--type rsa|ed25519] [--bits N] --keys DIR} writes a new key
 *       (RSA {@value DkimKeyFile#DEFAULT_RSA_BITS} bits by default, {@value DkimKeyFile#MIN_RSA_BITS} to
 *       {@value DkimKeyFile#MAX_RSA_BITS}) and prints the TXT record to publish; an existing file is never
 *       overwritten (exit 1).</li>
 *   <li>{@code check --domain D --selector S --keys DIR [--resolver host:port]...} compares the published key
 *       record with the key file: exit 0 match, 1 mismatch (no record, several records, malformed record,
 *       revoked key, wrong {@code k=}, different {@code p=}, {@code h=} without sha256, {@code s=} without
 *       email), 2 the DNS could not answer, 64 usage error or unusable key file, 66 no key file.</li>
 * </ul>
 */
final class DkimCommand {
    static final String USAGE = """
        tes dkim keygen --domain D --selector S [--type rsa|ed25519] [--bits N] --keys DIR
        tes dkim check --domain D --selector S --keys DIR [--resolver host:port]...""";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Set<String> KEYGEN_OPTIONS = Set.of("--domain", "--selector", "--type", "--bits", "--keys");
    private static final Set<String> CHECK_OPTIONS = Set.of("--domain", "--selector", "--keys", "--resolver");

    private final PrintStream out;
    private final PrintStream err;

    DkimCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Parsed options: each single-valued option once, {@code --resolver} repeatable. */
    record Options(String subcommand, String domain, String selector, Path keys, DkimKeyType type, int bits,
                   List<ResolverAddress> resolvers) {
        static Options parse(List<String> args) {
            if (args.isEmpty() || !(args.get(0).equals("keygen") || args.get(0).equals("check"))) {
                throw new IllegalArgumentException("dkim needs a subcommand, keygen or check:\n" + USAGE);
            }
            String subcommand = args.get(0);
            Set<String> allowed = subcommand.equals("keygen") ? KEYGEN_OPTIONS : CHECK_OPTIONS;
            Map<String, String> values = new HashMap<>();
            List<ResolverAddress> resolvers = new ArrayList<>();
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                int equals = arg.indexOf('=');
                String option = equals < 0 ? arg : arg.substring(0, equals);
                if (!allowed.contains(option)) {
                    throw new IllegalArgumentException("unknown argument '" + arg + "' for dkim " + subcommand);
                }
                String value = equals >= 0 ? arg.substring(equals + 1) : (i + 1 < args.size() ? args.get(++i) : "");
                if (value.isEmpty()) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                if (option.equals("--resolver")) {
                    try {
                        resolvers.add(ResolverAddress.parse(value));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("bad --resolver: " + e.getMessage(), e);
                    }
                } else if (values.put(option, value) != null) {
                    throw new IllegalArgumentException(option + " given twice");
                }
            }
            String domainArg = required(values, "--domain");
            DomainNames.Normalised normalised = DomainNames.normalise(domainArg);
            String domain = normalised.domain()
                .orElseThrow(() -> new IllegalArgumentException("bad --domain: " + normalised.problem()));
            String selector = required(values, "--selector");
            if (!selector.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                + "[A-Za-z0-9])?)*")) {
                throw new IllegalArgumentException("bad --selector '" + selector + "': letters, digits and hyphens, "
                    + "dot-separated labels");
            }
            Path keys = Path.of(required(values, "--keys"));
            DkimKeyType type = Optional.ofNullable(values.get("--type")).map(text -> DkimKeyType.ofKeyTag(text)
                .orElseThrow(() -> new IllegalArgumentException("bad --type '" + text + "': rsa or ed25519")))
                .orElse(DkimKeyType.RSA);
            int bits = DkimKeyFile.DEFAULT_RSA_BITS;
            if (values.containsKey("--bits")) {
                if (type != DkimKeyType.RSA) {
                    throw new IllegalArgumentException("--bits applies to --type rsa only");
                }
                try {
                    bits = Integer.parseInt(values.get("--bits"));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad --bits '" + values.get("--bits") + "'", e);
                }
                if (bits < DkimKeyFile.MIN_RSA_BITS || bits > DkimKeyFile.MAX_RSA_BITS) {
                    throw new IllegalArgumentException("bad --bits " + bits + ": RSA keys must have "
                        + DkimKeyFile.MIN_RSA_BITS + " to " + DkimKeyFile.MAX_RSA_BITS + " bits (RFC 8301)");
                }
            }
            return new Options(subcommand, domain, selector, keys, type, bits, resolvers);
        }

        private static String required(Map<String, String> values, String option) {
            String value = values.get(option);
            if (value == null) {
                throw new IllegalArgumentException("missing " + option + ":\n" + USAGE);
            }
            return value;
        }

        Path file() {
            return keys.resolve(domain).resolve(selector + ".pem");
        }
    }

    int run(Options options) {
        return options.subcommand().equals("keygen") ? keygen(options) : check(options);
    }

    private int keygen(Options options) {
        Path file = options.file();
        if (Files.exists(file)) {
            err.println("tes: " + file + " exists; a key is never overwritten (choose another selector)");
            return Tes.FAILED;
        }
        KeyPair pair = DkimKeyFile.generate(options.type(), options.bits());
        try {
            DkimKeyFile.write(file, pair.getPrivate());
        } catch (FileAlreadyExistsException e) {
            err.println("tes: " + file + " exists; a key is never overwritten (choose another selector)");
            return Tes.FAILED;
        } catch (IOException e) {
            err.println("tes: cannot write " + file + ": " + e);
            return Tes.FAILED;
        }
        DkimKey key;
        try {
            key = DkimKeyFile.read(file, options.domain(), options.selector());
        } catch (IOException | DkimKeyFile.BadKeyException e) {
            throw new IllegalStateException("cannot read back the key just written to " + file, e);
        }
        out.println("wrote " + file + " (" + key.type().keyTag() + ", " + key.bits() + " bits)");
        out.println("publish this TXT record:");
        out.println(key.keyRecord().zoneLine(options.domain(), options.selector()));
        return Tes.OK;
    }

    private int check(Options options) {
        Path file = options.file();
        DkimKey key;
        try {
            key = DkimKeyFile.read(file, options.domain(), options.selector());
        } catch (NoSuchFileException e) {
            err.println("tes: no such key file: " + file);
            return Tes.NO_INPUT;
        } catch (IOException e) {
            err.println("tes: cannot read " + file + ": " + e);
            return Tes.USAGE;
        } catch (DkimKeyFile.BadKeyException e) {
            err.println("tes: unusable key file " + file + ": " + e.getMessage());
            return Tes.USAGE;
        }
        List<InetSocketAddress> servers = options.resolvers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : options.resolvers().stream().map(ResolverAddress::socketAddress).toList();
        DnsJavaClient dns = DnsJavaClient.create(servers, TIMEOUT, TesSettings.defaults().dnsRetries());
        out.println("key file " + file + ": " + key.type().keyTag() + ", " + key.bits() + " bits");
        out.println("expected: " + key.keyRecord().text());
        DkimRecordCheck check = DkimRecordCheck.check(dns, key).toCompletableFuture().join();
        check.published().forEach(text -> out.println("published: " + text));
        out.println("result: " + check.describe());
        return switch (check.status()) {
            case MATCH -> Tes.OK;
            case MISMATCH -> Tes.FAILED;
            case TEMPORARY_FAILURE -> Tes.TEMPORARY_FAILURE;
        };
    }
}
