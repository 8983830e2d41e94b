package org.tesjames.core.dkim.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class DkimRecordCheckTest {
    private static final Name NAME = Name.fromConstantString("s1._domainkey.example.com.");

    @TempDir
    Path keys;
    private DkimKey key;

    @BeforeEach
    void setUp() throws Exception {
        key = DkimKeyFile.read(TestKeys.write(keys, "example.com", "s1", TestKeys.ED25519.getPrivate()),
            "example.com", "s1");
    }

    @Test
    void theRecordNameIsTheSelectorUnderDomainkey() {
        assertThat(DkimRecordCheck.recordName(key)).isEqualTo(NAME);
    }

    @Test
    void theRecordTheKeyFilePrintsMatches() {
        DkimRecordCheck check = DkimRecordCheck.of(key, answer(key.keyRecord().text()));

        assertThat(check.status()).isEqualTo(DkimRecordCheck.Status.MATCH);
        assertThat(check.published()).containsExactly(key.keyRecord().text());
        assertThat(check.describe()).isEqualTo("match");
    }

    @Test
    void aTestingDomainMatchesWithANote() {
        assertThat(DkimRecordCheck.of(key, answer(key.keyRecord().text() + "; t=y")).describe())
            .isEqualTo("match (t=y: the domain is testing DKIM)");
    }

    @Test
    void anotherKeyIsAMismatch() throws Exception {
        DkimKey other = DkimKeyFile.read(TestKeys.write(keys, "other.example", "s1", TestKeys.ED25519_B.getPrivate()),
            "other.example", "s1");

        assertThat(DkimRecordCheck.of(key, answer(other.keyRecord().text())).describe())
            .isEqualTo("mismatch: p= differs from the public key of the key file");
    }

    @Test
    void noRecordAndSeveralRecordsAreMismatches() {
        assertThat(DkimRecordCheck.of(key, new DnsResult.NxDomain(NAME, Type.TXT, Duration.ofSeconds(60), false))
            .describe()).isEqualTo("mismatch: no TXT record at " + NAME + " (NXDOMAIN)");
        DkimRecordCheck several = DkimRecordCheck.of(key, answer(key.keyRecord().text(), key.keyRecord().text()));
        assertThat(several.status()).isEqualTo(DkimRecordCheck.Status.MISMATCH);
        assertThat(several.published()).hasSize(2);
    }

    @Test
    void aDnsFailureIsTemporaryNeverAMismatch() {
        DkimRecordCheck check = DkimRecordCheck.of(key,
            new DnsResult.Failure(NAME, Type.TXT, DnsResult.Failure.Kind.SERVFAIL, "rcode 2"));

        assertThat(check.status()).isEqualTo(DkimRecordCheck.Status.TEMPORARY_FAILURE);
        assertThat(check.describe()).isEqualTo("temporary failure: TXT " + NAME + ": SERVFAIL rcode 2");
    }

    @Test
    void aRevokedKeyAndAnotherKeyTypeAreMismatches() {
        assertThat(DkimRecordCheck.of(key, answer("v=DKIM1; k=ed25519; p=")).reason())
            .isEqualTo("the key is revoked (empty p=)");
        assertThat(DkimRecordCheck.of(key, answer("v=DKIM1; k=rsa; p=" + key.keyRecord().text().split("p=")[1]))
            .reason()).startsWith("k=rsa published, the key file holds a ed25519 key");
    }

    private static DnsResult answer(String... texts) {
        List<org.xbill.DNS.Record> records = java.util.Arrays.stream(texts)
            .map(text -> (org.xbill.DNS.Record) new TXTRecord(NAME, DClass.IN, 60, text)).toList();
        return new DnsResult.Answer(NAME, Type.TXT, records, Duration.ofSeconds(60), false);
    }
}
