package org.tesjames.mailets.webadmin;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.config.TesSettings;
import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.delivery.DeliveryPlanner;
import org.tesjames.core.dane.delivery.DeliveryPolicy;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyStore;
import org.tesjames.core.dkim.sign.DkimRecordCheck;
import org.tesjames.core.dkim.sign.ReloadingDkimKeyStore;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.RecordingDnsClient;
import org.tesjames.core.membership.DomainNames;
import org.tesjames.core.membership.MembershipResolver;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.sts.StsInspection;
import org.tesjames.core.sts.StsPolicies;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.mailets.DkimSigning;
import org.tesjames.mailets.OutboundPlanning;
import org.tesjames.mailets.OutboundSts;
import org.tesjames.mailets.TesModule;
import org.tesjames.mailets.dns.TesDnsClients;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * TES's WebAdmin routes, named in {@code webadmin.properties}:
 * <pre>extensions.routes=org.tesjames.mailets.webadmin.TesRoutes</pre>
 * James creates them through the injector of {@code extensions.properties}'s {@code guice.extension.module}
 * ({@link TesModule}), so they share the DNS caches, the membership resolver and the DKIM key store of the mail
 * path. They are private routes: James's WebAdmin authentication (JWT or password), when configured, applies.
 * Every body is JSON; errors use James's format ({@link ErrorResponder}: {@code statusCode}, {@code type},
 * {@code message}, {@code details}).
 *
 * <ul>
 * <li>{@code GET /tes/membership/{domain}[?cache=false]}: the verdict ({@code member}, {@code not-member},
 * {@code temporary-failure}: always HTTP 200, the failure being the diagnosis), the master, the TTL, each query
 * with its outcome and TTL. {@code cache=false} asks the resolvers afresh (the cache is neither read nor
 * changed).</li>
 * <li>{@code GET /tes/dane/{domain}}: the outbound plan as delivery makes it: membership, policy, MX lookup, per
 * host addresses, TLSA records with their usability, DANE outcome, action and reason. 404 for a domain that
 * does not exist (NXDOMAIN).</li>
 * <li>{@code GET /tes/sts/{domain}}: MTA-STS as {@code tes sts} shows it, from the policy cache delivery uses:
 * the {@code _mta-sts} TXT lookup, the policy in force ({@code state} {@code policy}) or why there is none
 * ({@code no-policy}, or {@code temporary-failure} for a failed DNS lookup or fetch: HTTP 200 all the same), and
 * with a policy each MX host and whether the policy admits it. 409 while MTA-STS is off ({@code sts.enabled=false}).
 * A lookup may fetch the policy and fill the cache, as the next delivery would.</li>
 * <li>{@code GET /tes/dkim/keys}, {@code GET /tes/dkim/keys/{domain}}: every key file with algorithm, size,
 * active or not, and whether the published record matches ({@link DkimRecordCheck}; {@code ?cache=false} as
 * above); 404 for a domain without key. {@code POST /tes/dkim/keys?action=reload} reloads the key directory
 * now. 409 while signing is disabled ({@code dkim.keys=none}).</li>
 * <li>{@code DELETE /tes/dns/cache[?name=N]}: empties both TES DNS caches, or forgets one name (every type).</li>
 * <li>{@code GET /tes/settings}: the effective {@code tes.properties}, with each default; values of keys naming
 * a secret ({@code secret}, {@code password}, {@code token}, {@code credential}) are redacted.</li>
 * </ul>
 * Malformed domains, names and parameters: 400 {@code InvalidArgument}. Lookups wait at most
 * {@code lookup.timeout} (the DANE plan twice that, as delivery does); what has not answered by then is a
 * temporary failure.
 */
public class TesRoutes implements Routes {
    public static final String BASE_PATH = "/tes";
    static final String REDACTED = "***";
    private static final Pattern SECRET_KEY = Pattern.compile(".*(secret|password|token|credential).*");
    private static final Logger LOGGER = LoggerFactory.getLogger(TesRoutes.class);

    private final TesSettings settings;
    private final TesDnsClients dns;
    private final MembershipResolver membership;
    private final DaneLookup daneLookup;
    private final DkimSigning dkimSigning;
    private final OutboundSts outboundSts;
    private final JsonTransformer json;

    @Inject
    public TesRoutes(TesSettings settings, TesDnsClients dns, MembershipResolver membership, DaneLookup daneLookup,
                     DkimSigning dkimSigning, OutboundSts outboundSts, JsonTransformer json) {
        this.settings = settings;
        this.dns = dns;
        this.membership = membership;
        this.daneLookup = daneLookup;
        this.dkimSigning = dkimSigning;
        this.outboundSts = outboundSts;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.get(BASE_PATH + "/membership/:domain", this::membership, json);
        service.get(BASE_PATH + "/dane/:domain", this::dane, json);
        service.get(BASE_PATH + "/sts/:domain", this::sts, json);
        service.get(BASE_PATH + "/dkim/keys", (request, response) -> dkimKeys(request, Optional.empty()), json);
        service.get(BASE_PATH + "/dkim/keys/:domain",
            (request, response) -> dkimKeys(request, Optional.of(domain(request))), json);
        service.post(BASE_PATH + "/dkim/keys", this::dkimAction, json);
        service.delete(BASE_PATH + "/dns/cache", this::flushCache, json);
        service.get(BASE_PATH + "/settings", (request, response) -> settings(), json);
    }

