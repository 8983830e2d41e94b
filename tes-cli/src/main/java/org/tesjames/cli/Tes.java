package org.tesjames.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Properties;

import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dnssec.TrustAnchors;

/**
 * The {@code tes} operator command. Exit status: 0 success, 1 the checked thing is wrong, 2 a temporary failure
 * (the DNS could not answer), 64 usage error (sysexits EX_USAGE), 66 a named input file does not exist
 * (EX_NOINPUT), 70 internal error (EX_SOFTWARE).
 */
public final class Tes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int TEMPORARY_FAILURE = 2;
    public static final int USAGE = 64;
    public static final int NO_INPUT = 66;
    public static final int SOFTWARE = 70;

    private static final String HELP = """
        usage: tes <command> [arguments]

        commands:
          config check <tes.properties>   validate a TES settings file; prints the effective settings
          membership <domain> [--resolver host:port]... [--registry-root R] [--timeout 5s]
                                          resolve the TES membership chain of a domain, printing every
                                          query and its outcome, then the verdict; exit 0 member,
                                          1 not a member, 2 temporary failure. Defaults: the system
                                          resolvers, registry root trusted-email-services.com, 5s per try
          tlsa-match --tlsa "3 1 1 <hex>" [--tlsa ...] --chain <chain.pem> [--name <host>]
                                          match a PEM chain (leaf first) against TLSA records offline
                                          (DANE for SMTP, RFC 7672); prints each record as usable or not
                                          and why, then the result; --name checks the leaf's names for
                                          DANE-TA(2) matches (none without it); exit 0 verified,
                                          1 not verified
          dane <domain> [--resolver host:port]... [--anchors FILE] [--connect] [--port 25] [--timeout 5s]
                                          DNSSEC-validated DANE facts of a destination: MX hosts,
                                          addresses, TLSA records (usable, unusable or ignored, and
                                          why), per-host outcome; --connect also does STARTTLS with
                                          each host and reports protocol, cipher and the DANE match.
                                          Anchors: --anchors (DS/DNSKEY master file) or the builtin
                                          IANA root anchors; exit 0 every host secure-usable (and
                                          verified with --connect), 1 not verified, 2 indeterminate
          dkim keygen --domain D --selector S [--type rsa|ed25519] [--bits N] --keys DIR
                                          write a new DKIM key DIR/D/S.pem (RSA 2048 bits by default,
                                          1024 to 4096; never overwrites) and print its DNS TXT record
          dkim check --domain D --selector S --keys DIR [--resolver host:port]...
                                          compare the published S._domainkey.D TXT record with the key
                                          file; exit 0 match, 1 mismatch, 2 temporary DNS failure
          verify <message.eml> --client-ip IP --helo NAME --mail-from ADDR [--resolver host:port]...
                 [--timeout 5s] [--authserv-id ID]
                                          authenticate a stored message as if it arrived from that
                                          SMTP client: each DKIM signature (d=, s=, a=, result, reason,
                                          l=), SPF (result, identity, reason), DMARC (record and where
                                          it was found, alignment, result, disposition, pct sampling)
                                          and the Authentication-Results field the server would add;
                                          --mail-from '<>' is the null sender; exit 0 DMARC pass,
                                          1 DMARC fail, none or permerror, 2 temporary DNS failure,
                                          66 message file missing or unreadable
          sts <domain> [--resolver host:port]... [--trust-store ca.pem] [--port 443] [--timeout 5s]
                                          MTA-STS (RFC 8461) of a destination: the _mta-sts TXT record,
                                          the policy fetched over HTTPS (or why there is none), how long
                                          the server would cache it, which MX hosts it admits; trusted
                                          CAs: the JDK's or --trust-store (PEM); exit 0 a policy,
                                          1 no policy, 2 temporary failure (DNS, fetch)
          help                            this text
        """;

    private final PrintStream out;
    private final PrintStream err;

    public Tes(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Tes(System.out, System.err).run(List.of(args)));
    }

    public int run(List<String> args) {
        if (args.isEmpty()) {
            err.print(HELP);
            return USAGE;
        }
        return switch (args.get(0)) {
            case "help", "--help", "-h" -> {
                out.print(HELP);
                yield OK;
            }
            case "config" -> config(args.subList(1, args.size()));
            case "membership" -> membership(args.subList(1, args.size()));
            case "tlsa-match" -> tlsaMatch(args.subList(1, args.size()));
            case "dane" -> dane(args.subList(1, args.size()));
            case "dkim" -> dkim(args.subList(1, args.size()));
            case "verify" -> verify(args.subList(1, args.size()));
            case "sts" -> sts(args.subList(1, args.size()));
            default -> usage("unknown command '" + args.get(0) + "'");
        };
    }

    private int config(List<String> args) {
        if (args.size() != 2 || !args.get(0).equals("check")) {
            return usage("expected: tes config check <tes.properties>, got: tes config " + String.join(" ", args));
        }
        Path file = Path.of(args.get(1));
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            err.println("tes: no such file: " + file);
            return NO_INPUT;
        } catch (IOException | IllegalArgumentException e) {
            err.println("tes: cannot read " + file + ": " + e.getMessage());
            return FAILED;
        }
        try {
            TesSettings settings = TesSettings.parse(properties);
            out.println(file + ": valid");
            settings.effectiveValues().forEach((key, value) -> out.println(key + "=" + value));
            return OK;
        } catch (IllegalArgumentException e) {
            err.println("tes: " + file + ": " + e.getMessage());
            return FAILED;
        }
    }

    private int membership(List<String> args) {
        MembershipCommand.Options options;
        try {
            options = MembershipCommand.Options.parse(args);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        return new MembershipCommand(out).run(options);
    }

    private int tlsaMatch(List<String> args) {
        TlsaMatchCommand.Options options;
        try {
            options = TlsaMatchCommand.Options.parse(args);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        return new TlsaMatchCommand(out, err, Clock.systemUTC()).run(options);
    }

    private int dane(List<String> args) {
        DaneCommand.Options options;
        try {
            options = DaneCommand.Options.parse(args);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        TrustAnchors anchors;
        try {
            anchors = options.anchors().map(TrustAnchors::read).orElseGet(TrustAnchors::builtin);
        } catch (IllegalArgumentException e) {
            return usage("bad --anchors: " + e.getMessage());
        }
        return new DaneCommand(out).run(options, anchors);
    }

    private int dkim(List<String> args) {
        DkimCommand.Options options;
        try {
            options = DkimCommand.Options.parse(args);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        return new DkimCommand(out, err).run(options);
    }

    private int verify(List<String> args) {
        VerifyCommand.Options options;
        try {
            options = VerifyCommand.Options.parse(args);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        return new VerifyCommand(out, err, Clock.systemUTC()).run(options);
    }

    private int sts(List<String> args) {
        StsCommand.Options options;
        try {
            options = StsCommand.Options.parse(args);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        return new StsCommand(out, err).run(options);
    }

    private int usage(String problem) {
        err.println("tes: " + problem);
        err.print(HELP);
        return USAGE;
    }
}
