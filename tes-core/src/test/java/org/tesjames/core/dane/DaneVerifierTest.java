package org.tesjames.core.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;
import org.tesjames.testing.tls.TestPki;

class DaneVerifierTest {
    private static final TestPki PKI = TestPki.create("Test Root", "Test Intermediate", KeyType.EC_P256);
    private static final TestPki OTHER_PKI = TestPki.create("Test Root", "Test Intermediate", KeyType.EC_P256);
    private static final TestCertificate MX = PKI.leaf("mx.example.com").keyType(KeyType.EC_P256).build();
    private static final TestCertificate STRANGER = TestCertificates.selfSigned(KeyType.EC_P256, "mx.example.com");
    private static final Set<String> MX_NAME = Set.of("mx.example.com");

    private final DaneVerifier verifier = new DaneVerifier(Clock.systemUTC());

    private static TlsaRecord tlsa(int usage, int selector, int matchingType, TestCertificate certificate) {
        return new TlsaRecord(usage, selector, matchingType, certificate.tlsaAssociationData(selector, matchingType));
    }

    private DaneResult verify(List<X509Certificate> chain, Set<String> names, TlsaRecord... records) {
        return verifier.verify(chain, List.of(records), names);
    }

    @Nested
    class DaneEe {
        @Test
        void spkiSha256MatchesTheLeaf() {
            TlsaRecord record = tlsa(3, 1, 1, MX);

            assertThat(verify(MX.chain(), MX_NAME, record)).isEqualTo(new DaneResult.Verified(record, 0));
        }

        @Test
        void certSha256MatchesTheLeaf() {
            TlsaRecord record = tlsa(3, 0, 1, MX);

            assertThat(verify(MX.chain(), MX_NAME, record)).isEqualTo(new DaneResult.Verified(record, 0));
        }

        @Test
        void aDigestOfAnotherKeyDoesNotMatch() {
            assertThat(verify(MX.chain(), MX_NAME, tlsa(3, 1, 1, STRANGER)))
                .isInstanceOf(DaneResult.NoMatch.class);
        }

        @Test
        void anExpiredLeafStillVerifies() {
            TestCertificate expired = PKI.leaf("mx.example.com").keyType(KeyType.EC_P256).expired().build();
            TlsaRecord record = tlsa(3, 1, 1, expired);

            assertThat(verify(expired.chain(), MX_NAME, record)).isEqualTo(new DaneResult.Verified(record, 0));
        }

        @Test
        void namesAreIgnored() {
            TlsaRecord record = tlsa(3, 1, 2, MX);

            assertThat(verify(MX.chain(), Set.of("other.example.net"), record))
                .isEqualTo(new DaneResult.Verified(record, 0));
        }

        @Test
        void daneEeDoesNotMatchAnIssuer() {
            assertThat(verify(MX.chain(), MX_NAME, tlsa(3, 1, 1, PKI.intermediate().orElseThrow())))
                .isInstanceOf(DaneResult.NoMatch.class);
        }
    }

    @Nested
    class DaneTa {
        @Test
        void spkiSha256OfTheIntermediateVerifiesAtDepthOne() {
            TlsaRecord record = tlsa(2, 1, 1, PKI.intermediate().orElseThrow());

            assertThat(verify(MX.chain(), MX_NAME, record)).isEqualTo(new DaneResult.Verified(record, 1));
        }

        @Test
        void theRootInTheChainVerifiesAtDepthTwo() {
            TlsaRecord record = tlsa(2, 0, 2, PKI.root());

            assertThat(verify(MX.withRootInChain().chain(), MX_NAME, record))
                .isEqualTo(new DaneResult.Verified(record, 2));
        }

        @Test
        void aFullRootAbsentFromTheChainIsATrustAnchorAboveTheTop() {
            TlsaRecord cert = tlsa(2, 0, 0, PKI.root());
            TlsaRecord key = tlsa(2, 1, 0, PKI.root());

            assertThat(verify(MX.chain(), MX_NAME, cert)).isEqualTo(new DaneResult.Verified(cert, 2));
            assertThat(verify(MX.chain(), MX_NAME, key)).isEqualTo(new DaneResult.Verified(key, 1));
        }

        @Test
        void aDigestOfARootAbsentFromTheChainDoesNotMatch() {
            assertThat(verify(MX.chain(), MX_NAME, tlsa(2, 1, 1, PKI.root()))).isInstanceOf(DaneResult.NoMatch.class);
        }

