package org.tesjames.mailets.health;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A TES health check: a named check whose work ({@link #run()}) waits for DNS answers or reads repositories, so
 * James runs it on Reactor's blocking-friendly scheduler, never on the thread that asked.
 */
abstract class TesHealthCheck implements HealthCheck {
    private final ComponentName name;

    TesHealthCheck(ComponentName name) {
        this.name = name;
    }

    @Override
    public final ComponentName componentName() {
        return name;
    }

    @Override
    public final Publisher<Result> check() {
        return Mono.fromCallable(this::run).subscribeOn(Schedulers.boundedElastic());
    }

    /** Runs the check, blocking as long as it needs (each wait bounded by {@code lookup.timeout}). */
    abstract Result run() throws Exception;
}
