package org.tesjames.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.tesjames.core.dane.CertificateNames;
import org.tesjames.core.dane.DaneResult;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.dane.TlsaSelection;

/**
 * {@code tes tlsa-match --tlsa "3 1 1 <hex>" [--tlsa ...] --chain chain.pem [--name host]}: matches a PEM
 * certificate chain (leaf first) against TLSA records offline, with {@link DaneVerifier} (no DNS, no TLS).
 * Prints each record with whether it is used and why not, the chain, then the result.
 *
 * <p>Exit status: {@link Tes#OK} verified, {@link Tes#FAILED} not verified (no usable record included),
 * {@link Tes#USAGE} bad arguments, a bad record, an unreadable chain file or one without certificates.
 * Without {@code --name} there is no name check; with it, DANE-TA(2) matches need a leaf name matching it
 * (DANE-EE(3) never checks names, RFC 7672 section 3.2.1).
 */
final class TlsaMatchCommand {
    static final String USAGE = "tes tlsa-match --tlsa \"<usage> <selector> <mtype> <hex>\" [--tlsa ...]"
        + " --chain <chain.pem> [--name <host>]";

    /**
     * The parsed arguments.
     *
     * @param records the TLSA records, at least one
     * @param chainFile the PEM file, leaf first
     * @param name the reference identifier, if any
     */
    record Options(List<TlsaRecord> records, Path chainFile, Optional<String> name) {
        Options {
            records = List.copyOf(records);
            Objects.requireNonNull(chainFile, "chainFile");
            Objects.requireNonNull(name, "name");
        }

        /**
         * Parses the arguments after {@code tlsa-match}; options take their value as the next argument or after
         * {@code =}.
         *
         * @throws IllegalArgumentException naming the bad argument
         */
        static Options parse(List<String> args) {
            List<TlsaRecord> records = new ArrayList<>();
            Path chain = null;
            String name = null;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                int equals = arg.indexOf('=');
                String option = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
                String value;
                if (!option.equals("--tlsa") && !option.equals("--chain") && !option.equals("--name")) {
                    throw new IllegalArgumentException("unknown argument '" + arg + "' for tlsa-match (expected "
                        + "--tlsa, --chain or --name)");
                }
                if (equals > 0 && arg.startsWith("--")) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    value = "";
                }
                if (value.isBlank()) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                switch (option) {
                    case "--tlsa" -> records.add(record(value));
                    case "--chain" -> {
                        if (chain != null) {
                            throw new IllegalArgumentException("--chain given twice");
                        }
                        chain = Path.of(value);
                    }
                    default -> {
                        if (name != null) {
                            throw new IllegalArgumentException("--name given twice");
                        }
                        name = value;
                    }
                }
            }
            if (records.isEmpty()) {
                throw new IllegalArgumentException("tlsa-match needs at least one --tlsa record: " + USAGE);
            }
            if (chain == null) {
                throw new IllegalArgumentException("tlsa-match needs --chain: " + USAGE);
            }
            return new Options(records, chain, Optional.ofNullable(name));
        }

        private static TlsaRecord record(String value) {
            try {
                return TlsaRecord.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad --tlsa '" + value + "': " + e.getMessage(), e);
            }
        }
    }

    private final PrintStream out;
    private final PrintStream err;
    private final DaneVerifier verifier;

    TlsaMatchCommand(PrintStream out, PrintStream err, Clock clock) {
        this.out = out;
        this.err = err;
        this.verifier = new DaneVerifier(clock);
    }

    int run(Options options) {
        List<X509Certificate> chain;
        try {
            chain = readChain(options.chainFile());
        } catch (IllegalArgumentException e) {
            err.println("tes: tlsa-match: " + e.getMessage());
            return Tes.USAGE;
        }
        int number = 1;
        for (TlsaSelection.Assessment assessment : TlsaSelection.of(options.records()).assessments()) {
            out.println("record " + number++ + ": " + assessment.record() + " ("
                + assessment.record().usageName() + " " + assessment.record().selectorName() + " "
                + assessment.record().matchingTypeName() + "): " + switch (assessment.status()) {
                    case USABLE -> "usable";
                    case UNUSABLE -> "unusable: " + assessment.reason();
                    case IGNORED_WEAKER_DIGEST -> "ignored: " + assessment.reason();
                });
        }
        for (int depth = 0; depth < chain.size(); depth++) {
            X509Certificate certificate = chain.get(depth);
            out.println("certificate " + depth + ": " + certificate.getSubjectX500Principal().getName()
                + (depth == 0 ? ", names " + CertificateNames.dnsNames(certificate) : "")
                + ", issuer " + certificate.getIssuerX500Principal().getName());
        }
        out.println("name check: " + options.name().map(n -> "reference identifier " + n)
            .orElse("none (no --name)"));
        DaneResult result = verifier.verify(chain, options.records(),
            options.name().map(Set::of).orElse(Set.of()));
        out.println("result: " + describe(result));
        return result.verified() ? Tes.OK : Tes.FAILED;
    }

    private static String describe(DaneResult result) {
        if (result instanceof DaneResult.Verified verified) {
            return "verified by " + verified.matchedRecord() + " at depth " + verified.matchDepth();
        } else if (result instanceof DaneResult.NoUsableRecords) {
            return "not verified: no usable TLSA record (RFC 7672 section 3.1.3)";
        } else if (result instanceof DaneResult.NoMatch noMatch) {
            return "not verified: no match: " + noMatch.reason();
        } else if (result instanceof DaneResult.NameMismatch mismatch) {
            return "not verified: name mismatch: certificate names " + mismatch.certificateNames()
                + ", reference identifiers " + mismatch.referenceIdentifiers();
        } else if (result instanceof DaneResult.ChainInvalid invalid) {
            return "not verified: invalid chain: " + invalid.reason();
        }
        throw new IllegalStateException("unknown DANE result " + result);
    }

    private static List<X509Certificate> readChain(Path file) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such chain file: " + file, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read chain file " + file + ": " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("chain file " + file + " is not PEM certificates: "
                + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("chain file " + file + " contains no certificate");
        }
        return certificates.stream().map(X509Certificate.class::cast).toList();
    }
}
