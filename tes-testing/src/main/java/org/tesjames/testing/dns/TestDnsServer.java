package org.tesjames.testing.dns;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * A programmable DNS server for tests, answering like a recursive resolver for the zones the test
 * declares, with DNSSEC and fault injection.
 *
 * <p>It listens on {@code 127.0.0.1}, UDP and TCP on the same ephemeral port, on daemon threads, and
 * answers every name of every zone it holds directly (RA set, no AA, no referrals): CNAME chains are
 * followed through its own data; a missing name gets NXDOMAIN, a missing type NODATA, both with the SOA of
 * the closest zone in the authority section (TTL {@code min(SOA TTL, SOA minimum)}, RFC 2308). Names
 * outside every declared zone get REFUSED (see {@link Builder#unknownNames(UnknownNamePolicy)}). The ID,
 * RD and CD flags and the question are echoed; a query with EDNS gets an OPT back (version 0, the DO bit
 * echoed; other versions get BADVERS), a query without EDNS an answer without OPT. A UDP answer larger than
 * the client's EDNS payload size (512 bytes without EDNS) is sent truncated: TC set, empty sections.
 *
 * <h2>DNSSEC</h2>
 *
 * <p>The server always holds a test root zone {@code "."}, signed with its own ECDSA P-256 key (algorithm
 * 13) generated per server; its DS is the test trust anchor ({@link #trustAnchor()},
 * {@link #trustAnchorText()}, {@link #newValidatingResolver()}). Every zone is signed by default and
 * delegated from its parent, the closest enclosing zone the server holds (the root if none): the parent
 * publishes the child's NS and DS, signed, and its NSEC chain covers the delegation. So with
 * {@code example.com} declared, {@code . -> example.com} is a secure chain ({@code com.} being an empty
 * non-terminal of the root). With the DO bit, answers carry the RRSIGs and negative answers the NSEC
 * proofs; DS and DNSKEY queries are answered for every zone (a DS query at a zone's apex from its parent).
 * The CD bit is ignored (the server never validates). Defects are set per zone or RRset with
 * {@link TestZone#dnssecFault(DnssecFault)}; see {@link DnssecFault} for what a validator makes of each.
 *
 * <h2>Faults, counters</h2>
 *
 * <p>{@link #fault(String, int, Fault)} makes the answers to one name and type misbehave (no answer,
 * SERVFAIL, truncation, garbage, latency...), for ever or for the next <i>n</i> queries, until cleared;
 * {@link #faultBelow(String, Fault)} does so for a whole subtree.
 * Every query received is counted per (name, type) and per transport ({@link #queryCount(String, int)}).
 *
 * <h2>Example</h2>
 *
 * <pre>{@code
 * try (TestDnsServer dns = TestDnsServer.start()) {
 *     dns.zone("example.com")
 *             .a("mx", "192.0.2.25")
 *             .mx("@", 10, "mx")
 *             .txt("_dmarc", "v=DMARC1; p=reject")
 *             .tlsa("_25._tcp.mx", 3, 1, 1, "0123...ef");
 *     ValidatingResolver validating = dns.newValidatingResolver();  // test root anchor loaded
 *     Message answer = validating.send(Message.newQuery(
 *             Record.newRecord(Name.fromString("_25._tcp.mx.example.com."), Type.TLSA, DClass.IN)));
 *     // answer.getHeader().getFlag(Flags.AD) is true
 *     dns.fault("mx.example.com", Type.A, Fault.servfail().times(2));  // the next two A queries fail
 * }
 * }</pre>
 *
 * <p>Thread-safe: zones, faults and counters can be changed and read from any thread while queries are
 * answered. Query handling never blocks on another query (delays are scheduled, not slept).
 */
public final class TestDnsServer implements AutoCloseable {

    /** Default EDNS UDP payload size the server advertises (the DNS flag day 2020 value). */
    public static final int DEFAULT_EDNS_PAYLOAD_SIZE = 1232;
    /** Default timeout of the resolvers made by {@link #newResolver()}. */
    public static final Duration DEFAULT_RESOLVER_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(TestDnsServer.class);
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final ZoneRegistry registry;
    private final QueryEngine engine;
    private final FaultTable faults = new FaultTable();
    private final QueryCounters counters = new QueryCounters();
    private final AtomicInteger delayedPending = new AtomicInteger();
    private final AtomicInteger delayedPeak = new AtomicInteger();
    private final ScheduledThreadPoolExecutor workers;
    private final Listeners listeners;
    private final InetSocketAddress address;
    private volatile boolean closed;

    private TestDnsServer(Builder builder) throws IOException {
        this.registry = new ZoneRegistry(builder.clock);
        this.engine = new QueryEngine(registry, builder.unknownNamePolicy, builder.ednsPayloadSize);
        this.workers = new ScheduledThreadPoolExecutor(builder.workerThreads, daemonThreads());
        this.workers.setRemoveOnCancelPolicy(true);
        try {
            this.listeners = Listeners.bind(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), this::receive);
        } catch (IOException | RuntimeException e) {
            workers.shutdownNow();
            throw e;
        }
        this.address = listeners.address();
        LOG.debug("Test DNS server listening on {} (UDP and TCP)", address);
    }

    /**
     * Starts a server with the default settings.
     *
     * @return the running server
     * @throws UncheckedIOException if the sockets cannot be bound
     */
    public static TestDnsServer start() {
        return builder().start();
    }

    /**
     * A builder for a server with non-default settings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a {@link TestDnsServer}. */
    public static final class Builder {
        private UnknownNamePolicy unknownNamePolicy = UnknownNamePolicy.REFUSED;
        private int ednsPayloadSize = DEFAULT_EDNS_PAYLOAD_SIZE;
        private int workerThreads = 4;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * How to answer names outside every declared zone; {@link UnknownNamePolicy#REFUSED} by default.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder unknownNames(UnknownNamePolicy policy) {
            this.unknownNamePolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The UDP payload size the server advertises in its OPT records (it does not limit the server's
         * answers, the client's advertised size does); 1232 by default.
         *
         * @param size 512 to 65535
         * @return this builder
         */
        public Builder ednsPayloadSize(int size) {
            if (size < 512 || size > 65535) {
                throw new IllegalArgumentException("EDNS payload size out of range: " + size);
            }
            this.ednsPayloadSize = size;
            return this;
        }

        /**
         * Threads answering queries (and sending delayed answers); 4 by default.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("At least one worker thread is needed");
            }
            this.workerThreads = threads;
            return this;
        }

        /**
         * The clock signature validity windows are computed from (inception one hour before, expiration 30
         * days after the moment a zone is signed); the system UTC clock by default.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Binds the sockets and starts answering.
         *
         * @return the running server
         * @throws UncheckedIOException if the sockets cannot be bound
         */
        public TestDnsServer start() {
            try {
                return new TestDnsServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the test DNS server", e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Address
    // ---------------------------------------------------------------------------------------------

    /**
     * The address the server listens on, UDP and TCP.
     *
     * @return 127.0.0.1 and the port
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * The host the server listens on.
     *
     * @return {@code "127.0.0.1"}
     */
    public String host() {
        return address.getAddress().getHostAddress();
    }

    /**
     * The port the server listens on, UDP and TCP.
     *
     * @return the ephemeral port
     */
    public int port() {
        return address.getPort();
    }

    // ---------------------------------------------------------------------------------------------
    // Zones
    // ---------------------------------------------------------------------------------------------

    /**
     * The zone of the given name, created empty (default SOA and NS, signed) if the server does not hold it
     * yet. {@code zone(".")} is the test root zone.
     *
     * @param name the zone's name, e.g. {@code "example.com"} (trailing dot optional, case-insensitive)
     * @return the live zone handle
     */
    public TestZone zone(String name) {
        checkOpen();
        return registry.getOrCreate(Names.absolute(name));
    }

    /**
     * The test root zone, always present and signed.
     *
     * @return the root zone handle
     */
    public TestZone rootZone() {
        return registry.root();
    }

    /**
     * The zone of the given name, if the server holds it.
     *
     * @param name the zone's name
     * @return the zone, or empty
     */
    public Optional<TestZone> findZone(String name) {
        return Optional.ofNullable(registry.get(Names.absolute(name)));
    }

    /**
     * Removes a zone: its names then belong to the parent zone again (usually NXDOMAIN, or REFUSED when the
     * parent is the root). The root zone cannot be removed.
     *
     * @param name the zone's name
     * @return whether the zone existed
     */
    public boolean removeZone(String name) {
        return registry.remove(Names.absolute(name));
    }

    // ---------------------------------------------------------------------------------------------
    // Faults
    // ---------------------------------------------------------------------------------------------

    /**
     * Sets the fault applied to queries for exactly this name and type (not names below it), replacing the
     * previous one for that name and type.
     *
     * @param name the query name (case-insensitive, trailing dot optional)
     * @param type the query type, a dnsjava {@link Type} value
     * @param fault the fault
     * @return this server
     */
    public TestDnsServer fault(String name, int type, Fault fault) {
        Type.check(type);
        faults.put(Names.absolute(name), type, Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * Sets the fault applied to queries for exactly this name, of any type without a fault of its own.
     *
     * @param name the query name
     * @param fault the fault
     * @return this server
     */
    public TestDnsServer fault(String name, Fault fault) {
        faults.put(Names.absolute(name), FaultTable.ALL_TYPES, Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * Sets the fault applied to queries for this name and every name below it, of any type, that have no fault
     * of their own by name (a slow or broken zone, say, whatever names a client makes up in it). The closest
     * enclosing subtree fault wins; {@link #faultAll} applies only to queries outside every subtree fault.
     * A count-limited subtree fault counts the queries of the whole subtree.
     *
     * @param name the top of the subtree, e.g. a zone's apex
     * @param fault the fault
     * @return this server
     */
    public TestDnsServer faultBelow(String name, Fault fault) {
        faults.putBelow(Names.absolute(name), Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * Sets the fault applied to every query without a more specific fault (a whole DNS outage, say).
     *
     * @param fault the fault
     * @return this server
     */
    public TestDnsServer faultAll(Fault fault) {
        faults.putForAll(Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * Removes the fault set for this name and type.
     *
     * @param name the query name
     * @param type the query type
     * @return this server
     */
    public TestDnsServer clearFault(String name, int type) {
        faults.remove(Names.absolute(name), type);
        return this;
    }

    /**
     * Removes every fault set for this name (per type, for any type, and for its subtree).
     *
     * @param name the query name
     * @return this server
     */
    public TestDnsServer clearFault(String name) {
        faults.removeName(Names.absolute(name));
        return this;
    }

    /**
     * Removes every fault: DNS recovers.
     *
     * @return this server
     */
    public TestDnsServer clearFaults() {
        faults.clear();
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // Counters
    // ---------------------------------------------------------------------------------------------

    /**
     * The number of queries received for this name and type (whatever was answered, faults included).
     *
     * @param name the query name (case-insensitive, trailing dot optional)
     * @param type the query type
     * @return the count since start or the last reset
     */
    public long queryCount(String name, int type) {
        return counters.count(Names.absolute(name), type);
    }

    /**
     * The number of queries received for this name, all types.
     *
     * @param name the query name
     * @return the count since start or the last reset
     */
    public long queryCount(String name) {
        return counters.count(Names.absolute(name));
    }

    /**
     * The number of queries received.
     *
     * @return the count since start or the last reset
     */
    public long queryCount() {
        return counters.total();
    }

    /**
     * The number of queries received over one transport (a query retried over TCP after a truncated UDP
     * answer counts once for each).
     *
     * @param transport UDP or TCP
     * @return the count since start or the last reset
     */
    public long queryCount(Transport transport) {
        return counters.count(transport);
    }

    /**
     * All non-zero counts, keyed {@code "name./TYPE"} (e.g. {@code "example.com./MX"}), sorted.
     *
     * @return a snapshot of the counts
     */
    public Map<String, Long> queryCounts() {
        return counters.snapshot();
    }

    /**
     * The most queries whose answers a {@link Fault#delay(java.time.Duration) delay} held back at the same
     * moment: 2 or more means that the client had those queries outstanding at once (their lookups overlapped),
     * 1 that each delayed answer went out before the next delayed query arrived.
     *
     * @return the peak since start or the last reset
     */
    public int peakDelayedAnswers() {
        return delayedPeak.get();
    }

    /** Sets every query count back to zero, and {@link #peakDelayedAnswers()} to the answers held right now. */
    public void resetQueryCounts() {
        counters.reset();
        delayedPeak.set(delayedPending.get());
    }

    // ---------------------------------------------------------------------------------------------
    // DNSSEC trust anchor and clients
    // ---------------------------------------------------------------------------------------------

    /**
     * The test trust anchor: the DS (SHA-256) of the root zone's key.
     *
     * @return the root DS record
     */
    public DSRecord trustAnchor() {
        return registry.root().ds();
    }

    /**
     * The test trust anchor in master-file form, one line, as read by
     * {@link ValidatingResolver#loadTrustAnchors(InputStream)} (or written to a trust anchor file).
     *
     * @return e.g. {@code ". 3600 IN DS 12345 13 2 AB12..."} followed by a newline
     */
    public String trustAnchorText() {
        return trustAnchor().toString() + "\n";
    }

    /**
     * A new resolver sending to this server, UDP (retrying over TCP on truncation), with EDNS (dnsjava's
     * default, payload 1280, no DO bit) and a {@link #DEFAULT_RESOLVER_TIMEOUT 2 s} timeout.
     *
     * @return the resolver
     */
    public SimpleResolver newResolver() {
        SimpleResolver resolver = new SimpleResolver(address);
        resolver.setTimeout(DEFAULT_RESOLVER_TIMEOUT);
        return resolver;
    }

    /**
     * A new validating resolver (dnsjava's {@link ValidatingResolver}) over {@link #newResolver()}, with
     * the test trust anchor loaded: secure answers come back with the AD flag, bogus ones as SERVFAIL.
     * It caches validated keys (not answers): make a new one after changing a zone's keys or delegation.
     *
     * @return the validating resolver
     */
    public ValidatingResolver newValidatingResolver() {
        ValidatingResolver validating = new ValidatingResolver(newResolver());
        try {
            validating.loadTrustAnchors(new ByteArrayInputStream(trustAnchorText().getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return validating;
    }

    // ---------------------------------------------------------------------------------------------
    // Lifecycle
    // ---------------------------------------------------------------------------------------------

    /** Closes the sockets and stops the threads; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listeners.close();
        workers.shutdownNow();
        LOG.debug("Test DNS server on {} closed", address);
    }

    @Override
    public String toString() {
        return "TestDnsServer[" + address + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // Query handling
    // ---------------------------------------------------------------------------------------------

    private void receive(byte[] message, Transport transport, Consumer<byte[]> reply) {
        try {
            workers.execute(() -> process(message, transport, reply));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void process(byte[] data, Transport transport, Consumer<byte[]> reply) {
        try {
            handle(data, transport, reply);
        } catch (RuntimeException e) {
            LOG.warn("Failed to handle a {} query", transport, e);
        }
    }

    private void handle(byte[] data, Transport transport, Consumer<byte[]> reply) {
        Message query;
        try {
            query = new Message(data);
        } catch (IOException e) {
            LOG.debug("{} unparsable query ignored: {}", transport, e.toString());
            return;
        }
        if (query.getHeader().getFlag(Flags.QR)) {
            return;
        }
        Record question = query.getQuestion();
        if (question == null) {
            reply.accept(engine.error(query, Rcode.FORMERR).toWire());
            return;
        }
        counters.record(question.getName(), question.getType(), transport);
        Fault fault = faults.take(question.getName(), question.getType(), transport);
        if (fault != null && !fault.delay().isZero()) {
            delayedPeak.accumulateAndGet(delayedPending.incrementAndGet(), Math::max);
            try {
                workers.schedule(() -> {
                    try {
                        respond(query, transport, fault, reply);
                    } finally {
                        delayedPending.decrementAndGet();
                    }
                }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        } else {
            respond(query, transport, fault, reply);
        }
    }

    private void respond(Message query, Transport transport, Fault fault, Consumer<byte[]> reply) {
        if (closed) {
            return;
        }
        Record question = query.getQuestion();
        byte[] out;
        try {
            if (fault == null || fault.kind() == Fault.Kind.DELAY) {
                out = answer(query, transport);
            } else {
                switch (fault.kind()) {
                    case NO_ANSWER:
                        log(transport, question, "dropped (" + fault + ")");
                        return;
                    case RCODE:
                        out = engine.error(query, fault.rcode()).toWire();
                        break;
                    case MALFORMED:
                        out = malformed(query);
                        break;
                    case TRUNCATED:
                        out = QueryEngine.truncate(engine.answer(query)).toWire();
                        break;
                    default:
                        throw new IllegalStateException("Unknown fault " + fault);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Failed to answer {} {}/{}", transport, question.getName(), Type.string(question.getType()), e);
            out = engine.error(query, Rcode.SERVFAIL).toWire();
        }
        if (LOG.isDebugEnabled()) {
            log(transport, question, describe(out) + (fault == null ? "" : " (" + fault + ")"));
        }
        reply.accept(out);
    }

    private byte[] answer(Message query, Transport transport) {
        Message response = engine.answer(query);
        byte[] wire = response.toWire();
        if (transport == Transport.UDP && wire.length > QueryEngine.udpLimit(query)) {
            wire = QueryEngine.truncate(response).toWire();
        }
        return wire;
    }

    /**
     * The bytes sent for {@link Fault#malformed()}: a header with the query's ID claiming one question
     * and one answer, the question, then an A record whose RDATA is cut short.
     */
    static byte[] malformed(Message query) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int id = query.getHeader().getID();
        out.write(id >>> 8);
        out.write(id);
        out.write(0x81); // QR, opcode QUERY, RD
        out.write(0x80); // RA, RCODE NOERROR
        out.writeBytes(new byte[] {0, 1, 0, 1, 0, 0, 0, 0}); // QDCOUNT 1, ANCOUNT 1, NSCOUNT 0, ARCOUNT 0
        Record question = query.getQuestion();
        out.writeBytes(question.getName().toWire());
        out.writeBytes(new byte[] {(byte) (question.getType() >>> 8), (byte) question.getType(),
            (byte) (question.getDClass() >>> 8), (byte) question.getDClass()});
        out.writeBytes(new byte[] {
            (byte) 0xC0, 0x0C, // owner: pointer to the question name
            0, 1, 0, 1, // type A, class IN
            0, 0, 0x0E, 0x10, // TTL 3600
            0, 4, // RDLENGTH 4...
            127, 0 // ...but only 2 bytes of RDATA
        });
        return out.toByteArray();
    }

    private static String describe(byte[] out) {
        if (out.length < 4) {
            return "garbage";
        }
        int rcode = out[3] & 0x0F;
        boolean truncated = (out[2] & 0x02) != 0;
        return Rcode.string(rcode) + (truncated ? " TC" : "") + " " + out.length + " bytes";
    }

    private static void log(Transport transport, Record question, String outcome) {
        LOG.debug("{} {}/{} -> {}", transport, question.getName(), Type.string(question.getType()), outcome);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The test DNS server is closed");
        }
    }

    private static ThreadFactory daemonThreads() {
        int server = SERVERS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "test-dns-" + server + "-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
