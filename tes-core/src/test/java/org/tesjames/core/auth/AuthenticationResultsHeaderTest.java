package org.tesjames.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dkim.verify.DkimFailureReason;
import org.tesjames.core.dkim.verify.DkimResult;
import org.tesjames.core.dkim.verify.DkimSignatureResult;
import org.tesjames.core.dkim.verify.DkimVerification;
import org.tesjames.core.dmarc.AuthorDomain;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.core.dmarc.DmarcRecord;
import org.tesjames.core.dmarc.DmarcResult;
import org.tesjames.core.dmarc.Policy;
import org.tesjames.core.dmarc.SpfResult;

class AuthenticationResultsHeaderTest {
    private static final String ID = "mx.example.net";

    private static DkimSignatureResult pass(String domain, String selector, String b) {
        return new DkimSignatureResult(DkimResult.PASS, DkimFailureReason.NONE, "", domain, selector, "rsa-sha256",
            OptionalLong.empty(), 0, b);
    }

    private static DkimSignatureResult failed(DkimFailureReason reason, String domain, String selector, String b) {
        return new DkimSignatureResult(reason.result(), reason, "detail", domain, selector, "rsa-sha256",
            OptionalLong.empty(), 0, b);
    }

    private static DmarcPolicyDiscovery.Found found(String txt, String domain) {
        DmarcRecord record = ((DmarcRecord.Valid) DmarcRecord.parse(txt)).record();
        return new DmarcPolicyDiscovery.Found(record, domain, false);
    }

    private static DmarcResult dmarc(DmarcResult.Result result, Policy disposition, String reason) {
        return new DmarcResult(result, disposition, "example.com", result == DmarcResult.Result.PASS, false, false,
            reason);
    }

    @Nested
    class Render {
        @Test
        void passingSignatureSpfAndDmarc() {
            AuthenticationReport report = new AuthenticationReport(
                new DkimVerification(List.of(pass("example.com", "sel", "abcdefghijklmnop")), 0),
                new SpfCheck(SpfResult.PASS, SpfCheck.MAILFROM, "example.com", "designates 192.0.2.1"),
                new AuthorDomain.Single("example.com"),
                dmarc(DmarcResult.Result.PASS, Policy.NONE, "aligned DKIM pass"),
                Optional.of(found("v=DMARC1; p=reject", "example.com")), Optional.of("<1@example.com>"));

            assertThat(AuthenticationResultsHeader.render(ID, report)).isEqualTo("mx.example.net; "
                + "dkim=pass header.d=example.com header.s=sel header.b=abcdefgh header.a=rsa-sha256; "
                + "spf=pass smtp.mailfrom=example.com; "
                + "dmarc=pass (p=reject dis=none) header.from=example.com");
        }

        @Test
        void unsignedMessageWithoutDmarcRecord() {
            AuthenticationReport report = new AuthenticationReport(new DkimVerification(List.of(), 0),
                new SpfCheck(SpfResult.NONE, SpfCheck.MAILFROM, "example.com", "no SPF record"),
                new AuthorDomain.Single("example.com"),
                dmarc(DmarcResult.Result.NONE, Policy.NONE, "no record"),
                Optional.of(new DmarcPolicyDiscovery.None("no record")), Optional.empty());

            assertThat(AuthenticationResultsHeader.render(ID, report)).isEqualTo(
                "mx.example.net; dkim=none; spf=none smtp.mailfrom=example.com; dmarc=none header.from=example.com");
        }

