package org.tesjames.core.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tesjames.core.auth.SmtpIdentity;
import org.tesjames.core.auth.SpfCheck;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.dns.DnsJavaClient;
import org.tesjames.testing.dns.Fault;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.dns.TestZone;
import org.tesjames.testing.dns.UnknownNamePolicy;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.yaml.snakeyaml.Yaml;

/**
 * The RFC 7208 test suite ({@code spf/rfc7208-tests.yml}, see {@code spf/README.md}): every case of every
 * scenario through {@link SpfVerifier}, the scenario's zone data served by the test DNS server, the result
 * compared with the results the suite accepts and the explanation with the one it gives.
 *
 * <p>How the zone data is served follows the suite's own driver (pyspf's {@code testspf.py}):
 * <ul>
 *   <li>{@code SPF} entries are served as TXT records of the name unless the name has {@code TXT} entries
 *       (RFC 7208 uses TXT only); {@code TXT: NONE} means "no TXT record";</li>
 *   <li>{@code TIMEOUT} makes every query of the name time out (the client gets no answer), except for the types
 *       that have entries before it;</li>
 *   <li>a name without any entry of a type gets NODATA, a name not in the data NXDOMAIN;</li>
 *   <li>TXT strings are sent as their UTF-8 octets, as the driver does.</li>
 * </ul>
 *
 * <p>The explanation is compared when the suite gives one; {@code DEFAULT} (the driver's default explanation)
 * means the record's {@code exp=} gave none. No case is skipped.
 */
class Rfc7208SuiteTest {
    /** What the suite holds (README "Message authentication"). */
    static final int SCENARIOS = 16;
    static final int CASES = 203;
    private static final String SUITE = "/spf/rfc7208-tests.yml";
    /** The types a check_host() evaluation queries; a TIMEOUT entry makes the others time out. */
    private static final int[] QUERIED_TYPES = {Type.TXT, Type.A, Type.AAAA, Type.MX, Type.PTR};

    /**
     * Cases whose explanation is compared without regard to case, and why. {@code v-macro-ip6}: the suite expects
     * the nibbles of {@code %{ir}} for an IPv6 client in upper case (what pyspf prints); RFC 7208 section 7.4's
     * own example of that macro is in lower case, which is what the project prints. Only the letter case of the
     * hex digits differs; the DNS names built from them are the same (RFC 4343).
     */
    private static final Map<String, String> EXPLANATION_IGNORING_CASE = Map.of("v-macro-ip6",
        "hex digits of %{ir}: lower case in RFC 7208 section 7.4, upper case in the suite");

    private static TestDnsServer dns;
    private static SpfVerifier verifier;
    private static Scenario served;
    private static final List<String> ZONES = new ArrayList<>();

    record Case(String name, String helo, String host, String mailFrom, List<String> results, String explanation) {
    }

    record Scenario(String description, Map<String, List<Object>> zoneData, List<Case> cases) {
    }