    private TesViews.Membership membership(Request request, Response response) {
        String domain = domain(request);
        boolean cache = cache(request);
        RecordingDnsClient recording = new RecordingDnsClient(cache ? dns.plain() : dns.plainResolvers());
        MembershipVerdict verdict = new MembershipResolver(recording, settings.registryRoot())
            .resolveWithin(domain, settings.lookupTimeout());
        return TesViews.Membership.of(verdict, settings.registryRoot(), cache,
            recording.exchanges().stream().map(TesViews.Query::of).toList());
    }

    private TesViews.DanePlan dane(Request request, Response response) {
        String domain = domain(request);
        MembershipVerdict verdict = membership.resolveWithin(domain, settings.lookupTimeout());
        TesViews.MembershipSummary summary = TesViews.MembershipSummary.of(verdict);
        if (verdict instanceof MembershipVerdict.TemporaryFailure) {
            return new TesViews.DanePlan(domain, summary, Optional.empty(), "reschedule", Optional.empty(),
                List.of());
        }
        DeliveryPolicy policy = verdict instanceof MembershipVerdict.Member
            ? DeliveryPolicy.DANE_REQUIRED : DeliveryPolicy.DANE_OPPORTUNISTIC;
        // The plan's actions and reasons do not depend on the minimum TLS version (it only goes into the TLS
        // policy of each connection), which is a TesRemoteDelivery parameter.
        DeliveryPlanner planner = new DeliveryPlanner(TlsVersion.TLS_V1_2, new DaneVerifier(Clock.systemUTC()));
        OutboundPlanning.Planned planned = OutboundPlanning.plan(daneLookup, planner, policy, domain,
            OutboundPlanning.deadline(settings));
        Optional<DaneLookup.Destination> destination = planned.destination();
        if (destination.isPresent() && destination.get().mxSource() == DaneLookup.MxSource.NO_SUCH_DOMAIN) {
            throw ErrorResponder.builder().statusCode(404).type(ErrorResponder.ErrorType.NOT_FOUND)
                .message("Domain %s does not exist (MX lookup: NXDOMAIN): mail to it bounces", domain)
                .haltError();
        }
        List<TesViews.Host> hosts = new ArrayList<>();
        for (HostPlan host : planned.plan().hosts()) {
            hosts.add(TesViews.Host.of(host, destination.flatMap(facts -> facts.hosts().stream()
                .filter(candidate -> candidate.name().toString(true).equalsIgnoreCase(host.host())).findFirst())));
        }
        String delivery = hosts.isEmpty() ? "bounce"
            : planned.plan().hosts().stream().allMatch(host -> host.action() == HostPlan.Action.REFUSE) ? "retry"
            : "deliver";
        return new TesViews.DanePlan(domain, summary, Optional.of(policy.label()), delivery,
            destination.map(TesViews.Mx::of), hosts);
    }

    private TesViews.Sts sts(Request request, Response response) {
        String domain = domain(request);
        StsPolicies policies = outboundSts.policies().orElseThrow(() -> ErrorResponder.builder()
            .statusCode(409).type(ErrorResponder.ErrorType.WRONG_STATE)
            .message("MTA-STS is disabled (sts.enabled=false): no policy applies to %s", domain).haltError());
        return TesViews.Sts.of(domain, StsInspection.inspect(dns.plain(), policies, domain,
            settings.lookupTimeout()));
    }

    private TesViews.DkimKeys dkimKeys(Request request, Optional<String> domain) {
        boolean cache = cache(request);
        Optional<ReloadingDkimKeyStore> store = dkimSigning.store();
        if (store.isEmpty()) {
            if (domain.isPresent()) {
                throw notFound("DKIM signing is disabled (dkim.keys=none): no key for %s", domain.get());
            }
            return new TesViews.DkimKeys(false, Optional.empty(), Optional.empty(), List.of(), List.of());
        }
        DkimKeyStore snapshot = store.get().snapshot();
        List<String> domains = domain.map(List::of).orElseGet(() -> snapshot.domains().stream().sorted().toList());
        Map<DkimKey, CompletableFuture<DkimRecordCheck>> checks = new LinkedHashMap<>();
        DnsClient client = cache ? dns.plain() : dns.plainResolvers();
        for (String name : domains) {
            for (DkimKey key : snapshot.allKeys(name)) {
                checks.put(key, DkimRecordCheck.check(client, key).toCompletableFuture());
            }
        }
        if (domain.isPresent() && checks.isEmpty()) {
            throw notFound("No DKIM key for %s in %s", domain.get(), snapshot.root());
        }
        awaitAll(checks.values(), settings.lookupTimeout());
        List<TesViews.DkimKeyView> keys = new ArrayList<>();
        checks.forEach((key, check) -> keys.add(TesViews.DkimKeyView.of(key,
            snapshot.activeKeys(key.domain()).contains(key), outcome(key, check))));
        List<TesViews.Problem> problems = snapshot.problems().stream()
            .filter(problem -> domain.isEmpty() || problem.domain().equals(domain.get()))
            .map(TesViews.Problem::of).toList();
        return new TesViews.DkimKeys(true, Optional.of(snapshot.root().toString()),
            Optional.of(store.get().loadedAt()), keys, problems);
    }

