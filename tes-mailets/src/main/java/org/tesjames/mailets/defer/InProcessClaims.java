package org.tesjames.mailets.defer;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.mailrepository.api.MailKey;

/**
 * Claims held in this JVM: right for a repository only this James process sees ({@code memory://}, whose mails
 * live in the process), and for an operator who runs a single node. {@code putIfAbsent} on a concurrent map is
 * the atomic step; a claim never expires (it dies with the process, and so does a memory repository).
 */
public final class InProcessClaims implements DeferralClaims {
    private final Set<MailKey> held = ConcurrentHashMap.newKeySet();

    @Override
    public Optional<Claim> tryClaim(MailKey key) {
        if (!held.add(key)) {
            return Optional.empty();
        }
        return Optional.of(new Claim() {
            @Override
            public boolean stillHeld() {
                return true;
            }

            @Override
            public void close() {
                held.remove(key);
            }
        });
    }

    @Override
    public void forgetStale(Set<MailKey> present) {
        // nothing outlives its holder here
    }

    @Override
    public String toString() {
        return "in-process claims";
    }
}
