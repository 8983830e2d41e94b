package org.tesjames.core.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every block of OpenSSL's DANE vectors ({@code src/test/resources/dane/danetest.in}, from openssl/openssl
 * {@code test/danetest.in}) through {@link DaneVerifier}.
 *
 * <p>Block header: {@code <TLSA-count> <cert-count> <nonamechecks> <expected-result> <match-depth>}. OpenSSL's
 * {@code danetest} enables DANE with base domain {@code example.com}; nonamechecks=1 sets
 * {@code DANE_FLAG_NO_DANE_EE_NAMECHECKS} (no name check for DANE-EE matches); its trust store holds the
 * "Root CA" certificate, used only by the PKIX usages. Here the reference identifier is {@code example.com},
 * or none when nonamechecks=1. Result mapping: 0 = {@link DaneResult.Verified} at the given depth,
 * 65 (X509_V_ERR_DANE_NO_MATCH) = {@link DaneResult.NoMatch}, 62 (X509_V_ERR_HOSTNAME_MISMATCH) =
 * {@link DaneResult.NameMismatch}, 20 (unable to get local issuer) = {@link DaneResult.ChainInvalid}.
 *
 * <p>No block is skipped. The blocks in {@link #SMTP_DEVIATIONS} expect a different result than OpenSSL's,
 * for the reason given per block; for the PKIX-only blocks the records are additionally re-run with PKIX-TA(0)
 * read as DANE-TA(2) and PKIX-EE(1) as DANE-EE(3), which must then give OpenSSL's result (those chains are
 * complete up to OpenSSL's trusted root, so PKIX validation adds nothing DANE-TA does not check), except block
 * 34 (see {@link #PROMOTED_DEVIATIONS}).
 *
 * <p>The certificates are valid from 2015/2016 until 3015/2116, except the DANE-EE leaves of blocks 1-8 which
 * are "never valid" (notAfter before notBefore) on purpose; the verifier runs at a fixed 2024 instant.
 */
class OpenSslDaneVectorsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-06-01T00:00:00Z"), ZoneOffset.UTC);
    private static final DaneVerifier VERIFIER = new DaneVerifier(CLOCK);

    private static final String PKIX_ONLY = "only PKIX-TA(0)/PKIX-EE(1) records, unusable for SMTP "
        + "(RFC 7672 section 3.1.3); OpenSSL validates them against its CAfile";

    /** Blocks whose expected outcome differs from OpenSSL's, with the reason. */
    static final Map<Integer, Deviation> SMTP_DEVIATIONS = Map.ofEntries(
        Map.entry(21, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(22, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(23, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(24, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(25, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(26, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(27, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(28, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(29, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(30, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(31, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(32, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(33, Deviation.noUsableRecords(PKIX_ONLY)),
        Map.entry(34, Deviation.noUsableRecords(PKIX_ONLY + " (OpenSSL: 20, PKIX chain incomplete)")),
        Map.entry(35, Deviation.noUsableRecords(PKIX_ONLY + " (OpenSSL: 0, PKIX-EE match)")),
        Map.entry(36, Deviation.noUsableRecords(PKIX_ONLY + " (OpenSSL: 65, wrong digest)")),
        Map.entry(37, Deviation.noUsableRecords(PKIX_ONLY + " (OpenSSL: 65, wrong digest)")),
        Map.entry(38, Deviation.noUsableRecords(PKIX_ONLY + " (OpenSSL: 65, wrong digest)")),
        Map.entry(50, Deviation.verified(0, "RFC 7672 section 3.2.1: an SMTP client does no name checks with "
            + "DANE-EE(3); OpenSSL checks names for DANE-EE unless DANE_FLAG_NO_DANE_EE_NAMECHECKS is set "
            + "(this block has nonamechecks=0 and expects 62)")));

    private static final String ROOT_FROM_STORE = "the record is a digest of the root, which is not in the "
        + "presented chain: OpenSSL finds it in its CAfile (depth 2); a DANE-TA(2) digest must match a presented "
        + "certificate (RFC 7671 section 5.2.2), only Full(0) anchors may be absent";

    /** Blocks whose PKIX usages, read as DANE usages, expect a different outcome than OpenSSL's. */
    static final Map<Integer, Deviation> PROMOTED_DEVIATIONS = Map.of(
        30, Deviation.noMatch(ROOT_FROM_STORE),
        31, Deviation.noMatch(ROOT_FROM_STORE),
        34, Deviation.verified(0, "OpenSSL's 20 is a PKIX failure (the intermediate is missing below its trusted "
            + "root); as DANE-EE(3) the leaf digest matches and the chain is irrelevant"));

    record Deviation(Class<? extends DaneResult> type, int depth, String reason) {
        static Deviation noUsableRecords(String reason) {
            return new Deviation(DaneResult.NoUsableRecords.class, -1, reason);
        }

        static Deviation noMatch(String reason) {
            return new Deviation(DaneResult.NoMatch.class, -1, reason);
        }

        static Deviation verified(int depth, String reason) {
            return new Deviation(DaneResult.Verified.class, depth, reason);
        }
    }

    record Block(int number, List<TlsaRecord> tlsa, List<X509Certificate> chain, boolean noNameChecks,
                 int expectedResult, int expectedDepth) {
        Set<String> referenceIdentifiers() {
            return noNameChecks ? Set.of() : Set.of("example.com");
        }

        boolean pkixOnly() {
            return tlsa.stream().allMatch(r -> r.usage() == TlsaRecord.PKIX_TA || r.usage() == TlsaRecord.PKIX_EE);
        }

        List<TlsaRecord> promoted() {
            return tlsa.stream().map(r -> new TlsaRecord(r.usage() + 2, r.selector(), r.matchingType(), r.data()))
                .toList();
        }

        @Override
        public String toString() {
            return "block " + number + ": " + tlsa.size() + " TLSA, " + chain.size() + " certs, nonamechecks "
                + (noNameChecks ? 1 : 0) + ", expect " + expectedResult + " depth " + expectedDepth;
        }
    }

    static List<Block> blocks() throws IOException, CertificateException {
        List<String> lines;
        try (InputStream in = OpenSslDaneVectorsTest.class.getResourceAsStream("/dane/danetest.in")) {
            lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
        }
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<Block> blocks = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] header = line.split("\\s+");
            assertThat(header).as("block header at line %d", i).hasSize(5);
            int tlsaCount = Integer.parseInt(header[0]);
            int certCount = Integer.parseInt(header[1]);
            List<TlsaRecord> tlsa = new ArrayList<>();
            while (tlsa.size() < tlsaCount) {
                String record = lines.get(i++).strip();
                if (!record.isEmpty() && !record.startsWith("#")) {
                    tlsa.add(TlsaRecord.parse(record));
                }
            }
            List<X509Certificate> chain = new ArrayList<>();
            while (chain.size() < certCount) {
                if (!lines.get(i++).strip().equals("-----BEGIN CERTIFICATE-----")) {
                    continue;
                }
                StringBuilder pem = new StringBuilder("-----BEGIN CERTIFICATE-----\n");
                String pemLine;
                do {
                    pemLine = lines.get(i++).strip();
                    pem.append(pemLine).append('\n');
                } while (!pemLine.equals("-----END CERTIFICATE-----"));
                chain.add(certificate(factory, pem.toString().getBytes(StandardCharsets.US_ASCII)));
            }
            blocks.add(new Block(blocks.size() + 1, tlsa, chain, Integer.parseInt(header[2]) == 1,
                Integer.parseInt(header[3]), Integer.parseInt(header[4])));
        }
        return blocks;
    }

    /**
     * The JDK's parser, or BouncyCastle's for the "anonymous" leaves of blocks 1-8 (empty issuer and subject DN),
     * which the JDK refuses ("Empty issuer DN not allowed"). JSSE parses peer certificates with the JDK, so a
     * server presenting such a certificate fails the TLS handshake before DANE is consulted.
     */
    private static X509Certificate certificate(CertificateFactory jdk, byte[] pem) throws CertificateException {
        try {
            return (X509Certificate) jdk.generateCertificate(new ByteArrayInputStream(pem));
        } catch (CertificateParsingException e) {
            return (X509Certificate) CertificateFactory.getInstance("X.509", new BouncyCastleProvider())
                .generateCertificate(new ByteArrayInputStream(pem));
        }
    }

    static Stream<Block> allBlocks() throws Exception {
        return blocks().stream();
    }

    static Stream<Block> pkixOnlyBlocks() throws Exception {
        return blocks().stream().filter(Block::pkixOnly);
    }

    @Test
    void readsAllFiftyBlocksAndEveryDeviationNamesAnExistingBlock() throws Exception {
        List<Block> blocks = blocks();

        assertThat(blocks).hasSize(50);
        assertThat(SMTP_DEVIATIONS.keySet()).allMatch(n -> n >= 1 && n <= blocks.size());
        assertThat(blocks.stream().filter(Block::pkixOnly).map(Block::number))
            .containsExactlyElementsOf(IntStream.rangeClosed(21, 38).boxed().toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allBlocks")
    void verifierAgreesWithOpenSslOrWithTheDocumentedSmtpDeviation(Block block) {
        DaneResult result = VERIFIER.verify(block.chain(), block.tlsa(), block.referenceIdentifiers());

        Deviation deviation = SMTP_DEVIATIONS.get(block.number());
        if (deviation != null) {
            assertExpected(result, deviation.type(), deviation.depth(), deviation.reason());
        } else {
            assertOpenSslOutcome(block, result);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pkixOnlyBlocks")
    void pkixOnlyBlocksReadWithDaneUsagesGiveOpenSslsOutcome(Block block) {
        DaneResult result = VERIFIER.verify(block.chain(), block.promoted(), block.referenceIdentifiers());

        Deviation deviation = PROMOTED_DEVIATIONS.get(block.number());
        if (deviation != null) {
            assertExpected(result, deviation.type(), deviation.depth(), deviation.reason());
        } else {
            assertOpenSslOutcome(block, result);
        }
    }

    private static void assertOpenSslOutcome(Block block, DaneResult result) {
        Class<? extends DaneResult> expected = switch (block.expectedResult()) {
            case 0 -> DaneResult.Verified.class;
            case 65 -> DaneResult.NoMatch.class;
            case 62 -> DaneResult.NameMismatch.class;
            case 20 -> DaneResult.ChainInvalid.class;
            default -> throw new AssertionError("unmapped OpenSSL result " + block.expectedResult());
        };
        assertExpected(result, expected, block.expectedDepth(), "OpenSSL result " + block.expectedResult());
    }

    private static void assertExpected(DaneResult result, Class<? extends DaneResult> type, int depth,
                                       String because) {
        assertThat(result).as(because).isInstanceOf(type);
        if (result instanceof DaneResult.Verified verified) {
            assertThat(verified.matchDepth()).as("match depth; " + because).isEqualTo(depth);
        }
    }
}
