package org.tesjames.core.sts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.tlsrpt.ResultType;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The operator's view of MTA-STS over scripted DNS answers and a scripted fetch. */
class StsInspectionTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private final Map<String, DnsResult> answers = new ConcurrentHashMap<>();
    private final Map<String, String> policies = new ConcurrentHashMap<>();
    private final DnsClient dns = (name, type) -> CompletableFuture.completedFuture(answers.getOrDefault(
        name + "/" + Type.string(type), new DnsResult.NxDomain(name, type, Duration.ofSeconds(60), false)));
    private final StsPolicies sts = new StsPolicies(dns, domain -> {
        String policy = policies.get(domain);
        if (policy == null) {
            throw new StsFetchException(ResultType.STS_POLICY_FETCH_ERROR, "connection refused", null);
        }
        return policy;
    }, Clock.systemUTC(), DEADLINE, 10);

    private void answer(String name, int type, Record... records) throws Exception {
        Name owner = Name.fromString(name);
        answers.put(owner + "/" + Type.string(type), new DnsResult.Answer(owner, type, List.of(records),
            Duration.ofSeconds(60), false));
    }

    private static TXTRecord txt(String name, String text) throws Exception {
        return new TXTRecord(Name.fromString(name), DClass.IN, 60, text);
    }

    private static MXRecord mx(String domain, int preference, String host) throws Exception {
        return new MXRecord(Name.fromString(domain), DClass.IN, 60, preference, Name.fromString(host));
    }

    @Test
    void aPolicyWithEachMxHostByPreferenceAndWhetherItIsAdmitted() throws Exception {
        answer("_mta-sts.a.test.", Type.TXT, txt("_mta-sts.a.test.", "v=STSv1; id=1;"));
        answer("a.test.", Type.MX, mx("a.test.", 30, "Other.Test."), mx("a.test.", 10, "mx1.a.test."),
            mx("a.test.", 20, "x.backup.a.test."));
        policies.put("a.test", "version: STSv1\nmode: enforce\nmx: mx1.a.test\nmx: *.backup.a.test\nmax_age: 600\n");

        StsInspection inspection = StsInspection.inspect(dns, sts, "a.test", DEADLINE);

        assertThat(inspection.txtRecords()).containsExactly("v=STSv1; id=1;");
        assertThat(inspection.lookup()).isInstanceOf(StsLookup.Found.class);
        assertThat(inspection.hosts()).containsExactly(new StsInspection.MxHost(10, "mx1.a.test", true),
            new StsInspection.MxHost(20, "x.backup.a.test", true), new StsInspection.MxHost(30, "other.test", false));
        assertThat(inspection.admitted()).isEqualTo(2);
        assertThat(inspection.temporaryFailure()).isFalse();
        assertThat(sts.cached("a.test")).as("the cache delivery reads").isPresent();
    }

    @Test
    void noRecordIsNoPolicyWithoutMxLookup() {
        StsInspection inspection = StsInspection.inspect(dns, sts, "b.test", DEADLINE);

        assertThat(inspection.txt()).isInstanceOf(DnsResult.NxDomain.class);
        assertThat(inspection.txtRecords()).isEmpty();
        assertThat(inspection.lookup()).isInstanceOf(StsLookup.None.class);
        assertThat(inspection.mx()).isEmpty();
        assertThat(inspection.hosts()).isEmpty();
        assertThat(inspection.temporaryFailure()).isFalse();
    }

    @Test
    void aFailedTxtLookupOrFetchIsTemporary() throws Exception {
        Name owner = Name.fromString("_mta-sts.c.test.");
        answers.put(owner + "/TXT", new DnsResult.Failure(owner, Type.TXT, DnsResult.Failure.Kind.SERVFAIL, "test"));
        assertThat(StsInspection.inspect(dns, sts, "c.test", DEADLINE).temporaryFailure()).isTrue();

        answer("_mta-sts.d.test.", Type.TXT, txt("_mta-sts.d.test.", "v=STSv1; id=1;"));
        StsInspection unreachable = StsInspection.inspect(dns, sts, "d.test", DEADLINE);
        assertThat(unreachable.lookup()).isInstanceOf(StsLookup.None.class);
        assertThat(unreachable.temporaryFailure()).isTrue();
    }

    @Test
    void aResolverErrorAndASilentResolverAreLabelledAsSuchForTheQueriedName() {
        DnsClient failing = (name, type) -> CompletableFuture.failedFuture(new java.io.IOException("socket closed"));
        StsPolicies failingSts = new StsPolicies(failing, domain -> "", Clock.systemUTC(), DEADLINE, 10);
        DnsResult.Failure error = (DnsResult.Failure) StsInspection.inspect(failing, failingSts, "e.test", DEADLINE)
            .txt();
        assertThat(error.kind()).isEqualTo(DnsResult.Failure.Kind.NETWORK_ERROR);
        assertThat(error.name().toString()).isEqualTo("_mta-sts.e.test.");
        assertThat(error.detail()).contains("socket closed");

        DnsClient silent = (name, type) -> new CompletableFuture<>();
        Duration shortWait = Duration.ofMillis(50);
        StsPolicies silentSts = new StsPolicies(silent, domain -> "", Clock.systemUTC(), shortWait, 10);
        DnsResult.Failure timeout = (DnsResult.Failure) StsInspection.inspect(silent, silentSts, "f.test", shortWait)
            .txt();
        assertThat(timeout.kind()).isEqualTo(DnsResult.Failure.Kind.TIMEOUT);
        assertThat(timeout.name().toString()).isEqualTo("_mta-sts.f.test.");
    }
}