        @Test
        void failuresCarryReasonsAndTheDisposition() {
            AuthenticationReport report = new AuthenticationReport(
                new DkimVerification(List.of(
                    failed(DkimFailureReason.BODY_HASH_MISMATCH, "example.com", "sel", "ABCD/EFGH+ij"),
                    failed(DkimFailureReason.DNS_TEMPORARY_FAILURE, "example.org", "s2", "zyxwvuts")), 0),
                new SpfCheck(SpfResult.FAIL, SpfCheck.MAILFROM, "example.com",
                    "domain of example.com does not designate 198.51.100.7 as permitted sender"),
                new AuthorDomain.Single("example.com"),
                dmarc(DmarcResult.Result.FAIL, Policy.REJECT, "no aligned pass"),
                Optional.of(found("v=DMARC1; p=reject", "example.com")), Optional.empty());

            assertThat(AuthenticationResultsHeader.render(ID, report)).isEqualTo("mx.example.net; "
                + "dkim=fail reason=\"body hash mismatch\" header.d=example.com header.s=sel header.b=\"ABCD/EFG\" "
                + "header.a=rsa-sha256; "
                + "dkim=temperror reason=\"dns temporary failure\" header.d=example.org header.s=s2 "
                + "header.b=zyxwvuts header.a=rsa-sha256; "
                + "spf=fail reason=\"domain of example.com does not designate 198.51.100.7 as permitted sender\" "
                + "smtp.mailfrom=example.com; "
                + "dmarc=fail (p=reject dis=reject) header.from=example.com");
        }

        @Test
        void sampledOutDispositionIsShown() {
            AuthenticationReport report = new AuthenticationReport(new DkimVerification(List.of(), 0),
                new SpfCheck(SpfResult.SOFTFAIL, SpfCheck.MAILFROM, "example.com", "~all"),
                new AuthorDomain.Single("example.com"),
                new DmarcResult(DmarcResult.Result.FAIL, Policy.QUARANTINE, "example.com", false, false, true,
                    "sampled out"),
                Optional.of(found("v=DMARC1; p=reject; pct=10", "example.com")), Optional.empty());

            assertThat(AuthenticationResultsHeader.render(ID, report)).isEqualTo("mx.example.net; dkim=none; "
                + "spf=softfail reason=\"~all\" smtp.mailfrom=example.com; "
                + "dmarc=fail (p=reject dis=quarantine) header.from=example.com");
        }

        @Test
        void nullSenderUsesSmtpHelo() {
            AuthenticationReport report = new AuthenticationReport(new DkimVerification(List.of(), 0),
                new SpfCheck(SpfResult.PASS, SpfCheck.HELO, "mta.example.com", "ok"),
                new AuthorDomain.Missing(),
                new DmarcResult(DmarcResult.Result.PERMERROR, Policy.REJECT, "(no From)", false, false, false,
                    "the message has no RFC5322.From address"));

            assertThat(AuthenticationResultsHeader.render(ID, report)).isEqualTo("mx.example.net; dkim=none; "
                + "spf=pass smtp.helo=mta.example.com; "
                + "dmarc=permerror reason=\"the message has no RFC5322.From address\"");
        }

        @Test
        void quotesBackslashesAndControlCharactersAreEscaped() {
            AuthenticationReport report = new AuthenticationReport(new DkimVerification(List.of(), 0),
                new SpfCheck(SpfResult.PERMERROR, SpfCheck.MAILFROM, "example.com",
                    "bad \"term\" a\\b\r\n(x)\u00e9"),
                new AuthorDomain.Unparsable("\"evil\" <x@[1.2.3.4]>", "bad"),
                new DmarcResult(DmarcResult.Result.PERMERROR, Policy.REJECT, "\"evil\"", false, false, false,
                    "the RFC5322.From does not parse: \"evil\""));

            assertThat(AuthenticationResultsHeader.render(ID, report)).isEqualTo("mx.example.net; dkim=none; "
                + "spf=permerror reason=\"bad \\\"term\\\" a\\\\b??(x)?\" smtp.mailfrom=example.com; "
                + "dmarc=permerror reason=\"the RFC5322.From does not parse: \\\"evil\\\"\"");
        }

