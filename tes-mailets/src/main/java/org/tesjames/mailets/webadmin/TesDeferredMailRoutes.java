package org.tesjames.mailets.webadmin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.mailets.defer.DeferredMails;
import org.tesjames.mailets.defer.ParkedMail;

import spark.HaltException;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes over the mails parked by {@code TesDefer} in every deferral repository of this node, named in
 * {@code webadmin.properties} ({@code extensions.routes}). Every operation holds the parked mail's claim, like the
 * scans of every node, so it never races a scan into a duplicate.
 * <ul>
 * <li>{@code GET /tes/deferred[?limit=N]}: per repository its URL, size and up to N parked mails (default 100,
 * 1-10000) with key, name, sender, recipients, attempts, first seen, due, processor and last reason (a mail another
 * scanner holds at that moment: its key and {@code "busy": true}).</li>
 * <li>{@code POST /tes/deferred?action=reinject}: re-injects every parked mail now.</li>
 * <li>{@code POST /tes/deferred/mails/{key}?action=reinject[&repository=URL]}: re-injects one mail now, into the
 * processor it was deferred from.</li>
 * <li>{@code POST /tes/deferred/mails/{key}?action=expire[&repository=URL][&reason=TEXT]}: ends its deferral now: a
 * DSN to its sender with the reason (or the {@code expiredProcessor} of its {@code TesDefer}, or its
 * {@code errorProcessor} for the null sender).</li>
 * </ul>
 * Errors in James's format: 400 (unknown action, malformed limit or repository), 404 (no such mail or repository),
 * 409 (another scanner holds the mail: try again), 500 (the repository failed).
 */
public class TesDeferredMailRoutes implements Routes {
    public static final String BASE = "/tes/deferred";
    private static final Logger LOGGER = LoggerFactory.getLogger(TesDeferredMailRoutes.class);
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 10_000;

    private final DeferredMails deferredMails;
    private final JsonTransformer json;

