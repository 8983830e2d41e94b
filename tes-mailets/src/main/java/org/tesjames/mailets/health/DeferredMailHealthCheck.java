package org.tesjames.mailets.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.Result;
import org.tesjames.mailets.defer.DeferredMails;
import org.tesjames.mailets.defer.ParkedMail;

/**
 * {@code tes-deferred-mail}: the backlog of the {@code TesDefer} repositories of this node (each counted once).
 * More than {@code tes.health.deferred.max-mails} parked mails in all, or a parked mail first deferred longer ago
 * than {@code tes.health.deferred.max-age}: degraded (mail is waiting on the DNS, see {@code /tes/deferred}). A
 * repository that cannot be read: unhealthy (deferral itself is broken). The age is read from the mails only when
 * their number is within the limit, so a check reads at most {@code max-mails} mails.
 */
public class DeferredMailHealthCheck extends TesHealthCheck {
    public static final ComponentName NAME = new ComponentName("tes-deferred-mail");

    private final DeferredMails deferredMails;
    private final HealthProbes probes;
    private final Clock clock;

    @Inject
    public DeferredMailHealthCheck(DeferredMails deferredMails, HealthProbes probes) {
        this(deferredMails, probes, Clock.systemUTC());
    }

    DeferredMailHealthCheck(DeferredMails deferredMails, HealthProbes probes, Clock clock) {
        super(NAME);
        this.deferredMails = deferredMails;
        this.probes = probes;
        this.clock = clock;
    }

    @Override
    Result run() {
        int maxMails = probes.settings().deferredMaxMails();
        Duration maxAge = probes.settings().deferredMaxAge();
        long total = 0;
        Optional<ParkedMail> oldest = Optional.empty();
        for (DeferredMails.Repository repository : deferredMails.repositories()) {
            try {
                total += repository.size();
                if (total > maxMails) {
                    return Result.degraded(NAME, "more than " + maxMails + " mails parked"
                        + " (tes.health.deferred.max-mails), counting " + total + " so far");
                }
                for (ParkedMail parked : repository.list(maxMails)) {
                    if (parked.firstSeen().isPresent() && (oldest.isEmpty()
                            || firstSeen(parked).isBefore(firstSeen(oldest.get())))) {
                        oldest = Optional.of(parked);
                    }
                }
            } catch (Exception e) {
                return Result.unhealthy(NAME, "cannot read the deferral repository " + repository.url().asString()
                    + ": " + e, e);
            }
        }
        if (oldest.isPresent()) {
            Duration age = Duration.between(firstSeen(oldest.get()), clock.instant());
            if (age.compareTo(maxAge) > 0) {
                ParkedMail mail = oldest.get();
                return Result.degraded(NAME, "mail " + mail.name().orElse(mail.key()) + " in " + mail.repository()
                    + " was first deferred " + age.toMinutes() + " min ago, longer than tes.health.deferred.max-age ("
                    + maxAge + "); last reason: " + mail.lastReason().orElse("(none)"));
            }
        }
        return Result.healthy(NAME);
    }

    private static Instant firstSeen(ParkedMail mail) {
        try {
            return Instant.parse(mail.firstSeen().orElseThrow());
        } catch (DateTimeParseException e) {
            return Instant.MAX;
        }
    }
}
