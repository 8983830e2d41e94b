package org.tesjames.core.dane.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.dane.TlsaSelection;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dnssec.DnssecStatus;
import org.tesjames.core.tls.TlsVersion;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class DeliveryPlannerTest {
    private static final Name DOMAIN = Name.fromConstantString("example.test.");
    private static final Name MX = Name.fromConstantString("mx.example.test.");
    private static final TlsaRecord RECORD = TlsaRecord.parse("3 1 1 " + "ab".repeat(32));
    private static final TlsaRecord UNUSABLE = TlsaRecord.parse("1 1 1 " + "ab".repeat(32));

    private final DeliveryPlanner planner = new DeliveryPlanner(TlsVersion.TLS_V1_2,
        new DaneVerifier(Clock.systemUTC()));

    private static DaneLookup.Host host(DaneHostOutcome outcome, boolean withAddress, TlsaRecord... tlsa) {
        DnsResult a = withAddress
            ? new DnsResult.Answer(MX, Type.A, List.of(new ARecord(MX, DClass.IN, 300, address())),
                Duration.ofSeconds(300), true)
            : new DnsResult.NoData(MX, Type.A, Duration.ofSeconds(300), true);
        DnsResult aaaa = new DnsResult.NoData(MX, Type.AAAA, Duration.ofSeconds(300), true);
        Optional<TlsaSelection> selection = tlsa.length == 0 ? Optional.empty()
            : Optional.of(TlsaSelection.of(List.of(tlsa)));
        return new DaneLookup.Host(MX, 10, a, aaaa, DnssecStatus.SECURE, MX, List.of(), MX, selection, outcome,
            "facts of " + outcome, List.of(MX, DOMAIN));
    }

    private static InetAddress address() {
        try {
            return InetAddress.getByName("192.0.2.25");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static DaneLookup.Destination destination(DnssecStatus mxStatus, DaneLookup.Host... hosts) {
        DnsResult mx = new DnsResult.NoData(DOMAIN, Type.MX, Duration.ofSeconds(300), true);
        return new DaneLookup.Destination(DOMAIN, mx, mxStatus, DaneLookup.MxSource.MX, List.of(hosts));
    }

    private HostPlan only(DeliveryPlan plan) {
        assertThat(plan.hosts()).hasSize(1);
        return plan.hosts().get(0);
    }

    @Nested
    class DaneRequired {
        @Test
        void aSecureUsableHostIsAuthenticatedWithItsTlsaRecordsAndTheMinimumProtocol() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.SECURE,
                host(DaneHostOutcome.SECURE_USABLE, true, RECORD)), DeliveryPolicy.DANE_REQUIRED));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.DANE_TLS);
            assertThat(plan.tlsRequired()).isTrue();
            assertThat(plan.address()).contains(address());
            DaneConnectionPolicy tls = plan.tls().orElseThrow();
            assertThat(tls.mode()).isEqualTo(DaneConnectionPolicy.Mode.DANE);
            assertThat(tls.tlsaBaseDomain()).contains("mx.example.test");
            assertThat(tls.tlsaRecords()).containsExactly(RECORD);
            assertThat(tls.referenceIdentifiers()).containsExactlyInAnyOrder("mx.example.test", "example.test");
            assertThat(tls.minimumProtocol()).isEqualTo(TlsVersion.TLS_V1_2);
        }

        @Test
        void anInsecureHostIsRefusedSayingThereAreNoTlsaRecords() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.SECURE,
                host(DaneHostOutcome.INSECURE, true)), DeliveryPolicy.DANE_REQUIRED));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.REFUSE);
            assertThat(plan.reason()).startsWith("no DANE TLSA records for mx.example.test");
        }

        @Test
        void aSecureUnusableHostIsRefused() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.SECURE,
                host(DaneHostOutcome.SECURE_UNUSABLE, true, UNUSABLE)), DeliveryPolicy.DANE_REQUIRED));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.REFUSE);
            assertThat(plan.reason()).startsWith("no usable DANE TLSA records for mx.example.test");
        }

        @Test
        void anInsecureMxRrsetRefusesEvenASecureUsableHost() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.INSECURE,
                host(DaneHostOutcome.SECURE_USABLE, true, RECORD)), DeliveryPolicy.DANE_REQUIRED));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.REFUSE);
            assertThat(plan.reason()).contains("the MX RRset of example.test is not DNSSEC-secure");
        }

        @Test
        void anIndeterminateHostIsRefused() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.SECURE,
                host(DaneHostOutcome.INDETERMINATE, true)), DeliveryPolicy.DANE_REQUIRED));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.REFUSE);
            assertThat(plan.reason()).contains("indeterminate");
        }
    }

    @Nested
    class DaneOpportunistic {
        @Test
        void aSecureUsableHostIsAuthenticatedEvenBehindAnInsecureMxRrset() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.INSECURE,
                host(DaneHostOutcome.SECURE_USABLE, true, RECORD)), DeliveryPolicy.DANE_OPPORTUNISTIC));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.DANE_TLS);
            assertThat(plan.tls().orElseThrow().referenceIdentifiers()).contains("mx.example.test");
        }

        @Test
        void aSecureUnusableHostNeedsTlsWithoutAuthentication() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.SECURE,
                host(DaneHostOutcome.SECURE_UNUSABLE, true, UNUSABLE)), DeliveryPolicy.DANE_OPPORTUNISTIC));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.TLS_UNAUTHENTICATED);
            assertThat(plan.tlsRequired()).isTrue();
            assertThat(plan.tls().orElseThrow().mode()).isEqualTo(DaneConnectionPolicy.Mode.UNAUTHENTICATED);
        }

        @Test
        void anInsecureHostGetsOpportunisticStarttls() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.INSECURE,
                host(DaneHostOutcome.INSECURE, true)), DeliveryPolicy.DANE_OPPORTUNISTIC));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.OPPORTUNISTIC_TLS);
            assertThat(plan.tlsRequired()).isFalse();
        }

        @Test
        void anIndeterminateHostIsRefused() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.SECURE,
                host(DaneHostOutcome.INDETERMINATE, true)), DeliveryPolicy.DANE_OPPORTUNISTIC));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.REFUSE);
        }

        @Test
        void aHostWithoutAddressIsRefused() {
            HostPlan plan = only(planner.plan(destination(DnssecStatus.SECURE,
                host(DaneHostOutcome.INSECURE, false)), DeliveryPolicy.DANE_OPPORTUNISTIC));

            assertThat(plan.action()).isEqualTo(HostPlan.Action.REFUSE);
            assertThat(plan.reason()).isEqualTo("no address for mx.example.test");
        }
    }

    @Test
    void aFailedMxLookupRefusesTheDestinationWithTheReason() {
        DnsResult failure = new DnsResult.Failure(DOMAIN, Type.MX, DnsResult.Failure.Kind.SERVFAIL, "bogus: bad sig");
        DeliveryPlan plan = planner.plan(new DaneLookup.Destination(DOMAIN, failure, DnssecStatus.INDETERMINATE,
            DaneLookup.MxSource.FAILED, List.of()), DeliveryPolicy.DANE_OPPORTUNISTIC);

        HostPlan host = only(plan);
        assertThat(host.host()).isEqualTo("example.test");
        assertThat(host.action()).isEqualTo(HostPlan.Action.REFUSE);
        assertThat(host.reason()).isEqualTo("MX lookup of example.test failed (SERVFAIL: bogus: bad sig)");
    }

    @Test
    void aNullMxOrMissingDomainHasNoHost() {
        DnsResult nx = new DnsResult.NxDomain(DOMAIN, Type.MX, Duration.ofSeconds(60), true);
        DeliveryPlan plan = planner.plan(new DaneLookup.Destination(DOMAIN, nx, DnssecStatus.SECURE,
            DaneLookup.MxSource.NO_SUCH_DOMAIN, List.of()), DeliveryPolicy.DANE_REQUIRED);

        assertThat(plan.hosts()).isEmpty();
    }

    @Test
    void policiesParseStrictly() {
        assertThat(DeliveryPolicy.parse(" dane-required ")).isEqualTo(DeliveryPolicy.DANE_REQUIRED);
        assertThat(DeliveryPolicy.parse("dane-opportunistic")).isEqualTo(DeliveryPolicy.DANE_OPPORTUNISTIC);
        assertThatThrownBy(() -> DeliveryPolicy.parse("dane"))
            .hasMessage("'dane' is not a delivery policy (expected dane-required or dane-opportunistic)");
    }
}
