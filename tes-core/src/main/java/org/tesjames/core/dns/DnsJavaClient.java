package org.tesjames.core.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * A {@link DnsClient} over dnsjava resolvers, asking a recursive resolver (never dnsjava's global
 * {@code Lookup} defaults) and mapping each response to a {@link DnsResult}.
 *
 * <p>Every query is sent with RD and EDNS0 with the DO bit (payload {@value #EDNS_PAYLOAD_SIZE}), so that a
 * validating upstream sets AD on secure answers; {@code authenticated} is the AD flag of the response.
 * {@link SimpleResolver} retries over TCP when a UDP answer is truncated.
 *
 * <p>The upstreams are tried in order: any {@link DnsResult.Failure} (timeout, network error, malformed
 * answer, SERVFAIL, REFUSED, other RCODE) moves on to the next one; after the last, the whole list is tried
 * again {@code retries} times. The first non-failure wins; if every try fails, the last failure is returned,
 * its detail naming every try. NXDOMAIN and NODATA are definite answers and are never retried.
 *
 * <p>Mapping: NOERROR with records of the queried type at the end of the CNAME chain found in the answer
 * section gives {@link DnsResult.Answer} (TTL: the minimum of that RRset and of the CNAMEs followed);
 * NOERROR without them gives {@link DnsResult.NoData}, NXDOMAIN {@link DnsResult.NxDomain}, both with the
 * negative TTL {@code min(SOA TTL, SOA minimum)} of the authority section's SOA (RFC 2308), zero without SOA.
 * A CNAME chain in the answer that leads back to a name already in it is a {@link DnsResult.Failure.Kind#CNAME_LOOP}
 * failure, one of more than {@value #MAX_CNAME_CHAIN} CNAMEs a {@link DnsResult.Failure.Kind#CNAME_CHAIN_TOO_LONG}
 * failure: temporary, like the SERVFAIL a recursive resolver answers for either (see {@link DnsResult.Failure}),
 * never NODATA.
 * The reason TXT (class 65280) dnsjava's {@code ValidatingResolver} adds to bogus answers is not a record of
 * the answer; it (and any extended DNS error) only goes into the failure's detail.
 *
 * <p>{@link #query(Name, int)} never throws for a non-null name and never returns null; the stage always
 * completes normally, on the client's executor (the common pool unless {@link #withExecutor(Executor)}),
 * never on dnsjava's I/O thread. Thread-safe.
 */
public final class DnsJavaClient implements DnsClient {

    /** The EDNS UDP payload size advertised in queries (the DNS flag day 2020 value). */
    public static final int EDNS_PAYLOAD_SIZE = 1232;
    /** Class of the validation-reason TXT record dnsjava's {@code ValidatingResolver} adds. */
    static final int VALIDATION_REASON_CLASS = 65280;

    private static final Logger LOG = LoggerFactory.getLogger(DnsJavaClient.class);
    /** The most CNAMEs followed in one answer; a longer chain is a failure. */
    public static final int MAX_CNAME_CHAIN = 16;

    /**
     * One upstream: a dnsjava resolver and the label that names it in failure details and logs.
     *
     * @param label e.g. {@code "127.0.0.1:53"}
     * @param resolver the resolver queries are sent through
     */
    public record Upstream(String label, Resolver resolver) {
        public Upstream {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(resolver, "resolver");
        }

        /**
         * A {@link SimpleResolver} sending to one server, UDP with TCP fallback on truncation.
         *
         * @param server address and port of a recursive resolver
         * @param timeout timeout of one try, positive
         * @return the upstream, labelled {@code host:port}
         */
        public static Upstream server(InetSocketAddress server, Duration timeout) {
            Objects.requireNonNull(server, "server");
            requirePositive(timeout);
            SimpleResolver resolver = new SimpleResolver(server);
            resolver.setTimeout(timeout);
            return new Upstream(server.getAddress().getHostAddress() + ":" + server.getPort(), resolver);
        }
    }

    private final List<Upstream> upstreams;
    private final int retries;
    private final Executor executor;

    private DnsJavaClient(List<Upstream> upstreams, int retries, Executor executor) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("At least one DNS server is needed");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative: " + retries);
        }
        this.upstreams = List.copyOf(upstreams);
        this.retries = retries;
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * A client sending to the given recursive resolvers, in order.
     *
     * @param servers addresses and ports of recursive resolvers, at least one
     * @param timeout timeout of one try on one server, positive
     * @param retries how many times the whole list is tried again after every server failed, 0 or more
     * @return the client
     */
    public static DnsJavaClient create(List<InetSocketAddress> servers, Duration timeout, int retries) {
        List<Upstream> upstreams = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            upstreams.add(Upstream.server(server, timeout));
        }
        return new DnsJavaClient(upstreams, retries, ForkJoinPool.commonPool());
    }

    /**
     * A client sending through the given resolvers, in order: for instance a dnsjava
     * {@code ValidatingResolver}, which sets AD on secure answers. Their timeouts are theirs.
     *
     * @param upstreams the resolvers, at least one
     * @param retries how many times the whole list is tried again after every upstream failed, 0 or more
     * @return the client
     */
    public static DnsJavaClient overResolvers(List<Upstream> upstreams, int retries) {
        return new DnsJavaClient(upstreams, retries, ForkJoinPool.commonPool());
    }

    /**
     * This client, completing its stages on the given executor instead of the common fork-join pool. The
     * stages never complete on dnsjava's I/O thread, so callers' continuations cannot stall it.
     *
     * @param executor runs the mapping of responses and the callers' non-async continuations
     * @return a new client with the same upstreams and retries
     */
    public DnsJavaClient withExecutor(Executor executor) {
        return new DnsJavaClient(upstreams, retries, executor);
    }

    /**
     * Sends the query (class IN) and maps the outcome.
     *
     * @param name the name; a relative name is taken as absolute
     * @param type a dnsjava {@link Type} value
     * @return a stage that always completes normally with a non-null result
     * @throws NullPointerException if the name is null
     */
    @Override
    public CompletionStage<DnsResult> query(Name name, int type) {
        Objects.requireNonNull(name, "name");
        Name absolute;
        try {
            absolute = name.isAbsolute() ? name : Name.concatenate(name, Name.root);
        } catch (NameTooLongException e) {
            return CompletableFuture.completedFuture(new DnsResult.Failure(name, type, DnsResult.Failure.Kind.MALFORMED,
                    "name too long to query: " + name));
        }
        return attempt(absolute, type, 0, new StringBuilder())
                .exceptionally(e -> {
                    // Only a bug in the mapping gets here; the contract still wants an outcome.
                    LOG.warn("Unexpected error querying {}/{}", absolute, Type.string(type), e);
                    return new DnsResult.Failure(absolute, type, DnsResult.Failure.Kind.NETWORK_ERROR,
                            "unexpected error: " + e);
                });
    }

    private CompletableFuture<DnsResult> attempt(Name name, int type, int index, StringBuilder tries) {
        Upstream upstream = upstreams.get(index % upstreams.size());
        return send(upstream, name, type).thenCompose(result -> {
            if (!(result instanceof DnsResult.Failure failure)) {
                return CompletableFuture.completedFuture(result);
            }
            if (tries.length() > 0) {
                tries.append("; then ");
            }
            tries.append(failure.detail());
            int next = index + 1;
            if (next < upstreams.size() * (retries + 1)) {
                LOG.debug("{}; trying again", failure.detail());
                return attempt(name, type, next, tries);
            }
            return CompletableFuture.completedFuture(
                    new DnsResult.Failure(failure.name(), failure.type(), failure.kind(), tries.toString()));
        });
    }

    private CompletableFuture<DnsResult> send(Upstream upstream, Name name, int type) {
        Message query = newQuery(name, type);
        CompletionStage<Message> response;
        try {
            response = upstream.resolver().sendAsync(query);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(fromException(upstream, name, type, e));
        }
        return response.handleAsync((message, error) -> error != null
                ? fromException(upstream, name, type, error)
                : fromMessage(upstream, name, type, message), executor).toCompletableFuture();
    }

    static Message newQuery(Name name, int type) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        query.getHeader().setFlag(Flags.RD);
        query.addRecord(new OPTRecord(EDNS_PAYLOAD_SIZE, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
        return query;
    }

    /** Maps a response to an outcome; package-private for tests. */
    static DnsResult fromMessage(Upstream upstream, Name name, int type, Message response) {
        int rcode = response.getRcode();
        boolean authenticated = response.getHeader().getFlag(Flags.AD);
        switch (rcode) {
            case Rcode.NOERROR:
                return positive(upstream, name, type, response, authenticated);
            case Rcode.NXDOMAIN:
                return new DnsResult.NxDomain(name, type, negativeTtl(response), authenticated);
            case Rcode.SERVFAIL:
                return failure(upstream, name, type, DnsResult.Failure.Kind.SERVFAIL, reasons(response));
            case Rcode.REFUSED:
                return failure(upstream, name, type, DnsResult.Failure.Kind.REFUSED, reasons(response));
            default:
                return failure(upstream, name, type, DnsResult.Failure.Kind.OTHER_RCODE,
                        " " + Rcode.string(rcode) + reasons(response));
        }
    }

    private static DnsResult positive(Upstream upstream, Name name, int type, Message response,
                                      boolean authenticated) {
        List<Record> answers = response.getSection(Section.ANSWER);
        Name owner = name;
        long ttl = Long.MAX_VALUE;
        List<Name> chain = new ArrayList<>(List.of(name));
        Set<Name> seen = new HashSet<>(chain);
        while (true) {
            List<Record> rrset = new ArrayList<>();
            CNAMERecord cname = null;
            for (Record record : answers) {
                if (!record.getName().equals(owner) || record.getDClass() != DClass.IN) {
                    continue;
                }
                if (record.getType() == type) {
                    rrset.add(record);
                } else if (record.getType() == Type.CNAME && cname == null) {
                    cname = (CNAMERecord) record;
                }
            }
            if (!rrset.isEmpty()) {
                for (Record record : rrset) {
                    ttl = Math.min(ttl, record.getTTL());
                }
                return new DnsResult.Answer(name, type, rrset, Duration.ofSeconds(ttl), authenticated);
            }
            if (cname == null) {
                return new DnsResult.NoData(name, type, negativeTtl(response), authenticated);
            }
            Name target = cname.getTarget();
            chain.add(target);
            if (!seen.add(target)) {
                return failure(upstream, name, type, DnsResult.Failure.Kind.CNAME_LOOP, ": " + describe(chain));
            }
            if (chain.size() - 1 > MAX_CNAME_CHAIN) {
                return failure(upstream, name, type, DnsResult.Failure.Kind.CNAME_CHAIN_TOO_LONG,
                        ": more than " + MAX_CNAME_CHAIN + " CNAMEs: " + describe(chain));
            }
            ttl = Math.min(ttl, cname.getTTL());
            owner = target;
        }
    }

    /** A CNAME chain for a failure's detail, its middle elided when long. */
    private static String describe(List<Name> chain) {
        List<String> names = chain.stream().map(Name::toString).toList();
        if (names.size() > 6) {
            names = List.of(names.get(0), names.get(1), names.get(2), "...", names.get(names.size() - 2),
                    names.get(names.size() - 1));
        }
        return String.join(" -> ", names);
    }

    /** RFC 2308: the TTL of a negative answer is min(SOA TTL, SOA minimum); zero without a SOA. */
    private static Duration negativeTtl(Message response) {
        for (Record record : response.getSection(Section.AUTHORITY)) {
            if (record instanceof SOARecord soa) {
                return Duration.ofSeconds(Math.min(soa.getTTL(), soa.getMinimum()));
            }
        }
        return Duration.ZERO;
    }

    /** Extended DNS errors and the validator's reason TXT, for a failure's detail. */
    private static String reasons(Message response) {
        List<String> reasons = new ArrayList<>();
        OPTRecord opt = response.getOPT();
        if (opt != null) {
            for (EDNSOption option : opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
                if (option instanceof ExtendedErrorCodeOption ede) {
                    reasons.add("EDE " + ede.getErrorCode() + (ede.getText() == null ? "" : " " + ede.getText()));
                }
            }
        }
        for (Record record : response.getSection(Section.ADDITIONAL)) {
            if (record.getDClass() == VALIDATION_REASON_CLASS && record instanceof TXTRecord txt) {
                reasons.add(String.join("", txt.getStrings()));
            }
        }
        return reasons.isEmpty() ? "" : " (" + String.join("; ", reasons) + ")";
    }

    static DnsResult fromException(Upstream upstream, Name name, int type, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        DnsResult.Failure.Kind kind;
        if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException) {
            kind = DnsResult.Failure.Kind.TIMEOUT;
        } else if (cause instanceof WireParseException) {
            kind = DnsResult.Failure.Kind.MALFORMED;
        } else if (cause instanceof IOException) {
            kind = DnsResult.Failure.Kind.NETWORK_ERROR;
        } else {
            // dnsjava reports parse problems as WireParseException; a runtime exception from a resolver is
            // unexpected: log it, and report it as a network-level failure (temporary) rather than throw.
            LOG.warn("Unexpected error from {} for {}/{}", upstream.label(), name, Type.string(type), cause);
            kind = DnsResult.Failure.Kind.NETWORK_ERROR;
        }
        return failure(upstream, name, type, kind, ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    private static DnsResult.Failure failure(Upstream upstream, Name name, int type, DnsResult.Failure.Kind kind,
            String what) {
        return new DnsResult.Failure(name, type, kind,
                kind + " from " + upstream.label() + " for " + name + "/" + Type.string(type) + what);
    }

    private static void requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    @Override
    public String toString() {
        return "DnsJavaClient" + upstreams.stream().map(Upstream::label).toList() + " retries=" + retries;
    }
}