        @Test
        void refusesAnAuthservIdThatIsNotAToken() {
            AuthenticationReport report = new AuthenticationReport(new DkimVerification(List.of(), 0),
                new SpfCheck(SpfResult.NONE, SpfCheck.MAILFROM, "example.com", ""), new AuthorDomain.Missing(),
                new DmarcResult(DmarcResult.Result.PERMERROR, Policy.REJECT, "", false, false, false, "x"));
            assertThatThrownBy(() -> AuthenticationResultsHeader.render("mx example;net", report))
                .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Fold {
        @Test
        void foldsOnlyAtResultBoundaries() {
            String value = "mx.example.net; dkim=pass header.d=example.com header.s=sel header.b=abcdefgh; "
                + "spf=fail reason=\"a; b\" smtp.mailfrom=example.com; dmarc=pass header.from=example.com";
            assertThat(AuthenticationResultsHeader.fold(value)).isEqualTo("mx.example.net;\r\n"
                + "\tdkim=pass header.d=example.com header.s=sel header.b=abcdefgh;\r\n"
                + "\tspf=fail reason=\"a; b\" smtp.mailfrom=example.com;\r\n"
                + "\tdmarc=pass header.from=example.com");
        }

        @Test
        void shortValueStaysOnOneLine() {
            assertThat(AuthenticationResultsHeader.fold("mx.example.net; dkim=none; spf=none; dmarc=none"))
                .isEqualTo("mx.example.net; dkim=none; spf=none; dmarc=none");
        }

        @Test
        void unfoldingGivesTheValueBack() {
            String value = "mx.example.net; dkim=fail reason=\"x (y); z\" header.d=example.com header.s=s1; "
                + "spf=pass smtp.mailfrom=example.com; dmarc=fail (p=reject dis=reject) header.from=example.com";
            assertThat(AuthenticationResultsHeader.fold(value).replace("\r\n\t", " ")).isEqualTo(value);
        }
    }

    @Nested
    class Claims {
        @Test
        void plainAuthservId() {
            assertThat(AuthenticationResultsHeader.claims("mx.example.net; spf=pass smtp.mailfrom=a.example", ID))
                .isTrue();
        }

        @Test
        void otherAuthservIdIsNotOurs() {
            assertThat(AuthenticationResultsHeader.claims("mx.example.org; spf=pass", ID)).isFalse();
            assertThat(AuthenticationResultsHeader.claims("mx.example.net.evil.org; spf=pass", ID)).isFalse();
            assertThat(AuthenticationResultsHeader.claims("example.net; spf=pass", ID)).isFalse();
        }

        @Test
        void differentCaseAndFinalDot() {
            assertThat(AuthenticationResultsHeader.claims("MX.Example.NET; dkim=pass", ID)).isTrue();
            assertThat(AuthenticationResultsHeader.claims("mx.example.net.; dkim=pass", ID)).isTrue();
        }

        @Test
        void withVersion() {
            assertThat(AuthenticationResultsHeader.claims("mx.example.net 1; dkim=pass", ID)).isTrue();
            assertThat(AuthenticationResultsHeader.claims("mx.example.net 1 (v1); dkim=pass", ID)).isTrue();
        }

        @Test
        void withCommentsAndFolding() {
            assertThat(AuthenticationResultsHeader.claims(" (forged (nested)) mx.example.net (comment); dkim=pass",
                ID)).isTrue();
            assertThat(AuthenticationResultsHeader.claims("\r\n\tmx.example.net\r\n\t; dkim=pass", ID)).isTrue();
        }

        @Test
        void withTheFieldName() {
            assertThat(AuthenticationResultsHeader.claims(
                "Authentication-Results: mx.example.net (comment); dkim=pass", ID)).isTrue();
            assertThat(AuthenticationResultsHeader.claims(
                "authentication-results:MX.EXAMPLE.NET;spf=pass", ID)).isTrue();
            assertThat(AuthenticationResultsHeader.claims(
                "Authentication-Results: mx.example.org (comment); dkim=pass", ID)).isFalse();
        }

        @Test
        void quotedAuthservId() {
            assertThat(AuthenticationResultsHeader.claims("\"mx.example.net\"; dkim=pass", ID)).isTrue();
        }

        @Test
        void noResultsAtAll() {
            assertThat(AuthenticationResultsHeader.claims("mx.example.net; none", ID)).isTrue();
            assertThat(AuthenticationResultsHeader.claims("mx.example.net", ID)).isTrue();
        }

        @Test
        void garbageClaimsNothing() {
            assertThat(AuthenticationResultsHeader.claims("", ID)).isFalse();
            assertThat(AuthenticationResultsHeader.claims("(unclosed mx.example.net; dkim=pass", ID)).isFalse();
            assertThat(AuthenticationResultsHeader.claims(null, ID)).isFalse();
            assertThat(AuthenticationResultsHeader.claims("; dkim=pass", ID)).isFalse();
        }
    }
}