    private DkimRecordCheck outcome(DkimKey key, CompletableFuture<DkimRecordCheck> check) {
        if (check.isDone()) {
            return check.join();
        }
        return new DkimRecordCheck(DkimRecordCheck.Status.TEMPORARY_FAILURE, DkimRecordCheck.recordName(key),
            List.of(), "no answer within " + settings.lookupTimeout().toMillis() + " ms");
    }

    private TesViews.DkimReload dkimAction(Request request, Response response) {
        String action = request.queryParams("action");
        if (!"reload".equals(action)) {
            throw invalid("action must be 'reload', got %s", action == null ? "none" : "'" + action + "'");
        }
        ReloadingDkimKeyStore store = dkimSigning.store().orElseThrow(() -> ErrorResponder.builder()
            .statusCode(409).type(ErrorResponder.ErrorType.WRONG_STATE)
            .message("DKIM signing is disabled (dkim.keys=none): there are no keys to reload").haltError());
        try {
            store.reload();
        } catch (IOException e) {
            throw ErrorResponder.builder().statusCode(500).type(ErrorResponder.ErrorType.SERVER_ERROR)
                .message("Cannot list the DKIM key directory %s: the loaded keys stay", store.snapshot().root())
                .cause(e).haltError();
        }
        DkimKeyStore snapshot = store.snapshot();
        LOGGER.info("TES DKIM keys reloaded through WebAdmin from {}: {} domains, {} problems", snapshot.root(),
            snapshot.domains().size(), snapshot.problems().size());
        return new TesViews.DkimReload(store.loadedAt(), snapshot.domains().stream().sorted().toList(),
            snapshot.problems().stream().map(TesViews.Problem::of).toList());
    }

    private TesViews.CacheFlush flushCache(Request request, Response response) {
        String name = request.queryParams("name");
        if (name == null) {
            int removed = dns.clear();
            LOGGER.info("TES DNS caches emptied through WebAdmin: {} entries removed", removed);
            return new TesViews.CacheFlush(Optional.empty(), removed);
        }
        Name parsed;
        try {
            parsed = Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw invalid("Invalid DNS name '%s': %s", name, e.getMessage());
        }
        int removed = dns.invalidate(parsed);
        LOGGER.info("TES DNS caches: {} forgotten through WebAdmin, {} entries removed", parsed, removed);
        return new TesViews.CacheFlush(Optional.of(parsed.toString()), removed);
    }

    private List<TesViews.Setting> settings() {
        Map<String, String> defaults = TesSettings.defaults().effectiveValues();
        List<TesViews.Setting> view = new ArrayList<>();
        settings.effectiveValues().forEach((key, value) -> view.add(setting(key, value, defaults.get(key))));
        return view;
    }

    static TesViews.Setting setting(String key, String value, String defaultValue) {
        boolean isDefault = value.equals(defaultValue);
        if (SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches()) {
            return new TesViews.Setting(key, REDACTED, REDACTED, isDefault);
        }
        return new TesViews.Setting(key, value, defaultValue, isDefault);
    }

    /** The {@code :domain} parameter, normalised; 400 when it is not a domain TES could look up. */
    private static String domain(Request request) {
        String raw = request.params(":domain");
        DomainNames.Normalised normalised = DomainNames.normalise(raw);
        return normalised.domain().orElseThrow(() -> invalid("Invalid domain '%s': %s", raw, normalised.problem()));
    }

    /** {@code ?cache=}: absent or {@code true} reads the cache, {@code false} asks the resolvers. */
    private static boolean cache(Request request) {
        String value = request.queryParams("cache");
        if (value == null || value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw invalid("cache must be true or false, got '%s'", value);
    }

    private static void awaitAll(Iterable<? extends CompletableFuture<?>> futures, Duration timeout) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        futures.forEach(all::add);
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the unfinished ones are reported as temporary failures
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static spark.HaltException invalid(String message, Object... args) {
        return ErrorResponder.builder().statusCode(400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
            .message(message, args).haltError();
    }

    private static spark.HaltException notFound(String message, Object... args) {
        return ErrorResponder.builder().statusCode(404).type(ErrorResponder.ErrorType.NOT_FOUND)
            .message(message, args).haltError();
    }
}
