package org.tesjames.core.sts;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.dane.delivery.DeliveryPlan;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.core.tlsrpt.FailureDetail;
import org.tesjames.core.tlsrpt.PolicyType;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.core.tlsrpt.SessionOutcomes;
import org.tesjames.core.tlsrpt.TlsPolicy;
import org.tesjames.core.tlsrpt.TlsResultCounter;

class StsDeliveryRulesTest {
    private static final InetAddress ADDRESS = InetAddress.getLoopbackAddress();
    private static final String LISTED = "mx1.example.test";
    private static final String UNLISTED = "mx9.example.test";
    private final StsDeliveryRules rules = new StsDeliveryRules(WebPkiTrust.jdk(), TlsVersion.TLS_V1_1);

    private static HostPlan opportunistic(String host) {
        return new HostPlan(host, HostPlan.Action.OPPORTUNISTIC_TLS, Optional.of(ADDRESS),
            Optional.of(DaneConnectionPolicy.unauthenticated(TlsVersion.TLS_V1_1)), DaneHostOutcome.INSECURE,
            "insecure");
    }

    private static HostPlan dane(String host) {
        return new HostPlan(host, HostPlan.Action.DANE_TLS, Optional.of(ADDRESS), Optional.of(
            DaneConnectionPolicy.dane(host, List.of(TlsaRecord.parse("3 1 1 " + "ab".repeat(32))), Set.of(host),
                TlsVersion.TLS_V1_2, new DaneVerifier(Clock.systemUTC()))), DaneHostOutcome.SECURE_USABLE, "usable");
    }

    private static DeliveryPlan plan(DeliveryPolicy policy, HostPlan... hosts) {
        return new DeliveryPlan("example.test", policy, List.of(hosts));
    }

    private static StsLookup found(String mode) {
        return new StsLookup.Found("example.test", StsPolicy.parse("version: STSv1\nmode: " + mode + "\nmx: " + LISTED
            + "\nmax_age: 86400\n"), "1", Instant.now(), StsLookup.Source.FETCHED, Optional.empty());
    }

    @Nested
    class Enforce {
        @Test
        void aListedHostNeedsStartTlsWithTls12AndAWebPkiCertificate() {
            HostPlan host = rules.apply(plan(DeliveryPolicy.DANE_OPPORTUNISTIC, opportunistic(LISTED)),
                found("enforce")).hosts().get(0);

            assertThat(host.action()).isEqualTo(HostPlan.Action.STS_TLS);
            assertThat(host.tlsRequired()).isTrue();
            assertThat(host.tls().orElseThrow().mode()).isEqualTo(DaneConnectionPolicy.Mode.WEBPKI);
            assertThat(host.tls().orElseThrow().minimumProtocol()).isEqualTo(TlsVersion.TLS_V1_2);
            assertThat(host.reason()).contains("listed in the MTA-STS policy of example.test (enforce, id 1");
        }

        @Test
        void anUnlistedHostIsRefusedWithTheReason() {
            HostPlan host = rules.apply(plan(DeliveryPolicy.DANE_OPPORTUNISTIC, opportunistic(UNLISTED)),
                found("enforce")).hosts().get(0);

            assertThat(host.action()).isEqualTo(HostPlan.Action.REFUSE);
            assertThat(host.reason()).startsWith(UNLISTED + " is not listed in the MTA-STS policy of example.test");
        }

        @Test
        void daneTakesPrecedenceOverTheListing() {
            HostPlan daneHost = dane(UNLISTED);

            assertThat(rules.apply(plan(DeliveryPolicy.DANE_OPPORTUNISTIC, daneHost), found("enforce")).hosts())
                .containsExactly(daneHost);
        }

        @Test
        void aRefusedHostStaysRefused() {
            HostPlan refused = HostPlan.refuse(LISTED, Optional.empty(), DaneHostOutcome.INDETERMINATE, "bogus");

            assertThat(rules.apply(plan(DeliveryPolicy.DANE_OPPORTUNISTIC, refused), found("enforce")).hosts())
                .containsExactly(refused);
        }

        @Test
        void memberDestinationsStayDaneRequired() {
            DeliveryPlan members = plan(DeliveryPolicy.DANE_REQUIRED, HostPlan.refuse(LISTED, Optional.of(ADDRESS),
                DaneHostOutcome.INSECURE, "no DANE TLSA records: DANE is required"));

            assertThat(rules.apply(members, found("enforce"))).isEqualTo(members);
        }
    }

    @Test
    void testingDeliversAsBeforeCheckingCertificatesWithoutRefusing() {
        DeliveryPlan applied = rules.apply(plan(DeliveryPolicy.DANE_OPPORTUNISTIC, opportunistic(LISTED),
            opportunistic(UNLISTED)), found("testing"));

        assertThat(applied.hosts()).extracting(HostPlan::action)
            .containsExactly(HostPlan.Action.OPPORTUNISTIC_TLS, HostPlan.Action.OPPORTUNISTIC_TLS);
        assertThat(applied.hosts()).allSatisfy(host -> assertThat(host.tls().orElseThrow().mode())
            .isEqualTo(DaneConnectionPolicy.Mode.WEBPKI_TESTING));
        assertThat(applied.hosts().get(1).reason()).contains("not listed in the MTA-STS policy");
    }

