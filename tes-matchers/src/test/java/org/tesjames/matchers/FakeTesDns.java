package org.tesjames.matchers;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.membership.MembershipResolver;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A DNS behind a real {@link MembershipResolver}: member domains have the full chain under master
 * {@value #MASTER}, failing domains answer SERVFAIL at {@code tes-master.D}, silent domains never answer, every
 * other name is NXDOMAIN. Records every query.
 */
public final class FakeTesDns implements DnsClient {
    static final String MASTER = "master.example.net.";
    private static final String REGISTRY = MASTER + "tes-member." + MembershipResolver.DEFAULT_REGISTRY_ROOT + ".";

    private final Set<String> members = ConcurrentHashMap.newKeySet();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    public final List<String> queries = new CopyOnWriteArrayList<>();

    public FakeTesDns member(String... domains) {
        members.addAll(List.of(domains));
        return this;
    }

    public FakeTesDns failing(String... domains) {
        failing.addAll(List.of(domains));
        return this;
    }

    public FakeTesDns silent(String... domains) {
        silent.addAll(List.of(domains));
        return this;
    }

    public MembershipResolver resolver() {
        return new MembershipResolver(this, MembershipResolver.DEFAULT_REGISTRY_ROOT);
    }

    /** The default settings with the given lookup deadline. */
    public static TesSettings settings(Duration lookupTimeout) {
        Properties properties = new Properties();
        properties.setProperty(TesSettings.LOOKUP_TIMEOUT, lookupTimeout.toMillis() + "ms");
        return TesSettings.parse(properties);
    }

    /** How many membership chains were started (CNAME tes-master.* queries). */
    public long lookups() {
        return queries.stream().filter(q -> q.endsWith("/CNAME")).count();
    }

    @Override
    public CompletableFuture<DnsResult> query(Name name, int type) {
        String text = name.toString();
        queries.add(text + "/" + Type.string(type));
        if (type == Type.CNAME && text.startsWith("tes-master.")) {
            String domain = text.substring("tes-master.".length(), text.length() - 1);
            if (silent.contains(domain)) {
                return new CompletableFuture<>();
            }
            if (failing.contains(domain)) {
                return CompletableFuture.completedFuture(
                    new DnsResult.Failure(name, type, DnsResult.Failure.Kind.SERVFAIL, "test"));
            }
            if (members.contains(domain)) {
                return CompletableFuture.completedFuture(new DnsResult.Answer(name, type,
                    List.of(new CNAMERecord(name, DClass.IN, 300, Name.fromConstantString(MASTER))),
                    Duration.ofSeconds(300), false));
            }
        }
        if (type == Type.TXT && (text.equals(REGISTRY) || members.stream()
            .anyMatch(domain -> text.equals(domain + ".tes-member." + MASTER)))) {
            return CompletableFuture.completedFuture(new DnsResult.Answer(name, type,
                List.of(new TXTRecord(name, DClass.IN, 300, "member")), Duration.ofSeconds(300), false));
        }
        return CompletableFuture.completedFuture(new DnsResult.NxDomain(name, type, Duration.ofSeconds(300), false));
    }
}
