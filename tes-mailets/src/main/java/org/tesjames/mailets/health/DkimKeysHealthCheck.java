package org.tesjames.mailets.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.Result;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyStore;
import org.tesjames.core.dkim.sign.DkimRecordCheck;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.mailets.DkimSigning;

/**
 * {@code tes-dkim-keys}: every file of the key directory ({@code dkim.keys}) loaded as last (re)loaded, else
 * unhealthy (a domain may be left without its key); the TXT record of every active key published and matching
 * ({@link DkimRecordCheck}, what {@code tes dkim check} reports), else degraded (the mail is signed, but verifiers
 * fail the signature); a key record that could not be looked up is degraded too (not checked). Healthy, saying so,
 * when signing is disabled ({@code dkim.keys=none}). The lookups go through the TES DNS cache (their TTL bounds how
 * long a fixed record still shows as missing).
 */
public class DkimKeysHealthCheck extends TesHealthCheck {
    public static final ComponentName NAME = new ComponentName("tes-dkim-keys");

    private final DkimSigning signing;
    private final DnsClient dns;
    private final HealthProbes probes;

    @Inject
    public DkimKeysHealthCheck(DkimSigning signing, DnsClient dns, HealthProbes probes) {
        super(NAME);
        this.signing = signing;
        this.dns = dns;
        this.probes = probes;
    }

    @Override
    Result run() throws InterruptedException {
        Optional<DkimKeyStore> loaded = signing.keyStore();
        if (loaded.isEmpty()) {
            return Result.healthy(NAME);
        }
        DkimKeyStore store = loaded.get();
        if (!store.problems().isEmpty()) {
            return Result.unhealthy(NAME, store.problems().size() + " key file(s) did not load: "
                + String.join("; ", store.problems().stream().map(Object::toString).toList()));
        }
        List<DkimKey> keys = new ArrayList<>();
        store.domains().forEach(domain -> keys.addAll(store.activeKeys(domain)));
        List<CompletableFuture<DkimRecordCheck>> checks = keys.stream()
            .map(key -> DkimRecordCheck.check(dns, key).toCompletableFuture()).toList();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            DkimKey key = keys.get(i);
            String which = key.selector() + "._domainkey." + key.domain();
            try {
                DkimRecordCheck check = checks.get(i).get(probes.lookupTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (check.status() != DkimRecordCheck.Status.MATCH) {
                    wrong.add(which + ": " + check.describe());
                }
            } catch (TimeoutException e) {
                wrong.add(which + ": not checked, no answer within lookup.timeout");
            } catch (ExecutionException e) {
                wrong.add(which + ": not checked, " + e.getCause());
            }
        }
        if (!wrong.isEmpty()) {
            return Result.degraded(NAME, wrong.size() + " of " + keys.size() + " active key(s) not published as"
                + " loaded: " + String.join("; ", wrong));
        }
        return Result.healthy(NAME);
    }
}
