package org.tesjames.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.tesjames.core.auth.AuthenticationResultsHeader;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.dkim.DkimKeyRecord;
import org.tesjames.core.dkim.DkimTags;
import org.tesjames.core.dmarc.DmarcRecord;
import org.tesjames.core.dmarc.OrganizationalDomain;
import org.tesjames.core.mail.HeaderFields;
import org.tesjames.core.mail.SafeText;
import org.tesjames.core.membership.DomainNames;
import org.tesjames.core.sts.StsPolicy;
import org.tesjames.core.sts.StsPolicyException;
import org.tesjames.core.sts.StsRecord;
import org.tesjames.core.tlsrpt.TlsRptRecord;

/**
 * Every parser of what a peer publishes or sends, on mutated copies of valid input ({@link Mutations}): it accepts
 * the input or refuses it with its documented exception (that class exactly) and a reason, never anything else;
 * the functions that never refuse return a value. Each test also checks that its mutations reach both outcomes.
 */
class MutatedRecordsTest {
    /**
     * Applies {@code function} to {@link Mutations#ROUNDS} mutated copies of {@code valid}: it never throws, each
     * result satisfies {@code sound}, and {@code split} holds for some results and not for others.
     */
    private static <T> void alwaysAnswers(long seed, Function<String, T> function, Predicate<T> sound,
                                          Predicate<T> split, String... valid) {
        Mutations mutations = new Mutations(seed);
        int yes = 0;
        for (int i = 0; i < Mutations.ROUNDS; i++) {
            String input = mutations.ofOne(valid);
            T result;
            try {
                result = function.apply(input);
            } catch (RuntimeException e) {
                throw new AssertionError("threw for " + Mutations.visible(input), e);
            }
            assertThat(sound.test(result)).as("the result %s for %s", result, Mutations.visible(input)).isTrue();
            yes += split.test(result) ? 1 : 0;
        }
        assertThat(yes).as("results of both kinds").isBetween(1, Mutations.ROUNDS - 1);
    }

    @Test
    void dkimTagLists() {
        Mutations.acceptsOrRefuses(1, IllegalArgumentException.class, DkimTags::parse,
            "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel; t=1; x=2; h=from:to; bh=YWJj; b=ZGVm",
            "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=; t=y:s; h=sha256");
    }

    @Test
    void dkimKeyRecords() {
        Mutations.acceptsOrRefuses(2, IllegalArgumentException.class, DkimKeyRecord::parse,
            "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC",
            "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=; t=y:s; h=sha256", "v=DKIM1; p=");
    }

    @Test
    void dmarcRecords() {
        alwaysAnswers(3, DmarcRecord::parse, parsed -> parsed != null
                && (parsed instanceof DmarcRecord.Valid || !((DmarcRecord.Invalid) parsed).reason().isBlank()),
            parsed -> parsed instanceof DmarcRecord.Valid,
            "v=DMARC1; p=reject; sp=none; pct=50; rua=mailto:a@example.com,mailto:d@example.net!10m; adkim=s; aspf=r;"
                + " fo=1:d; ri=3600", "v=DMARC1;p=quarantine", "v=DMARC1; p=none; np=reject; t=y");
        alwaysAnswers(4, DmarcRecord::isDmarcRecord, answer -> true, answer -> answer, "v=DMARC1; p=reject",
            "v=DMARC1");
    }

    @Test
    void mtaStsRecordsAndPolicies() {
        Mutations.acceptsOrRefuses(5, IllegalArgumentException.class, StsRecord::parse, "v=STSv1; id=20240101T000000;",
            "v=STSv1;id=abc; ext=1");
        Mutations.acceptsOrRefuses(6, StsPolicyException.class, StsPolicy::parse,
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
            "version: STSv1\nmode: testing\nmx: a.example\nmax_age: 86400\n");
    }

    @Test
    void tlsReportingRecords() {
        Mutations.acceptsOrRefuses(7, IllegalArgumentException.class, TlsRptRecord::parse,
            "v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.com/tls",
            "v=TLSRPTv1;rua=mailto:tls@example.com!10m");
    }

    @Test
    void tlsaRecords() {
        Mutations.acceptsOrRefuses(8, IllegalArgumentException.class, TlsaRecord::parse,
            "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "2 0 2 00");
    }

    @Test
    void domainNames() {
        alwaysAnswers(9, DomainNames::normalise,
            normalised -> normalised.domain().isPresent() || !normalised.problem().isBlank(),
            normalised -> normalised.domain().isPresent(), "example.com", "B\u00fccher.example",
            "xn--bcher-kva.example", "a.b.c.d.co.uk", "*.example.com", "192.0.2.1", "[192.0.2.1]");
        alwaysAnswers(10, OrganizationalDomain::of, organisational -> organisational != null,
            organisational -> organisational.isPresent(), "example.com", "a.b.c.d.co.uk", "mail.example.co.uk");
    }

    @Test
    void authenticationResultsOfOthers() {
        alwaysAnswers(11, value -> AuthenticationResultsHeader.claims(value, "mx.example.com"), claims -> true,
            claims -> claims, "mx.example.com; dkim=pass header.d=example.com",
            "Authentication-Results: (c) \"mx.example.com\" 1; spf=pass", "mx.example.com (comment (nested)) ; none");
    }

    @Test
    void textForRepliesAndLogs() {
        alwaysAnswers(12, text -> SafeText.oneLine(text, 50),
            line -> line.length() <= 50 && line.chars().allMatch(c -> c >= 0x20 && c < 0x7f),
            line -> line.endsWith(SafeText.ELLIPSIS), "<1234@example.com>", "x".repeat(48));
    }

    @Test
    void messageHeaders() {
        alwaysAnswers(13, text -> HeaderFields.parse(text.getBytes(StandardCharsets.ISO_8859_1)),
            header -> header.fields().stream().allMatch(field -> field.raw().indexOf(':') >= 0
                && field.raw().substring(0, field.raw().indexOf(':')).strip().equals(field.name())),
            header -> header.fields("from").size() == 1,
            "From: a@example.com\r\nTo: b@example.net,\r\n\tc@example.net\r\nSubject: x\r\n\r\nbody\r\n");
    }
}
