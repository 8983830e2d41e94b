package org.tesjames.benchmarks.jspf;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.james.jspf.core.DNSServiceEnabled;
import org.apache.james.jspf.core.MacroExpand;
import org.apache.james.jspf.core.MacroExpandEnabled;
import org.apache.james.jspf.core.SPFCheckEnabled;
import org.apache.james.jspf.core.SPFSession;
import org.apache.james.jspf.executor.FutureSPFResult;
import org.apache.james.jspf.executor.SPFResult;
import org.apache.james.jspf.impl.DefaultTermsFactory;
import org.apache.james.jspf.impl.SPF;
import org.apache.james.jspf.parser.RFC4408SPF1Parser;
import org.apache.james.jspf.wiring.WiringServiceTable;
import org.tesjames.core.dns.DnsClient;

/**
 * jSPF's {@code check_host()} (record parsing, mechanisms, macros, the limit of 10 DNS-querying terms) wired to
 * the project's {@link DnsClient} through {@link DnsClientSpfService}, run by {@link ContinuationSpfExecutor}
 * without blocking a thread. No local policies (best guess, trusted forwarder, override) are enabled: the result
 * is the domain owner's.
 */
public final class SpfEvaluator {
    /** RFC 7208 section 7.3: the {@code r} macro when the receiving host's name is not known. */
    public static final String UNKNOWN_RECEIVER = DnsClientSpfService.UNKNOWN_RECEIVER;

    private final SPF spf;
    private final ContinuationSpfExecutor executor;

    /**
     * What one evaluation gave.
     *
     * @param result jSPF's result keyword ({@code pass}, {@code fail}, ..., {@code temperror}, {@code permerror})
     * @param comment jSPF's explanation of the result
     * @param error the message of the first permanent or temporary error met, if any
     * @param lookups how many DNS lookups the evaluation made
     */
    public record Outcome(String result, String comment, Optional<String> error, int lookups) {
        public Outcome {
            Objects.requireNonNull(result);
            Objects.requireNonNull(comment);
            Objects.requireNonNull(error);
        }
    }

    /**
     * @param dns the DNS client
     * @param receivingDomain this host's name for the {@code r} macro
     * @param blockingTimeout the bound of jSPF's blocking lookup path (not used by the evaluation itself)
     */
    public SpfEvaluator(DnsClient dns, String receivingDomain, Duration blockingTimeout) {
        DnsClientSpfService service = new DnsClientSpfService(dns, receivingDomain, blockingTimeout);
        WiringServiceTable wiring = new WiringServiceTable();
        wiring.put(DNSServiceEnabled.class, service);
        MacroExpand macroExpand = new MacroExpand(service);
        wiring.put(MacroExpandEnabled.class, macroExpand);
        RFC4408SPF1Parser parser = new RFC4408SPF1Parser(new DefaultTermsFactory(wiring));
        this.executor = new ContinuationSpfExecutor(service);
        this.spf = new SPF(service, parser, macroExpand, executor);
        wiring.put(SPFCheckEnabled.class, spf);
    }

    /**
     * Evaluates {@code check_host(ip, domain of sender, sender)}.
     *
     * @param ip the client address in text form
     * @param sender the sender ({@code local@domain}; {@code postmaster@<HELO>} for the HELO identity)
     * @param helo the HELO name (for the {@code h} macro)
     * @return the outcome when the evaluation ends
     */
    public CompletionStage<Outcome> evaluate(String ip, String sender, String helo) {
        Objects.requireNonNull(ip);
        Objects.requireNonNull(sender);
        Objects.requireNonNull(helo);
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        try {
            SPFResult result = spf.checkSPF(ip, sender, helo);
            if (result instanceof FutureSPFResult future) {
                future.addListener(ready -> done.complete(outcome(ready, executor.take(ready))));
            } else {
                done.complete(outcome(result, Optional.empty()));
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    private static Outcome outcome(SPFResult result, Optional<SPFSession> session) {
        return new Outcome(String.valueOf(result.getResult()), comment(result),
            session.flatMap(ContinuationSpfExecutor::firstError),
            session.map(ContinuationSpfExecutor::lookups).orElse(0));
    }

    /** The comment of a jSPF {@code Received-SPF} text, without jSPF's prefix. */
    private static String comment(SPFResult result) {
        String text = String.valueOf(result.getHeaderText());
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        String comment = open >= 0 && close > open ? text.substring(open + 1, close) : text;
        if (comment.startsWith("spfCheck: ")) {
            comment = comment.substring("spfCheck: ".length());
        }
        return comment;
    }
}