    @BeforeAll
    static void startDns() {
        dns = TestDnsServer.builder().unknownNames(UnknownNamePolicy.NXDOMAIN).start();
        verifier = new SpfVerifier(DnsJavaClient.create(List.of(dns.address()), Duration.ofMillis(500), 0),
            Duration.ofSeconds(20), "receiver.example.net");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void theSuiteHoldsTheScenariosAndCasesTheReadmeStates() throws IOException {
        List<Scenario> scenarios = load();

        assertThat(scenarios).hasSize(SCENARIOS);
        assertThat(scenarios.stream().mapToInt(scenario -> scenario.cases().size()).sum()).isEqualTo(CASES);
        assertThat(scenarios.stream().flatMap(scenario -> scenario.cases().stream()).map(Case::name)
            .distinct().count()).as("case names are unique").isEqualTo(CASES);
    }

    @TestFactory
    Stream<DynamicContainer> everyCaseGivesAnAcceptedResult() throws IOException {
        return load().stream().map(scenario -> DynamicContainer.dynamicContainer(scenario.description(),
            scenario.cases().stream().map(test -> DynamicTest.dynamicTest(test.name(), () -> run(scenario, test)))));
    }

    private static void run(Scenario scenario, Case test) throws Exception {
        serve(scenario);
        SpfCheck check = verifier.check(new SmtpIdentity(InetAddress.getByName(test.host()), test.helo(),
            test.mailFrom())).toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(check.result().keyword()).as("%s: %s", test.name(), check)
            .isIn(test.results());
        if (test.explanation() != null) {
            String explanation = check.explanation().orElse("DEFAULT");
            if (EXPLANATION_IGNORING_CASE.containsKey(test.name())) {
                assertThat(explanation).as(EXPLANATION_IGNORING_CASE.get(test.name()))
                    .isEqualToIgnoringCase(test.explanation());
            } else {
                assertThat(explanation).as("%s: explanation of %s", test.name(), check)
                    .isEqualTo(test.explanation());
            }
        }
    }

    /** Replaces the DNS data with the scenario's, once per scenario. */
    private static synchronized void serve(Scenario scenario) {
        if (served == scenario) {
            return;
        }
        ZONES.forEach(dns::removeZone);
        ZONES.clear();
        dns.clearFaults();
        for (Map.Entry<String, List<Object>> entry : scenario.zoneData().entrySet()) {
            String owner = entry.getKey();
            Name name = SpfNames.toName(owner).orElseThrow(() -> new IllegalStateException("owner " + owner));
            String topLevel = name.getLabelString(name.labels() - 2).toLowerCase(Locale.ROOT);
            if (!ZONES.contains(topLevel)) {
                ZONES.add(topLevel);
            }
            TestZone zone = dns.zone(topLevel).unsigned();
            List<Record> records = new ArrayList<>();
            List<Record> spf = new ArrayList<>();
            boolean txt = false;
            Set<Integer> answered = new LinkedHashSet<>();
            boolean timeout = false;
            for (Object item : entry.getValue()) {
                if ("TIMEOUT".equals(item)) {
                    timeout = true;
                    break;
                }
                @SuppressWarnings("unchecked")
                Map.Entry<String, Object> rr = ((Map<String, Object>) item).entrySet().iterator().next();
                String type = rr.getKey();
                Object value = rr.getValue();
                if (type.equals("TXT")) {
                    txt = true;
                    if ("NONE".equals(value)) {
                        continue;
                    }
                }
                Record record = record(name, type, value);
                (type.equals("SPF") ? spf : records).add(record);
                answered.add(type.equals("SPF") ? Type.SPF : record.getType());
            }
            if (!txt) {
                records.addAll(spf); // the driver adds them after every entry, a TIMEOUT included
            }
            if (!records.isEmpty()) {
                zone.add(records.toArray(new Record[0]));
            }
            if (timeout) {
                for (int type : QUERIED_TYPES) {
                    if (!answered.contains(type)) {
                        dns.fault(owner, type, Fault.noAnswer());
                    }
                }
            }
        }
        served = scenario;
    }

    private static Record record(Name name, String type, Object value) {
        long ttl = 300;
        try {
            return switch (type) {
                case "A" -> new ARecord(name, DClass.IN, ttl, InetAddress.getByName((String) value));
                case "AAAA" -> new AAAARecord(name, DClass.IN, ttl,
                    InetAddress.getByAddress(Address.toByteArray((String) value, Address.IPv6)));
                case "MX" -> {
                    List<?> mx = (List<?>) value;
                    String target = (String) mx.get(1);
                    yield new MXRecord(name, DClass.IN, ttl, (Integer) mx.get(0),
                        target.isEmpty() ? Name.root : SpfNames.toName(target).orElseThrow());
                }
                case "PTR" -> new PTRRecord(name, DClass.IN, ttl, SpfNames.toName((String) value).orElseThrow());
                case "CNAME" -> new CNAMERecord(name, DClass.IN, ttl, SpfNames.toName((String) value).orElseThrow());
                case "TXT", "SPF" -> {
                    List<byte[]> strings = new ArrayList<>();
                    for (Object string : value instanceof List<?> list ? list : List.of(value)) {
                        strings.add(((String) string).getBytes(StandardCharsets.UTF_8));
                    }
                    yield txt(name, ttl, strings);
                }
                default -> throw new IllegalStateException("record type " + type + " in the suite");
            };
        } catch (IOException e) {
            throw new IllegalStateException(type + " " + value, e);
        }
    }

    /** A TXT record of these octet strings (possibly none: the suite's "null text"). */
    private static Record txt(Name name, long ttl, List<byte[]> strings) throws IOException {
        ByteArrayOutputStream rdata = new ByteArrayOutputStream();
        for (byte[] string : strings) {
            rdata.write(string.length);
            rdata.write(string);
        }
        return Record.newRecord(name, Type.TXT, DClass.IN, ttl, rdata.toByteArray());
    }

    @SuppressWarnings("unchecked")
    static List<Scenario> load() throws IOException {
        List<Scenario> scenarios = new ArrayList<>();
        try (InputStream in = Rfc7208SuiteTest.class.getResourceAsStream(SUITE)) {
            assertThat(in).as(SUITE).isNotNull();
            for (Object document : new Yaml().loadAll(in)) {
                Map<String, Object> scenario = (Map<String, Object>) document;
                Map<String, List<Object>> zoneData = new LinkedHashMap<>();
                ((Map<String, Object>) scenario.get("zonedata")).forEach((owner, entries) ->
                    zoneData.put(owner, entries == null ? List.of() : (List<Object>) entries));
                List<Case> cases = new ArrayList<>();
                ((Map<String, Map<String, Object>>) scenario.get("tests")).forEach((name, test) -> {
                    Object result = test.get("result");
                    cases.add(new Case(name, text(test.get("helo")), text(test.get("host")),
                        text(test.get("mailfrom")),
                        result instanceof List<?> list ? list.stream().map(String::valueOf).toList()
                            : List.of(String.valueOf(result)),
                        test.get("explanation") == null ? null : text(test.get("explanation"))));
                });
                scenarios.add(new Scenario(String.valueOf(scenario.get("description")), zoneData, cases));
            }
        }
        return scenarios;
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }
}
