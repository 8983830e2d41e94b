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
        void aValueIsQuotedUnlessEveryCharacterIsAnRfc2045TokenCharacter() {
            String specials = "()<>@,;:\\\"/[]?=";
            for (char c = 0; c < 256; c++) {
                String domain = "a" + c + "b";
                AuthenticationReport report = new AuthenticationReport(new DkimVerification(List.of(), 0),
                    new SpfCheck(SpfResult.NONE, SpfCheck.MAILFROM, domain, ""), new AuthorDomain.Missing(),
                    new DmarcResult(DmarcResult.Result.NONE, Policy.NONE, "", false, false, false, ""));
                boolean token = c > ' ' && c < 127 && specials.indexOf(c) < 0;

                assertThat(AuthenticationResultsHeader.render(ID, report)).as("character %d", (int) c)
                    .contains(token ? " smtp.mailfrom=" + domain + ";" : " smtp.mailfrom=\"");
                if (token) {
                    assertThat(AuthenticationResultsHeader.claims("a" + c + "b; spf=pass", domain)).isTrue();
                }
            }
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
        void aResultTooLongForALineIsFoldedBetweenItsElementsAndTheNextStartsALine() {
            String value = "mx.example.net; dkim=pass header.d=example.com header.s=selector2024 header.b=abcdefgh "
                + "header.a=rsa-sha256; spf=none smtp.mailfrom=example.com";
            assertThat(AuthenticationResultsHeader.fold(value)).isEqualTo("mx.example.net;\r\n"
                + "\tdkim=pass header.d=example.com header.s=selector2024 header.b=abcdefgh\r\n"
                + "\theader.a=rsa-sha256;\r\n"
                + "\tspf=none smtp.mailfrom=example.com");
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

    /** RFC 5322 section 2.1.1: no line over 998 octets, 78 where folding allows; reasons made safe and short. */
    @Nested
    class HostileInput {
        /** About 2.5 kB like the regular expression jSPF quotes in its syntax-error reason. */
        private static final String JSPF_LIKE_REASON = "Not a valid SPF record: does not match "
            + "^(?i)(?:\\s+(?:[+\\-?~])?(?:all|include:(?:(?:%\\{[slodipvh]\\d*r?[.\\-+,/_=]*\\}|%%|%_)*)"
                .repeat(30)
            + " (unclosed";

        private final AuthenticationReport spfPermerror(String reason) {
            return new AuthenticationReport(new DkimVerification(List.of(), 0),
                new SpfCheck(SpfResult.PERMERROR, SpfCheck.MAILFROM, "example.com", reason),
                new AuthorDomain.Single("example.com"),
                dmarc(DmarcResult.Result.FAIL, Policy.NONE, "no aligned DKIM or SPF pass"));
        }

        private List<String> fieldLines(AuthenticationReport report) {
            String field = AuthenticationResultsHeader.NAME + ": "
                + AuthenticationResultsHeader.fold(AuthenticationResultsHeader.render(ID, report));
            return List.of(field.split("\r\n", -1));
        }

        /** Every line within 998 octets of printable ASCII; a line over 78 holds one element only. */
        private void assertWellFolded(List<String> lines) {
            assertThat(lines).allSatisfy(line -> {
                assertThat(line.length()).as(line).isLessThanOrEqualTo(998);
                assertThat(line.chars()).as(line).allMatch(c -> c == '\t' || c >= 0x20 && c < 0x7f);
                if (line.length() > 78) {
                    assertThat(spacesOutsideQuotes(line.strip())).as(line).isZero();
                }
            });
        }

        private int spacesOutsideQuotes(String line) {
            int spaces = 0;
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && quoted) {
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == ' ' && !quoted) {
                    spaces++;
                }
            }
            return spaces;
        }

        @Test
        void aKilobytesLongSpfReasonIsCutAndTheFieldStaysWithinTheLineLimits() {
            assertThat(JSPF_LIKE_REASON.length()).isGreaterThan(2_400);

            String rendered = AuthenticationResultsHeader.render(ID, spfPermerror(JSPF_LIKE_REASON));

            String reason = rendered.substring(rendered.indexOf("reason=\"") + 8);
            reason = reason.substring(0, reason.indexOf("\" smtp.mailfrom="));
            assertThat(reason.replace("\\\\", "\\"))
                .hasSizeLessThanOrEqualTo(AuthenticationResultsHeader.REASON_LENGTH)
                .startsWith("Not a valid SPF record").endsWith("...");
            assertWellFolded(fieldLines(spfPermerror(JSPF_LIKE_REASON)));
        }

        @Test
        void theRealSyntaxErrorReasonOfAHostileRecordIsShortAndStaysWithinTheLineLimits() throws Exception {
            try (org.tesjames.testing.dns.TestDnsServer dns = org.tesjames.testing.dns.TestDnsServer.builder()
                .unknownNames(org.tesjames.testing.dns.UnknownNamePolicy.NXDOMAIN).start()) {
                dns.zone("example.com").txtStrings("@", "v=spf1 ip4:192.0.2.0/24 frobnicate:(" + "x".repeat(200),
                    "y\"z;" + "w".repeat(200) + " -all");
                SpfCheck check = new SpfVerifier(org.tesjames.core.dns.DnsJavaClient.create(List.of(dns.address()),
                        java.time.Duration.ofSeconds(2), 0))
                    .check(new SmtpIdentity(java.net.InetAddress.getByName("192.0.2.10"), "h.example.org",
                        "alice@example.com"))
                    .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(check.result()).isEqualTo(SpfResult.PERMERROR);
                assertThat(check.reason()).as("the reason names the bad term, cut")
                    .startsWith("syntax error in the record of example.com: unknown mechanism 'frobnicate:(xxx")
                    .hasSizeLessThanOrEqualTo(SpfCheck.REASON_LENGTH).endsWith("...");

                AuthenticationReport report = spfPermerror(check.reason());

                assertWellFolded(fieldLines(report));
                assertThat(AuthenticationResultsHeader.render(ID, report).length())
                    .isLessThan(ID.length() + 2 * AuthenticationResultsHeader.REASON_LENGTH + 200);
            }
        }

        @Test
        void reasonsLoseLineBreaksControlCharactersAndUnbalancedParentheses() {
            String rendered = AuthenticationResultsHeader.render(ID,
                spfPermerror("a) b\r\nc\u0000 (d (e) f"));

            assertThat(rendered).contains("spf=permerror reason=\"a b??c? d (e) f\"");
        }

        @Test
        void hostileSignatureDomainsAndSelectorsAreCutAndFolded() {
            List<DkimSignatureResult> signatures = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                signatures.add(failed(DkimFailureReason.SIGNATURE_MISMATCH, "d" + i + "x".repeat(3_000) + ".example", "s(" + "y".repeat(3_000), "abc/defghij"));
            }
            AuthenticationReport report = new AuthenticationReport(new DkimVerification(signatures, 5),
                new SpfCheck(SpfResult.PERMERROR, SpfCheck.MAILFROM, "z".repeat(3_000), JSPF_LIKE_REASON),
                new AuthorDomain.Single("example.com"),
                dmarc(DmarcResult.Result.PERMERROR, Policy.NONE, JSPF_LIKE_REASON));

            List<String> lines = fieldLines(report);

            assertWellFolded(lines);
            assertThat(String.join("", lines)).contains("header.d=d0xxx", "...");
        }

        @Test
        void foldingAtElementsKeepsTheValue() {
            AuthenticationReport report = spfPermerror(JSPF_LIKE_REASON);
            String value = AuthenticationResultsHeader.render(ID, report);

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
