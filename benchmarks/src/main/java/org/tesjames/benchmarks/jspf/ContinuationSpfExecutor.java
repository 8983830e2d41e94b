package org.tesjames.benchmarks.jspf;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;

import org.apache.james.jspf.core.DNSLookupContinuation;
import org.apache.james.jspf.core.DNSRequest;
import org.apache.james.jspf.core.DNSResponse;
import org.apache.james.jspf.core.DNSService;
import org.apache.james.jspf.core.SPFChecker;
import org.apache.james.jspf.core.SPFCheckerExceptionCatcher;
import org.apache.james.jspf.core.SPFSession;
import org.apache.james.jspf.core.exceptions.PermErrorException;
import org.apache.james.jspf.core.exceptions.SPFResultException;
import org.apache.james.jspf.core.exceptions.TempErrorException;
import org.apache.james.jspf.core.exceptions.TimeoutException;
import org.apache.james.jspf.executor.FutureSPFResult;
import org.apache.james.jspf.executor.SPFExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jSPF's checker stack without blocking a thread: each DNS lookup a checker asks for is sent with
 * {@link DNSService#getRecordsAsync(DNSRequest)} and the evaluation resumes in its completion. The order of work
 * is exactly that of jSPF's synchronous executor (one lookup at a time, a continuation's follow-up lookup before
 * the next checker, exceptions handed to the nearest {@link SPFCheckerExceptionCatcher} on the stack).
 *
 * <p>jSPF 1.0.3's own {@code AsynchronousSPFExecutor} is not used: it goes on to the next checker before the
 * lookup answered and drops the follow-up continuation a listener returns.
 *
 * <p>The void lookup limit (RFC 7208 section 4.6.4), which jSPF 1.0.3 does not enforce, is enforced here: a
 * third lookup of an evaluation that gives NXDOMAIN or NODATA (an empty answer) is a {@code permerror}. The
 * first lookup, of the SPF record itself, is not counted (an empty one ends the evaluation with {@code none}),
 * nor are jSPF's requests for the SPF RR type, which are answered empty without a query.
 */
final class ContinuationSpfExecutor implements SPFExecutor {
    /** RFC 7208 section 4.6.4: "SHOULD NOT exceed two". */
    static final int VOID_LOOKUP_LIMIT = 2;
    private static final String VOID_LOOKUPS = "tes.spf.voidLookups";
    private static final String LOOKUPS = "tes.spf.lookups";
    private static final String FIRST_ERROR = "tes.spf.firstError";
    private static final Logger LOGGER = LoggerFactory.getLogger(ContinuationSpfExecutor.class);

    private final DNSService dns;
    private final Map<FutureSPFResult, SPFSession> running = new ConcurrentHashMap<>();

    ContinuationSpfExecutor(DNSService dns) {
        this.dns = Objects.requireNonNull(dns);
    }

    @Override
    public void execute(SPFSession session, FutureSPFResult result) {
        running.put(result, session);
        run(session, result);
    }

    /** The session of an evaluation this executor ran, forgotten once taken. */
    Optional<SPFSession> take(FutureSPFResult result) {
        return Optional.ofNullable(running.remove(result));
    }

    private void run(SPFSession session, FutureSPFResult result) {
        SPFChecker checker;
        while ((checker = session.popChecker()) != null) {
            DNSLookupContinuation continuation;
            try {
                continuation = checker.checkSPF(session);
            } catch (Exception e) {
                handleError(session, checker, e);
                continue;
            }
            if (continuation != null) {
                lookup(session, result, checker, continuation);
                return;
            }
        }
        result.setSPFResult(session);
    }

    private void lookup(SPFSession session, FutureSPFResult result, SPFChecker checker,
                        DNSLookupContinuation continuation) {
        DNSRequest request = continuation.getRequest();
        // the SPF RR type request is answered empty without a query (DnsClientSpfService): not a lookup
        boolean counted = request.getRecordType() != DNSRequest.SPF;
        int lookups = counted ? increment(session, LOOKUPS) : lookups(session);
        dns.getRecordsAsync(request).whenComplete((records, error) -> {
            try {
                DNSResponse response;
                if (error == null) {
                    if (records.isEmpty() && counted && lookups > 1
                        && increment(session, VOID_LOOKUPS) > VOID_LOOKUP_LIMIT) {
                        throw new PermErrorException("more than " + VOID_LOOKUP_LIMIT
                            + " void DNS lookups (RFC 7208 section 4.6.4), the last " + continuation.getRequest());
                    }
                    response = new DNSResponse(records);
                } else {
                    TimeoutException timeout = timeout(error);
                    remember(session, timeout);
                    response = new DNSResponse(timeout);
                }
                DNSLookupContinuation next = continuation.getListener().onDNSResponse(response, session);
                if (next != null) {
                    lookup(session, result, checker, next);
                    return;
                }
            } catch (Exception e) {
                handleError(session, checker, e);
            }
            run(session, result);
        });
    }

    private static TimeoutException timeout(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException timeout) {
            return timeout;
        }
        return new TimeoutException(String.valueOf(cause));
    }

    private static int increment(SPFSession session, String attribute) {
        Object current = session.getAttribute(attribute);
        int next = (current instanceof Integer count ? count : 0) + 1;
        session.setAttribute(attribute, next);
        return next;
    }

    /** Hands the exception to the nearest catcher on the stack, and what that catcher throws to the next. */
    private static void handleError(SPFSession session, SPFChecker checker, Exception error) {
        if (error instanceof PermErrorException || error instanceof TempErrorException) {
            remember(session, error);
        }
        Exception pending = error;
        SPFChecker current = checker;
        while (pending != null) {
            while (!(current instanceof SPFCheckerExceptionCatcher)) {
                current = session.popChecker();
                if (current == null) {
                    LOGGER.warn("SPF evaluation: no handler left for {}", String.valueOf(pending));
                    return;
                }
            }
            try {
                ((SPFCheckerExceptionCatcher) current).onException(pending, session);
                pending = null;
            } catch (SPFResultException e) {
                pending = e;
            }
            current = null;
        }
    }

    /** Keeps the message of the first error of an evaluation: jSPF replaces DNS failure details by its own text. */
    private static void remember(SPFSession session, Exception error) {
        if (session.getAttribute(FIRST_ERROR) == null) {
            session.setAttribute(FIRST_ERROR, String.valueOf(error.getMessage()));
        }
    }

    /** The message of the first permanent or temporary error of an evaluation, if any. */
    static Optional<String> firstError(SPFSession session) {
        return session.getAttribute(FIRST_ERROR) instanceof String message ? Optional.of(message) : Optional.empty();
    }

    /** The number of lookups an evaluation made so far (tests, logs). */
    static int lookups(SPFSession session) {
        Object current = session.getAttribute(LOOKUPS);
        return current instanceof Integer count ? count : 0;
    }
}