    @Test
    void modeNoneAndNoPolicyLeaveThePlanAsItIs() {
        DeliveryPlan plan = plan(DeliveryPolicy.DANE_OPPORTUNISTIC, opportunistic(UNLISTED));
        StsLookup none = new StsLookup.Found("example.test", StsPolicy.parse("version: STSv1\nmode: none\n"
            + "max_age: 60\n"), "1", Instant.now(), StsLookup.Source.FETCHED, Optional.empty());

        assertThat(rules.apply(plan, none)).isEqualTo(plan);
        assertThat(rules.apply(plan, new StsLookup.None("example.test", "no record", Optional.empty())))
            .isEqualTo(plan);
    }

    @Test
    void sessionsAreReportedUnderTheTlsaRrsetTheStsPolicyOrNoPolicy() {
        StsLookup enforce = found("enforce");
        DeliveryPlan applied = rules.apply(plan(DeliveryPolicy.DANE_OPPORTUNISTIC, dane(UNLISTED),
            opportunistic(LISTED), opportunistic("mx5.example.test")), enforce);

        Map<String, TlsPolicy> policies = ReportedPolicies.of(applied, Optional.of(enforce));

        assertThat(policies.get(UNLISTED).type()).isEqualTo(PolicyType.TLSA);
        assertThat(policies.get(UNLISTED).strings()).containsExactly("3 1 1 " + "ab".repeat(32));
        assertThat(policies.get(LISTED)).isEqualTo(new TlsPolicy(PolicyType.STS, "example.test", List.of(
            "version: STSv1", "mode: enforce", "mx: " + LISTED, "max_age: 86400"), List.of(LISTED)));
        assertThat(policies).doesNotContainKey("mx5.example.test");
        assertThat(ReportedPolicies.of(plan(DeliveryPolicy.DANE_OPPORTUNISTIC, opportunistic(LISTED)),
            Optional.empty()).get(LISTED)).isEqualTo(TlsPolicy.none("example.test"));
    }

    @Test
    void refusalsAreReportedWhereRfc8460CountsThem() {
        StsLookup enforce = found("enforce");
        HostPlan bogus = HostPlan.refuse("mx7.example.test", Optional.of(ADDRESS), DaneHostOutcome.INDETERMINATE,
            "DANE lookup is indeterminate");
        HostPlan noAddress = HostPlan.refuse("mx8.example.test", Optional.empty(), DaneHostOutcome.INSECURE,
            "no address");
        DeliveryPlan applied = rules.apply(plan(DeliveryPolicy.DANE_OPPORTUNISTIC, opportunistic(UNLISTED),
            opportunistic(LISTED), bogus, noAddress), enforce);

        Map<String, SessionOutcomes.Refusal> refusals = ReportedPolicies.refusals(applied, Optional.of(enforce));

        assertThat(refusals).containsOnlyKeys(UNLISTED, "mx7.example.test");
        assertThat(refusals.get(UNLISTED).type()).isEqualTo(ResultType.VALIDATION_FAILURE);
        assertThat(refusals.get(UNLISTED).policy()).isEqualTo(ReportedPolicies.of(applied, Optional.of(enforce))
            .get(LISTED));
        assertThat(refusals.get("mx7.example.test")).isEqualTo(new SessionOutcomes.Refusal(
            new TlsPolicy(PolicyType.TLSA, "example.test", List.of(), List.of()), ResultType.DNSSEC_INVALID));
    }

    @Test
    void daneRequiredRefusalsAreDaneRequiredOrTlsaInvalid() {
        DeliveryPlan members = plan(DeliveryPolicy.DANE_REQUIRED,
            HostPlan.refuse(LISTED, Optional.of(ADDRESS), DaneHostOutcome.INSECURE, "no DANE TLSA records"),
            HostPlan.refuse(UNLISTED, Optional.of(ADDRESS), DaneHostOutcome.SECURE_UNUSABLE, "no usable records"),
            HostPlan.refuse("example.test", Optional.empty(), DaneHostOutcome.INDETERMINATE, "MX lookup failed"));

        Map<String, SessionOutcomes.Refusal> refusals = ReportedPolicies.refusals(members, Optional.empty());

        assertThat(refusals).containsOnlyKeys(LISTED, UNLISTED);
        assertThat(refusals.get(LISTED)).isEqualTo(new SessionOutcomes.Refusal(TlsPolicy.none("example.test"),
            ResultType.DANE_REQUIRED));
        assertThat(refusals.get(UNLISTED).type()).isEqualTo(ResultType.TLSA_INVALID);
    }

    @Test
    void aRefusedHostIsRecordedOnlyWhenItsRefusalIsBound() {
        TlsResultCounter counter = new TlsResultCounter(10, 10);
        TlsPolicy tlsa = new TlsPolicy(PolicyType.TLSA, "example.test", List.of(), List.of());
        SessionOutcomes.bind(counter, Map.of(), Map.of(LISTED, new SessionOutcomes.Refusal(tlsa,
            ResultType.DNSSEC_INVALID)));
        try {
            SessionOutcomes.refused(LISTED.toUpperCase(java.util.Locale.ROOT) + ".", Optional.of("192.0.2.7"),
                "bogus TLSA");
            SessionOutcomes.refused(UNLISTED, Optional.empty(), "not bound");
        } finally {
            SessionOutcomes.clear();
        }

        assertThat(counter.drain()).singleElement().satisfies(result -> {
            assertThat(result.policy()).isEqualTo(tlsa);
            assertThat(result.failures()).isOne();
            assertThat(result.details()).containsOnlyKeys(FailureDetail.of(ResultType.DNSSEC_INVALID, LISTED,
                Optional.of("192.0.2.7"), Optional.of("bogus TLSA")));
        });
    }
}