    @Inject
    public TesDeferredMailRoutes(DeferredMails deferredMails, JsonTransformer json) {
        this.deferredMails = deferredMails;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, this::list, json);
        service.post(BASE, this::reinjectAll, json);
        service.post(BASE + "/mails/:key", this::actOnOne, json);
    }

    private Object list(Request request, Response response) {
        int limit = limit(request.queryParams("limit"));
        List<Map<String, Object>> repositories = new ArrayList<>();
        for (DeferredMails.Repository repository : deferredMails.repositories()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("repository", repository.url().asString());
            try {
                entry.put("size", repository.size());
                entry.put("mails", repository.list(limit).stream().map(TesDeferredMailRoutes::dto).toList());
            } catch (Exception e) {
                throw serverError("cannot read " + repository.url().asString(), e);
            }
            repositories.add(entry);
        }
        return Map.of("repositories", repositories);
    }

    private Object reinjectAll(Request request, Response response) {
        requireAction(request, "reinject");
        int reinjected = 0;
        List<String> busy = new ArrayList<>();
        for (DeferredMails.Repository repository : deferredMails.repositories()) {
            try {
                for (ParkedMail mail : repository.list(MAX_LIMIT)) {
                    DeferredMails.Outcome outcome = repository.reinject(mail.key());
                    if (outcome == DeferredMails.Outcome.DONE) {
                        reinjected++;
                    } else if (outcome == DeferredMails.Outcome.BUSY) {
                        busy.add(mail.key());
                    }
                }
            } catch (Exception e) {
                throw serverError("cannot re-inject from " + repository.url().asString(), e);
            }
        }
        LOGGER.info("TES WebAdmin: re-injected {} parked mails on request; {} busy", reinjected, busy.size());
        return Map.of("reinjected", reinjected, "busy", busy);
    }

    private Object actOnOne(Request request, Response response) {
        String action = request.queryParams("action");
        if (!"reinject".equals(action) && !"expire".equals(action)) {
            throw badRequest("action must be reinject or expire, not " + (action == null ? "(none)" : "'" + action + "'"));
        }
        String key = request.params("key");
        List<DeferredMails.Repository> candidates = candidates(request.queryParams("repository"));
        for (DeferredMails.Repository repository : candidates) {
            DeferredMails.Outcome outcome;
            try {
                outcome = action.equals("reinject") ? repository.reinject(key)
                    : repository.expire(key, Optional.ofNullable(request.queryParams("reason"))
                        .filter(reason -> !reason.isBlank()).orElse("expired on request over WebAdmin"));
            } catch (Exception e) {
                throw serverError("cannot " + action + " " + key + " in " + repository.url().asString(), e);
            }
            if (outcome == DeferredMails.Outcome.BUSY) {
                throw ErrorResponder.builder().statusCode(409).type(ErrorResponder.ErrorType.WRONG_STATE)
                    .message("parked mail " + key + " in " + repository.url().asString()
                        + " is being handled by another scanner; try again")
                    .haltError();
            }
            if (outcome == DeferredMails.Outcome.DONE) {
                LOGGER.info("TES WebAdmin: {} parked mail {} in {} on request", action, key,
                    repository.url().asString());
                return Map.of("key", key, "repository", repository.url().asString(),
                    "outcome", action.equals("reinject") ? "reinjected" : "expired");
            }
        }
        throw ErrorResponder.builder().statusCode(404).type(ErrorResponder.ErrorType.NOT_FOUND)
            .message("no parked mail " + key + " in " + candidates.stream().map(r -> r.url().asString()).toList())
            .haltError();
    }

    private List<DeferredMails.Repository> candidates(String repository) {
        if (repository == null) {
            return deferredMails.repositories();
        }
        MailRepositoryUrl url;
        try {
            url = MailRepositoryUrl.from(repository);
        } catch (IllegalArgumentException e) {
            throw badRequest("malformed repository URL '" + repository + "': " + e.getMessage());
        }
        return List.of(deferredMails.repository(url).orElseThrow(() -> ErrorResponder.builder().statusCode(404)
            .type(ErrorResponder.ErrorType.NOT_FOUND)
            .message("no TesDefer uses the repository " + repository + " (known: "
                + deferredMails.repositories().stream().map(r -> r.url().asString()).toList() + ")")
            .haltError()));
    }

    private static void requireAction(Request request, String expected) {
        String action = request.queryParams("action");
        if (!expected.equals(action)) {
            throw badRequest("action must be " + expected + ", not " + (action == null ? "(none)" : "'" + action + "'"));
        }
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw badRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + value + "'");
    }

    private static Map<String, Object> dto(ParkedMail mail) {
        Map<String, Object> dto = new LinkedHashMap<>();
        dto.put("key", mail.key());
        if (mail.busy()) {
            dto.put("busy", true);
            return dto;
        }
        mail.name().ifPresent(name -> dto.put("name", name));
        mail.sender().ifPresent(sender -> dto.put("sender", sender));
        dto.put("recipients", mail.recipients());
        mail.attempts().ifPresent(attempts -> dto.put("attempts", attempts));
        mail.firstSeen().ifPresent(firstSeen -> dto.put("firstSeen", firstSeen));
        mail.due().ifPresent(due -> dto.put("due", due));
        mail.processor().ifPresent(processor -> dto.put("processor", processor));
        mail.lastReason().ifPresent(reason -> dto.put("lastReason", reason));
        return dto;
    }

    private static HaltException badRequest(String message) {
        return ErrorResponder.builder().statusCode(400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
            .message(message).haltError();
    }

    private static HaltException serverError(String message, Exception cause) {
        LOGGER.error("TES WebAdmin: {}", message, cause);
        return ErrorResponder.builder().statusCode(500).type(ErrorResponder.ErrorType.SERVER_ERROR)
            .message(message + ": " + cause.getMessage()).cause(cause).haltError();
    }
}
