package org.tesjames.core.dane;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dnssec.DnssecStatus;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS half of DANE for SMTP (RFC 7672 section 2.2): for a destination domain, its MX hosts, their
 * addresses and TLSA records, each with its DNSSEC status, and per host a {@link DaneHostOutcome}. The
 * {@link DnsClient} must be one whose {@code authenticated} flag can be trusted (a validating one, see
 * {@code org.tesjames.core.dnssec.DnssecClients}); lookups are cached and shared by that client.
 *
 * <p>Steps, for domain D:
 * <ol>
 * <li>MX of D (RFC 7672 section 2.2.1). Records: the hosts in preference order (a secure or insecure MX RRset;
 * an insecure one still allows DANE for hosts in secure zones, but the next-hop domain then is no reference
 * identifier). NODATA: D itself is the only host, preference 0 (implicit MX, RFC 5321 section 5.1), with the
 * status of the denial. A null MX ({@code 0 .}, RFC 7505), NXDOMAIN: no host. A failure: no host,
 * {@link MxSource#FAILED} (the whole destination is indeterminate).</li>
 * <li>Per host, concurrently: A and AAAA (RFC 7672 section 2.2.2). Their status is the weaker of the two; a
 * failure of either makes the host {@link DaneHostOutcome#INDETERMINATE}. Insecure address records mean no
 * DANE for the host ({@link DaneHostOutcome#INSECURE}): TLSA records are not looked up, since an attacker who
 * can forge the addresses can send the client to any server.</li>
 * <li>TLSA at {@code _25._tcp.<host>} (RFC 7672 section 2.2.3). When the host name is a CNAME whose expansion is
 * secure (the address answer is authenticated and owned by another name), TLSA is first sought at the fully
 * expanded name, then, if that gives no secure TLSA RRset (denied or insecure), at the original name
 * (RFC 7672 section 2.2.2, RFC 7671 section 7); a failure at the expanded name is final. The name whose TLSA
 * RRset was used is the TLSA base domain. Secure records: {@link DaneHostOutcome#SECURE_USABLE} when
 * {@link TlsaSelection} keeps at least one record, else {@link DaneHostOutcome#SECURE_UNUSABLE}; insecure
 * records, NXDOMAIN or NODATA (secure or not): {@link DaneHostOutcome#INSECURE}; a failure:
 * {@link DaneHostOutcome#INDETERMINATE}.</li>
 * </ol>
 * Reference identifiers for the name checks of DANE-TA(2) (RFC 7672 section 3.2.2): the TLSA base domain, and
 * the next-hop domain D when the MX RRset is secure.
 *
 * <p>Results are typed and never null; the returned stages always complete normally (the {@link DnsClient}
 * contract). Thread-safe.
 */
public final class DaneLookup {
    /** The SMTP port whose TLSA records are sought: {@code _25._tcp}. */
    public static final int SMTP_PORT = 25;

    private static final Name TLSA_PREFIX = Name.fromConstantString("_" + SMTP_PORT + "._tcp");

    private final DnsClient dns;

    /**
     * @param dns a client with a trustworthy {@code authenticated} flag
     */
    public DaneLookup(DnsClient dns) {
        this.dns = Objects.requireNonNull(dns, "dns");
    }

    /** How the host list of a destination was found. */
    public enum MxSource {
        /** From the MX RRset. */
        MX,
        /** No MX RRset (NODATA): the domain itself, RFC 5321 section 5.1. */
        IMPLICIT,
        /** A null MX (RFC 7505): the domain accepts no mail. No host. */
        NULL_MX,
        /** The domain does not exist (NXDOMAIN). No host. */
        NO_SUCH_DOMAIN,
        /** The MX lookup failed. No host; the destination is indeterminate. */
        FAILED
    }

    /**
     * The DANE facts of a destination domain.
     *
     * @param domain the next-hop domain, absolute
     * @param mx the MX lookup outcome
     * @param mxStatus the DNSSEC status of {@code mx}
     * @param mxSource how the hosts were found
     * @param hosts the hosts in preference order (ties in the order of the MX RRset), distinct; empty unless
     *     {@link MxSource#MX} or {@link MxSource#IMPLICIT}
     */
    public record Destination(Name domain, DnsResult mx, DnssecStatus mxStatus, MxSource mxSource, List<Host> hosts) {
        public Destination {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(mx, "mx");
            Objects.requireNonNull(mxStatus, "mxStatus");
            Objects.requireNonNull(mxSource, "mxSource");
            hosts = List.copyOf(hosts);
        }

        /**
         * The host of a name, if it is one of the destination's.
         *
         * @param name an MX host name (absolute)
         * @return the host
         */
        public Optional<Host> host(Name name) {
            return hosts.stream().filter(host -> host.name().equals(name)).findFirst();
        }
    }

    /**
     * One TLSA query made for a host.
     *
     * @param name the query name, {@code _25._tcp.<base domain>}
     * @param result the outcome
     * @param status its DNSSEC status
     */
    public record TlsaQuery(Name name, DnsResult result, DnssecStatus status) {
        public TlsaQuery {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(status, "status");
        }
    }

    /**
     * The DANE facts of one MX host.
     *
     * @param name the MX host name (the exchange of the MX record, or the domain for an implicit MX)
     * @param preference the MX preference (0 for an implicit MX)
     * @param a the A lookup outcome
     * @param aaaa the AAAA lookup outcome
     * @param addressStatus the weaker status of {@code a} and {@code aaaa}
     * @param expandedName the owner of the address records when {@code name} is a CNAME (the fully expanded
     *     name), else {@code name}
     * @param tlsaQueries the TLSA queries made, in order: none when the addresses are not secure, two when the
     *     expanded name gave no secure TLSA RRset and the original name was tried
     * @param tlsaBaseDomain the name whose TLSA RRset decided the outcome ({@code name} when none was queried)
     * @param selection the records of a secure TLSA RRset an SMTP client uses; empty unless the outcome is
     *     {@link DaneHostOutcome#SECURE_USABLE} or {@link DaneHostOutcome#SECURE_UNUSABLE}
     * @param outcome the DANE outcome
     * @param reason one line saying why, for logs and DSNs
     * @param referenceIdentifiers the names a DANE-TA(2) certificate must match (RFC 7672 section 3.2.2)
     */
    public record Host(Name name, int preference, DnsResult a, DnsResult aaaa, DnssecStatus addressStatus,
                       Name expandedName, List<TlsaQuery> tlsaQueries, Name tlsaBaseDomain,
                       Optional<TlsaSelection> selection, DaneHostOutcome outcome, String reason,
                       List<Name> referenceIdentifiers) {
        public Host {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(a, "a");
            Objects.requireNonNull(aaaa, "aaaa");
            Objects.requireNonNull(addressStatus, "addressStatus");
            Objects.requireNonNull(expandedName, "expandedName");
            tlsaQueries = List.copyOf(tlsaQueries);
            Objects.requireNonNull(tlsaBaseDomain, "tlsaBaseDomain");
            Objects.requireNonNull(selection, "selection");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(reason, "reason");
            referenceIdentifiers = List.copyOf(referenceIdentifiers);
        }

        /**
         * The addresses of the host (A then AAAA records).
         *
         * @return the address records, possibly empty
         */
        public List<Record> addresses() {
            List<Record> addresses = new ArrayList<>();
            if (a instanceof DnsResult.Answer answer) {
                addresses.addAll(answer.records());
            }
            if (aaaa instanceof DnsResult.Answer answer) {
                addresses.addAll(answer.records());
            }
            return addresses;
        }
    }

    /**
     * Looks up a destination domain.
     *
     * @param domain the next-hop domain (a relative name is taken as absolute)
     * @return a stage that always completes normally
     */
    public CompletionStage<Destination> lookup(Name domain) {
        Name absolute = absolute(domain);
        return dns.query(absolute, Type.MX).thenCompose(mx -> {
            DnssecStatus mxStatus = DnssecStatus.of(mx);
            if (mx instanceof DnsResult.Answer answer) {
                List<MXRecord> records = answer.records().stream().map(MXRecord.class::cast)
                    .sorted(Comparator.comparingInt(MXRecord::getPriority)).toList();
                if (records.size() == 1 && records.get(0).getTarget().equals(Name.root)) {
                    return done(new Destination(absolute, mx, mxStatus, MxSource.NULL_MX, List.of()));
                }
                Set<Name> seen = new LinkedHashSet<>();
                List<CompletableFuture<Host>> hosts = new ArrayList<>();
                for (MXRecord record : records) {
                    if (!record.getTarget().equals(Name.root) && seen.add(record.getTarget())) {
                        hosts.add(host(absolute, mxStatus, record.getTarget(), record.getPriority()));
                    }
                }
                return collect(absolute, mx, mxStatus, MxSource.MX, hosts);
            }
            if (mx instanceof DnsResult.NoData) {
                return collect(absolute, mx, mxStatus, MxSource.IMPLICIT, List.of(host(absolute, mxStatus, absolute, 0)));
            }
            if (mx instanceof DnsResult.NxDomain) {
                return done(new Destination(absolute, mx, mxStatus, MxSource.NO_SUCH_DOMAIN, List.of()));
            }
            return done(new Destination(absolute, mx, mxStatus, MxSource.FAILED, List.of()));
        });
    }

    /**
     * Looks up a destination domain given as text.
     *
     * @param domain e.g. {@code example.com}
     * @return a stage that always completes normally
     * @throws IllegalArgumentException if the text is not a domain name
     */
    public CompletionStage<Destination> lookup(String domain) {
        try {
            return lookup(Name.fromString(domain, Name.root));
        } catch (TextParseException e) {
            throw new IllegalArgumentException("'" + domain + "' is not a domain name: " + e.getMessage(), e);
        }
    }

    private static CompletionStage<Destination> collect(Name domain, DnsResult mx, DnssecStatus mxStatus,
            MxSource source, List<CompletableFuture<Host>> hosts) {
        return CompletableFuture.allOf(hosts.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> new Destination(domain, mx, mxStatus, source,
                hosts.stream().map(CompletableFuture::join).toList()));
    }

    private CompletableFuture<Host> host(Name nextHop, DnssecStatus mxStatus, Name host, int preference) {
        CompletableFuture<DnsResult> a = dns.query(host, Type.A).toCompletableFuture();
        CompletableFuture<DnsResult> aaaa = dns.query(host, Type.AAAA).toCompletableFuture();
        return a.thenCombine(aaaa, AddressLookup::new)
            .thenCompose(addresses -> tlsa(nextHop, mxStatus, host, preference, addresses));
    }

    private record AddressLookup(DnsResult a, DnsResult aaaa) {
        DnssecStatus status() {
            return DnssecStatus.of(a).and(DnssecStatus.of(aaaa));
        }

        /** The owner of the address records: another name than the host's when the host is a CNAME. */
        Name expanded(Name host) {
            for (DnsResult result : List.of(a, aaaa)) {
                if (result instanceof DnsResult.Answer answer) {
                    return answer.records().get(0).getName();
                }
            }
            return host;
        }
    }

    private CompletableFuture<Host> tlsa(Name nextHop, DnssecStatus mxStatus, Name host, int preference,
            AddressLookup addresses) {
        DnssecStatus addressStatus = addresses.status();
        Name expanded = addresses.expanded(host);
        HostBuilder builder = new HostBuilder(nextHop, mxStatus, host, preference, addresses, expanded);
        if (addressStatus == DnssecStatus.INDETERMINATE) {
            DnsResult failed = DnssecStatus.of(addresses.a()) == DnssecStatus.INDETERMINATE ? addresses.a()
                : addresses.aaaa();
            return done(builder.build(List.of(), host, Optional.empty(), DaneHostOutcome.INDETERMINATE,
                "address lookup failed: " + describe(failed)));
        }
        if (addressStatus == DnssecStatus.INSECURE) {
            return done(builder.build(List.of(), host, Optional.empty(), DaneHostOutcome.INSECURE,
                "address records of " + host + " are insecure (RFC 7672 section 2.2.2): no TLSA lookup"));
        }
        if (expanded.equals(host)) {
            return queryTlsa(host).thenApply(query -> decide(builder, List.of(query), host));
        }
        // RFC 7672 section 2.2.2 / RFC 7671 section 7: a secure CNAME expansion; the expanded name first.
        return queryTlsa(expanded).thenCompose(first -> {
            if (first.status() == DnssecStatus.INDETERMINATE
                    || first.status() == DnssecStatus.SECURE && first.result() instanceof DnsResult.Answer) {
                return done(decide(builder, List.of(first), expanded));
            }
            return queryTlsa(host).thenApply(second -> decide(builder, List.of(first, second), host));
        });
    }

    private CompletableFuture<TlsaQuery> queryTlsa(Name base) {
        Name name;
        try {
            name = Name.concatenate(TLSA_PREFIX, base);
        } catch (NameTooLongException e) {
            DnsResult failure = new DnsResult.Failure(base, Type.TLSA, DnsResult.Failure.Kind.MALFORMED,
                "_25._tcp." + base + " is too long a name");
            return done(new TlsaQuery(base, failure, DnssecStatus.INDETERMINATE));
        }
        return dns.query(name, Type.TLSA).toCompletableFuture()
            .thenApply(result -> new TlsaQuery(name, result, DnssecStatus.of(result)));
    }

    private static Host decide(HostBuilder builder, List<TlsaQuery> queries, Name base) {
        TlsaQuery last = queries.get(queries.size() - 1);
        DnsResult result = last.result();
        switch (last.status()) {
            case INDETERMINATE:
                return builder.build(queries, base, Optional.empty(), DaneHostOutcome.INDETERMINATE,
                    "TLSA lookup failed: " + describe(result));
            case INSECURE:
                return builder.build(queries, base, Optional.empty(), DaneHostOutcome.INSECURE,
                    result instanceof DnsResult.Answer ? "TLSA records at " + last.name() + " are insecure"
                        : "no TLSA records at " + last.name() + " (" + describe(result) + ", insecure)");
            default:
                break;
        }
        if (!(result instanceof DnsResult.Answer answer)) {
            return builder.build(queries, base, Optional.empty(), DaneHostOutcome.INSECURE,
                "no TLSA records at " + last.name() + " (" + describe(result) + ", secure denial)");
        }
        TlsaSelection selection = TlsaSelection.of(answer.records().stream()
            .map(record -> TlsaRecord.of((TLSARecord) record)).toList());
        if (selection.usable().isEmpty()) {
            return builder.build(queries, base, Optional.of(selection), DaneHostOutcome.SECURE_UNUSABLE,
                "secure TLSA records at " + last.name() + ", none usable: TLS required, no authentication");
        }
        return builder.build(queries, base, Optional.of(selection), DaneHostOutcome.SECURE_USABLE,
            selection.usable().size() + " usable secure TLSA record(s) at " + last.name());
    }

    private record HostBuilder(Name nextHop, DnssecStatus mxStatus, Name host, int preference,
                               AddressLookup addresses, Name expanded) {
        Host build(List<TlsaQuery> queries, Name base, Optional<TlsaSelection> selection, DaneHostOutcome outcome,
                String reason) {
            Set<Name> identifiers = new LinkedHashSet<>();
            identifiers.add(base);
            if (mxStatus == DnssecStatus.SECURE) {
                identifiers.add(nextHop);
            }
            return new Host(host, preference, addresses.a(), addresses.aaaa(), addresses.status(), expanded, queries,
                base, selection, outcome, reason, List.copyOf(identifiers));
        }
    }

    private static String describe(DnsResult result) {
        if (result instanceof DnsResult.Failure failure) {
            return failure.detail();
        }
        if (result instanceof DnsResult.NxDomain) {
            return "NXDOMAIN";
        }
        if (result instanceof DnsResult.NoData) {
            return "NODATA";
        }
        return "answer";
    }

    private static Name absolute(Name name) {
        Objects.requireNonNull(name, "name");
        if (name.isAbsolute()) {
            return name;
        }
        try {
            return Name.concatenate(name, Name.root);
        } catch (NameTooLongException e) {
            throw new IllegalArgumentException("name too long: " + name, e);
        }
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
