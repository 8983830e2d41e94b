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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.tesjames.core.config.ResolverAddress;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dkim.DkimKeyRecord;
import org.tesjames.core.dkim.DkimKeyType;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyFile;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.membership.DomainNames;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

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
        Name name;
        try {
            name = Name.fromString(options.selector() + "._domainkey." + options.domain() + ".");
        } catch (TextParseException e) {
            err.println("tes: bad key record name: " + e.getMessage());
            return Tes.USAGE;
        }
        List<InetSocketAddress> servers = options.resolvers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : options.resolvers().stream().map(ResolverAddress::socketAddress).toList();
        DnsJavaClient dns = DnsJavaClient.create(servers, TIMEOUT, TesSettings.defaults().dnsRetries());
        out.println("key file " + file + ": " + key.type().keyTag() + ", " + key.bits() + " bits");
        out.println("expected: " + key.keyRecord().text());
        DnsResult result = dns.query(name, Type.TXT).toCompletableFuture().join();
        if (result instanceof DnsResult.Failure failure) {
            out.println("result: temporary failure: TXT " + name + ": " + failure.kind() + " " + failure.detail());
            return Tes.TEMPORARY_FAILURE;
        }
        if (result instanceof DnsResult.NxDomain || result instanceof DnsResult.NoData) {
            out.println("result: mismatch: no TXT record at " + name + " ("
                + (result instanceof DnsResult.NxDomain ? "NXDOMAIN" : "NODATA") + ")");
            return Tes.FAILED;
        }
        List<String> texts = new ArrayList<>();
        for (Record record : ((DnsResult.Answer) result).records()) {
            if (record instanceof TXTRecord txt) {
                texts.add(String.join("", txt.getStrings()));
            }
        }
        texts.forEach(text -> out.println("published: " + text));
        if (texts.size() != 1) {
            out.println("result: mismatch: " + texts.size() + " TXT records at " + name + " (expected exactly one:"
                + " verifiers may use any of them)");
            return Tes.FAILED;
        }
        return compare(key, texts.get(0));
    }

    private int compare(DkimKey key, String text) {
        DkimKeyRecord published;
        try {
            published = DkimKeyRecord.parse(text);
        } catch (IllegalArgumentException e) {
            out.println("result: mismatch: malformed key record: " + e.getMessage());
            return Tes.FAILED;
        }
        if (published.isRevoked()) {
            out.println("result: mismatch: the key is revoked (empty p=)");
            return Tes.FAILED;
        }
        if (!published.keyTag().equals(key.type().keyTag())) {
            out.println("result: mismatch: k=" + published.keyTag() + " published, the key file holds a "
                + key.type().keyTag() + " key (k=" + key.type().keyTag() + ")");
            return Tes.FAILED;
        }
        if (!published.hashAlgorithms().isEmpty() && !published.hashAlgorithms().contains("sha256")) {
            out.println("result: mismatch: h=" + String.join(":", published.hashAlgorithms())
                + " does not allow sha256");
            return Tes.FAILED;
        }
        if (!published.serviceTypes().contains("*") && !published.serviceTypes().contains("email")) {
            out.println("result: mismatch: s=" + String.join(":", published.serviceTypes())
                + " does not allow email");
            return Tes.FAILED;
        }
        if (!Arrays.equals(published.publicKey(), key.publicKey())) {
            out.println("result: mismatch: p= differs from the public key of the key file");
            return Tes.FAILED;
        }
        out.println("result: match" + (published.flags().contains("y") ? " (t=y: the domain is testing DKIM)" : ""));
        return Tes.OK;
    }
}