        @Test
        void theLeafIsNeverItsOwnTrustAnchor() {
            assertThat(verify(STRANGER.chain(), MX_NAME, tlsa(2, 1, 1, STRANGER)))
                .isInstanceOf(DaneResult.NoMatch.class);
        }

        @Test
        void aWrongNameIsANameMismatch() {
            DaneResult result = verify(MX.chain(), Set.of("mx.example.net"), tlsa(2, 1, 1, PKI.intermediate().orElseThrow()));

            assertThat(result).isEqualTo(new DaneResult.NameMismatch(Set.of("mx.example.com"), Set.of("mx.example.net")));
        }

        @Test
        void anEmptyReferenceSetMeansNoNameCheck() {
            TlsaRecord record = tlsa(2, 1, 1, PKI.intermediate().orElseThrow());

            assertThat(verify(MX.chain(), Set.of(), record)).isEqualTo(new DaneResult.Verified(record, 1));
        }

        @Test
        void aWildcardLeafMatchesOneLabel() {
            TestCertificate wildcard = PKI.leaf("*.example.com").keyType(KeyType.EC_P256).build();
            TlsaRecord record = tlsa(2, 1, 1, PKI.intermediate().orElseThrow());

            assertThat(verify(wildcard.chain(), MX_NAME, record)).isEqualTo(new DaneResult.Verified(record, 1));
        }

        @Test
        void aBrokenSignatureChainIsChainInvalid() {
            TestCertificate foreignIntermediate = OTHER_PKI.intermediate().orElseThrow();
            List<X509Certificate> spliced = List.of(MX.certificate(), foreignIntermediate.certificate());

            DaneResult result = verify(spliced, MX_NAME, tlsa(2, 1, 1, foreignIntermediate));

            assertThat(result).isInstanceOf(DaneResult.ChainInvalid.class);
            assertThat(((DaneResult.ChainInvalid) result).reason()).contains("signature that does not verify");
        }

        @Test
        void anExpiredLeafBelowATrustAnchorIsChainInvalid() {
            TestCertificate expired = PKI.leaf("mx.example.com").keyType(KeyType.EC_P256).expired().build();

            DaneResult result = verify(expired.chain(), MX_NAME, tlsa(2, 1, 1, PKI.intermediate().orElseThrow()));

            assertThat(result).isInstanceOf(DaneResult.ChainInvalid.class);
            assertThat(((DaneResult.ChainInvalid) result).reason()).contains("depth 0").contains("expired");
        }

        @Test
        void daneEeWinsOverDaneTa() {
            TlsaRecord ee = tlsa(3, 1, 1, MX);
            TlsaRecord ta = tlsa(2, 1, 1, PKI.intermediate().orElseThrow());

            assertThat(verify(MX.chain(), MX_NAME, ta, ee)).isEqualTo(new DaneResult.Verified(ee, 0));
        }
    }

    @Nested
    class RecordSelection {
        @Test
        void aMatchingWeakerDigestIsIgnoredWhenAStrongerOneDoesNotMatch() {
            TlsaRecord matchingSha256 = tlsa(3, 1, 1, MX);
            TlsaRecord strangerSha512 = tlsa(3, 1, 2, STRANGER);

            assertThat(verify(MX.chain(), MX_NAME, matchingSha256, strangerSha512))
                .isInstanceOf(DaneResult.NoMatch.class);
        }

        @Test
        void aWeakerDigestForAnotherSelectorStillCounts() {
            TlsaRecord matchingCertSha256 = tlsa(3, 0, 1, MX);
            TlsaRecord strangerSpkiSha512 = tlsa(3, 1, 2, STRANGER);

            assertThat(verify(MX.chain(), MX_NAME, matchingCertSha256, strangerSpkiSha512))
                .isEqualTo(new DaneResult.Verified(matchingCertSha256, 0));
        }

        @Test
        void onlyPkixUsagesIsNoUsableRecords() {
            assertThat(verify(MX.chain(), MX_NAME, tlsa(1, 1, 1, MX), tlsa(0, 0, 1, PKI.root())))
                .isEqualTo(new DaneResult.NoUsableRecords());
        }

        @Test
        void anEmptyRrsetIsNoUsableRecords() {
            assertThat(verify(MX.chain(), MX_NAME)).isEqualTo(new DaneResult.NoUsableRecords());
        }

        @Test
        void aMalformedDigestIsUnusableNotAMismatch() {
            assertThat(verify(MX.chain(), MX_NAME, new TlsaRecord(3, 1, 1, HexFormat.of().parseHex("abcd"))))
                .isEqualTo(new DaneResult.NoUsableRecords());
        }
    }
}
