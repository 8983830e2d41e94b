package org.tesjames.core.spf;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.tesjames.core.dmarc.SpfResult;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.util.BoundedMemo;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * RFC 7208's {@code check_host()} over the project's asynchronous {@link DnsClient}: no thread waits for an
 * answer, one lookup at a time in the order of the record, every DNS outcome typed.
 *
 * <ul>
 *   <li>Records are looked up as TXT only (section 4.4), their strings joined (section 3.3); a record is parsed
 *       in full before it is evaluated, and a syntax error anywhere is {@code permerror} (section 4.6).</li>
 *   <li>Limits (section 4.6.4): at most {@value #DNS_TERM_LIMIT} terms that query the DNS ({@code include},
 *       {@code a}, {@code mx}, {@code ptr}, {@code exists}, {@code redirect}) per evaluation, more is
 *       {@code permerror}; at most {@value #VOID_LOOKUP_LIMIT} void lookups (NXDOMAIN or NODATA) of those terms,
 *       more is {@code permerror}; an {@code mx} with more than {@value #MX_LIMIT} MX records is {@code permerror};
 *       {@code ptr} and the {@code p} macro look at the first {@value #PTR_LIMIT} PTR names only. The
 *       {@code exp=} lookup is none of these: it is made after the result, only for {@code fail}, and can never
 *       change the result (section 6.2).</li>
 *   <li>DNS failures (SERVFAIL, REFUSED, timeout, network error, a CNAME loop) are {@code temperror} for every
 *       term, except where section 5.5 says otherwise: a failed PTR lookup makes {@code ptr} not match, a failed
 *       address lookup of one PTR name skips that name.</li>
 *   <li>DNS names are compared case-insensitively (RFC 4343); expanded names longer than 253 characters lose
 *       labels on the left (section 7.3); a name no query can be made of (an empty label, a label over 63
 *       octets) is a name that does not exist.</li>
 * </ul>
 *
 * <p>The time limit of a whole evaluation is the caller's ({@code SpfVerifier}).
 */
public final class SpfCheckHost {
    /** Section 4.6.4: terms that query the DNS, per evaluation. */
    public static final int DNS_TERM_LIMIT = 10;
    /** Section 4.6.4: void lookups per evaluation ("SHOULD NOT exceed two"). */
    public static final int VOID_LOOKUP_LIMIT = 2;
    /** Section 4.6.4: MX records an {@code mx} mechanism may have. */
    public static final int MX_LIMIT = 10;
    /** Section 4.6.4: PTR names {@code ptr} and the {@code p} macro look at. */
    public static final int PTR_LIMIT = 10;
    /** Section 7.3: the {@code r} macro when the receiving host's name is not known. */
    public static final String UNKNOWN_RECEIVER = "unknown";
    private static final int TERM_IN_REASON = 64;

    /** Parsed records by text: the same records are evaluated for every message of a domain. */
    private static final BoundedMemo<Parsed> PARSED = new BoundedMemo<>(Parsed::of, 4096, 2048);

    private final DnsClient dns;
    private final String receivingDomain;
    private final Clock clock;

    /**
     * @param dns the DNS client every lookup goes through
     * @param receivingDomain this host's name for the {@code r} macro ({@link #UNKNOWN_RECEIVER} if not known)
     * @param clock the time of the {@code t} macro
     */
    public SpfCheckHost(DnsClient dns, String receivingDomain, Clock clock) {
        this.dns = Objects.requireNonNull(dns);
        this.receivingDomain = Objects.requireNonNull(receivingDomain);
        this.clock = Objects.requireNonNull(clock);
    }

    /** What one {@code check_host()} gave. */
    public static final class Outcome {
        private final SpfResult result;
        private final String reason;
        private final Optional<Explainer> explainer;
        private final Duration ttl;

        private Outcome(SpfResult result, String reason, Optional<Explainer> explainer, Duration ttl) {
            this.result = result;
            this.reason = reason;
            this.explainer = explainer;
            this.ttl = ttl;
        }

        public SpfResult result() {
            return result;
        }

        /**
         * How long the outcome holds: the shortest TTL of the DNS answers the evaluation read (a DNS cache gives
         * the time its answers have left); zero when no answer was read or a lookup failed. The explanation of a
         * {@code fail}, looked up later, is not counted.
         */
        public Duration ttl() {
            return ttl;
        }

        /** Why, in a few words: the term that matched and the record it is in, or the error. */
        public String reason() {
            return reason;
        }

        /**
         * The domain owner's explanation of a {@code fail} (section 6.2: the {@code exp=} of the record that
         * decided, its TXT record expanded), looked up now; empty when the result is not {@code fail}, there is
         * no {@code exp=}, or the explanation cannot be had (no or several TXT records, a DNS failure, a syntax
         * error, non-ASCII text). Never fails.
         */
        public CompletionStage<Optional<String>> explanation() {
            return explainer.map(Explainer::explain)
                .orElseGet(() -> CompletableFuture.completedFuture(Optional.empty()));
        }

        @Override
        public String toString() {
            return result.keyword() + " (" + reason + ")";
        }
    }

    /**
     * Evaluates {@code check_host(ip, domain, sender)}.
     *
     * @param ip the client address (an IPv4-mapped IPv6 address is IPv4, section 5)
     * @param domain the domain to evaluate, a valid domain name
     * @param sender the sender, {@code local@domain} ({@code postmaster@domain} for HELO or an empty local part,
     *     section 4.3)
     * @param helo the HELO/EHLO argument as sent, for the {@code h} macro
     */
    public CompletionStage<Outcome> checkHost(InetAddress ip, String domain, String sender, String helo) {
        Evaluation evaluation = new Evaluation(ip, sender, helo);
        Optional<Name> name = SpfNames.toName(domain);
        if (name.isEmpty()) {
            return CompletableFuture.completedFuture(new Outcome(SpfResult.NONE, "'" + domain
                + "' is not a domain name that can be queried", Optional.empty(), Duration.ZERO));
        }
        return evaluation.checkHost(domain, name.get(), true).thenApply(verdict -> new Outcome(verdict.result(),
            verdict.reason(), verdict.explainer(), evaluation.shortestTtl()));
    }

    /** The result of a record or of a term that ended the evaluation of a record. */
    private record Verdict(SpfResult result, String reason, Optional<Explainer> explainer) {
        static Verdict of(SpfResult result, String reason) {
            return new Verdict(result, reason, Optional.empty());
        }
    }

    private static final Optional<Verdict> NO_MATCH = Optional.empty();

    /** A parsed record, or why it does not parse. */
    private sealed interface Parsed {
        static Parsed of(String text) {
            try {
                return new Valid(SpfRecord.parse(text));
            } catch (SpfSyntaxException e) {
                return new Invalid(e.getMessage());
            }
        }
    }

    private record Valid(SpfRecord record) implements Parsed {
    }

    private record Invalid(String problem) implements Parsed {
    }

    /** The explanation of the record that decided a {@code fail}, fetched only when asked for. */
    private record Explainer(Evaluation evaluation, MacroString spec, String domain) {
        CompletionStage<Optional<String>> explain() {
            return evaluation.expand(spec, domain).thenCompose(target -> {
                Optional<Name> name = SpfNames.toName(target);
                if (name.isEmpty()) {
                    return done(Optional.<String>empty());
                }
                return evaluation.dns.query(name.get(), Type.TXT).thenCompose(this::expandText);
            }).exceptionally(error -> Optional.empty());
        }

        /** Section 6.2: exactly one TXT record, valid explanation text, else no explanation. */
        private CompletionStage<Optional<String>> expandText(DnsResult result) {
            if (!(result instanceof DnsResult.Answer answer) || answer.records().size() != 1) {
                return done(Optional.empty());
            }
            MacroString text;
            try {
                text = MacroString.parse(text(answer.records().get(0)), MacroString.Use.EXPLANATION);
            } catch (SpfSyntaxException e) {
                return done(Optional.empty());
            }
            return evaluation.expand(text, domain).thenApply(Optional::of);
        }
    }

    /** One evaluation: its inputs and its counters. Lookups are made one at a time, so no two threads race. */
    private final class Evaluation {
        private final byte[] ip;
        private final String sender;
        private final String localPart;
        private final String senderDomain;
        private final String helo;
        /** Every lookup of the evaluation, each answer's TTL noted. */
        private final DnsClient dns = (name, type) -> SpfCheckHost.this.dns.query(name, type).thenApply(this::noted);
        private int dnsTerms;
        private int voidLookups;
        /** The shortest TTL of the answers read so far; null before the first. */
        private Duration shortestTtl;

        Evaluation(InetAddress ip, String sender, String helo) {
            this.ip = ipv4MappedAsIpv4(ip.getAddress());
            this.sender = sender;
            int at = sender.lastIndexOf('@');
            this.localPart = at <= 0 ? "postmaster" : sender.substring(0, at);
            this.senderDomain = sender.substring(at + 1);
            this.helo = helo;
        }

        private DnsResult noted(DnsResult result) {
            Duration ttl = result.isTemporaryFailure() ? Duration.ZERO : result.ttl();
            if (shortestTtl == null || ttl.compareTo(shortestTtl) < 0) {
                shortestTtl = ttl;
            }
            return result;
        }

        Duration shortestTtl() {
            return shortestTtl == null ? Duration.ZERO : shortestTtl;
        }

        CompletionStage<Verdict> checkHost(String domain, Name name, boolean explain) {
            return dns.query(name, Type.TXT).thenCompose(result -> {
                if (result instanceof DnsResult.Failure failure) {
                    return done(Verdict.of(SpfResult.TEMPERROR, describe(failure)));
                }
                if (!(result instanceof DnsResult.Answer answer)) {
                    return done(Verdict.of(SpfResult.NONE, "no SPF record at " + domain));
                }
                String found = null;
                for (Record record : answer.records()) {
                    String text = text(record);
                    if (SpfRecord.isSpfRecord(text)) {
                        if (found != null) {
                            return done(Verdict.of(SpfResult.PERMERROR, "More than 1 SPF record found"));
                        }
                        found = text;
                    }
                }
                if (found == null) {
                    return done(Verdict.of(SpfResult.NONE, "no SPF record at " + domain));
                }
                Parsed parsed = PARSED.apply(found);
                if (parsed instanceof Invalid invalid) {
                    return done(Verdict.of(SpfResult.PERMERROR, "syntax error in the record of " + domain + ": "
                        + invalid.problem()));
                }
                return evaluate(((Valid) parsed).record(), domain, 0, explain);
            });
        }

        private CompletionStage<Verdict> evaluate(SpfRecord record, String domain, int from, boolean explain) {
            List<SpfRecord.Mechanism> mechanisms = record.mechanisms();
            for (int i = from; i < mechanisms.size(); i++) {
                SpfRecord.Mechanism mechanism = mechanisms.get(i);
                if (mechanism.queriesDns() && ++dnsTerms > DNS_TERM_LIMIT) {
                    return done(overTermLimit(mechanism.text()));
                }
                CompletableFuture<Optional<Verdict>> step = mechanism(mechanism, domain).toCompletableFuture();
                if (step.isDone() && !step.isCompletedExceptionally()) {
                    Optional<Verdict> verdict = step.join();
                    if (verdict.isPresent()) {
                        return done(explained(verdict.get(), record, domain, explain));
                    }
                    continue;
                }
                int next = i + 1;
                return step.thenCompose(verdict -> verdict.isPresent()
                    ? done(explained(verdict.get(), record, domain, explain))
                    : evaluate(record, domain, next, explain));
            }
            if (record.redirect().isEmpty()) {
                return done(Verdict.of(SpfResult.NEUTRAL, address() + " matched no mechanism of " + domain
                    + " (default neutral)"));
            }
            if (++dnsTerms > DNS_TERM_LIMIT) {
                return done(overTermLimit("redirect=" + record.redirect().get()));
            }
            return expand(record.redirect().get(), domain).thenCompose(target -> {
                Optional<Name> name = SpfNames.toName(target);
                CompletionStage<Verdict> redirected = name.isEmpty()
                    ? done(Verdict.of(SpfResult.NONE, "no SPF record at " + target))
                    : checkHost(target, name.get(), explain);
                return redirected.thenApply(verdict -> verdict.result() == SpfResult.NONE
                    ? Verdict.of(SpfResult.PERMERROR, "redirect=" + cut(target) + ": " + verdict.reason())
                    : verdict);
            });
        }

        private Verdict explained(Verdict verdict, SpfRecord record, String domain, boolean explain) {
            if (explain && verdict.result() == SpfResult.FAIL && record.explanation().isPresent()) {
                return new Verdict(verdict.result(), verdict.reason(),
                    Optional.of(new Explainer(this, record.explanation().get(), domain)));
            }
            return verdict;
        }

        private Verdict overTermLimit(String term) {
            return Verdict.of(SpfResult.PERMERROR, "more than " + DNS_TERM_LIMIT
                + " DNS-querying terms (RFC 7208 section 4.6.4), at " + cut(term));
        }

        private Optional<Verdict> matched(SpfRecord.Mechanism mechanism, String domain) {
            return Optional.of(Verdict.of(mechanism.qualifier().result(), address() + " matched "
                + cut(mechanism.text()) + " of " + domain));
        }

        private CompletionStage<Optional<Verdict>> mechanism(SpfRecord.Mechanism mechanism, String domain) {
            if (mechanism instanceof SpfRecord.All) {
                return done(matched(mechanism, domain));
            }
            if (mechanism instanceof SpfRecord.Ip ip) {
                return done(inNetwork(this.ip, ip.network(), ip.prefix()) ? matched(mechanism, domain) : NO_MATCH);
            }
            if (mechanism instanceof SpfRecord.Addresses addresses) {
                return target(addresses.domain(), domain).thenCompose(name -> name.isEmpty() ? done(NO_MATCH)
                    : addresses.mx() ? mx(addresses, name.get(), domain) : a(addresses, name.get(), domain));
            }
            if (mechanism instanceof SpfRecord.Exists exists) {
                return target(Optional.of(exists.domain()), domain).thenCompose(name -> name.isEmpty()
                    ? done(NO_MATCH)
                    : dns.query(name.get(), Type.A).thenApply(result -> {
                        if (result instanceof DnsResult.Failure failure) {
                            return Optional.of(Verdict.of(SpfResult.TEMPERROR, describe(failure)));
                        }
                        return result instanceof DnsResult.Answer ? matched(mechanism, domain) : voidLookup(result);
                    }));
            }
            if (mechanism instanceof SpfRecord.Include include) {
                return expand(include.domain(), domain).thenCompose(target -> {
                    Optional<Name> name = SpfNames.toName(target);
                    CompletionStage<Verdict> included = name.isEmpty()
                        ? done(Verdict.of(SpfResult.NONE, "no SPF record at " + target))
                        : checkHost(target, name.get(), false);
                    return included.thenApply(verdict -> switch (verdict.result()) {
                        case PASS -> matched(mechanism, domain);
                        case FAIL, SOFTFAIL, NEUTRAL -> NO_MATCH;
                        case TEMPERROR -> Optional.of(verdict);
                        case PERMERROR -> Optional.of(Verdict.of(SpfResult.PERMERROR, verdict.reason()));
                        case NONE -> Optional.of(Verdict.of(SpfResult.PERMERROR, cut(include.text()) + ": "
                            + verdict.reason()));
                    });
                });
            }
            return ptr((SpfRecord.Ptr) mechanism, domain);
        }

        private CompletionStage<Optional<Name>> target(Optional<MacroString> spec, String domain) {
            if (spec.isEmpty()) {
                return done(SpfNames.toName(domain));
            }
            return expand(spec.get(), domain).thenApply(SpfNames::toName);
        }

        private CompletionStage<Optional<Verdict>> a(SpfRecord.Addresses a, Name name, String domain) {
            return dns.query(name, addressType()).thenApply(result -> {
                if (result instanceof DnsResult.Failure failure) {
                    return Optional.of(Verdict.of(SpfResult.TEMPERROR, describe(failure)));
                }
                if (!(result instanceof DnsResult.Answer answer)) {
                    return voidLookup(result);
                }
                return anyInNetwork(answer, a.cidr4(), a.cidr6()) ? matched(a, domain) : NO_MATCH;
            });
        }

        private CompletionStage<Optional<Verdict>> mx(SpfRecord.Addresses mx, Name name, String domain) {
            return dns.query(name, Type.MX).thenCompose(result -> {
                if (result instanceof DnsResult.Failure failure) {
                    return done(Optional.of(Verdict.of(SpfResult.TEMPERROR, describe(failure))));
                }
                if (!(result instanceof DnsResult.Answer answer)) {
                    return done(voidLookup(result));
                }
                if (answer.records().size() > MX_LIMIT) {
                    return done(Optional.of(Verdict.of(SpfResult.PERMERROR, cut(mx.text()) + ": " + name + " has "
                        + answer.records().size() + " MX records, more than " + MX_LIMIT
                        + " (RFC 7208 section 4.6.4)")));
                }
                List<Name> hosts = new ArrayList<>();
                for (Record record : answer.records()) {
                    Name host = ((MXRecord) record).getTarget();
                    if (!host.equals(Name.root)) {
                        hosts.add(host);
                    }
                }
                return mxHosts(mx, hosts, 0, domain);
            });
        }

        private CompletionStage<Optional<Verdict>> mxHosts(SpfRecord.Addresses mx, List<Name> hosts, int index,
                                                           String domain) {
            if (index == hosts.size()) {
                return done(NO_MATCH);
            }
            return dns.query(hosts.get(index), addressType()).thenCompose(result -> {
                if (result instanceof DnsResult.Failure failure) {
                    return done(Optional.of(Verdict.of(SpfResult.TEMPERROR, describe(failure))));
                }
                if (result instanceof DnsResult.Answer answer && anyInNetwork(answer, mx.cidr4(), mx.cidr6())) {
                    return done(matched(mx, domain));
                }
                return mxHosts(mx, hosts, index + 1, domain);
            });
        }

        private CompletionStage<Optional<Verdict>> ptr(SpfRecord.Ptr ptr, String domain) {
            return target(ptr.domain(), domain).thenCompose(target -> {
                if (target.isEmpty()) {
                    return done(NO_MATCH);
                }
                return dns.query(ReverseMap.fromAddress(ip), Type.PTR).thenCompose(result -> {
                    // section 5.5: a DNS error of the PTR lookup makes the mechanism fail to match
                    if (result instanceof DnsResult.Failure) {
                        return done(NO_MATCH);
                    }
                    if (!(result instanceof DnsResult.Answer answer)) {
                        return done(voidLookup(result));
                    }
                    List<Name> candidates = new ArrayList<>();
                    for (Name name : ptrNames(answer)) {
                        if (name.subdomain(target.get())) {
                            candidates.add(name);
                        }
                    }
                    return firstValidated(candidates, 0).thenApply(name -> name.isPresent()
                        ? matched(ptr, domain) : NO_MATCH);
                });
            });
        }

        /** The first of the names whose addresses include the client's (section 5.5); errors skip a name. */
        private CompletionStage<Optional<Name>> firstValidated(List<Name> names, int index) {
            if (index == names.size()) {
                return done(Optional.empty());
            }
            Name name = names.get(index);
            return dns.query(name, addressType()).thenCompose(result -> result instanceof DnsResult.Answer answer
                && anyInNetwork(answer, 32, 128) ? done(Optional.of(name)) : firstValidated(names, index + 1));
        }

        /** Counts a void lookup: past the limit, the evaluation ends with {@code permerror}. */
        private Optional<Verdict> voidLookup(DnsResult result) {
            if (++voidLookups > VOID_LOOKUP_LIMIT) {
                return Optional.of(Verdict.of(SpfResult.PERMERROR, "more than " + VOID_LOOKUP_LIMIT
                    + " void lookups (RFC 7208 section 4.6.4), the last " + Type.string(result.type()) + " "
                    + result.name()));
            }
            return NO_MATCH;
        }

        private int addressType() {
            return ip.length == 4 ? Type.A : Type.AAAA;
        }

        private boolean anyInNetwork(DnsResult.Answer answer, int cidr4, int cidr6) {
            for (Record record : answer.records()) {
                byte[] address;
                if (record instanceof ARecord a) {
                    address = a.getAddress().getAddress();
                } else if (record instanceof AAAARecord aaaa) {
                    address = aaaa.getAddress().getAddress();
                } else {
                    continue;
                }
                if (inNetwork(ip, address, address.length == 4 ? cidr4 : cidr6)) {
                    return true;
                }
            }
            return false;
        }

        /** Expands a macro string in the context of {@code domain}, looking up the {@code p} macro if it is used. */
        CompletionStage<String> expand(MacroString spec, String domain) {
            if (!spec.usesValidatedName()) {
                return done(spec.expand(letter -> value(letter, domain, "")));
            }
            return validatedName(domain).thenApply(p -> spec.expand(letter -> value(letter, domain, p)));
        }

        private String value(char letter, String domain, String validated) {
            return switch (letter) {
                case 's' -> sender;
                case 'l' -> localPart;
                case 'o' -> senderDomain;
                case 'd' -> domain;
                case 'i' -> ip.length == 4 ? address() : nibbles();
                case 'p' -> validated;
                case 'v' -> ip.length == 4 ? "in-addr" : "ip6";
                case 'h' -> helo;
                case 'c' -> address();
                case 'r' -> receivingDomain;
                case 't' -> Long.toString(clock.instant().getEpochSecond());
                default -> throw new IllegalStateException("macro letter " + letter);
            };
        }

        /**
         * The {@code p} macro (section 7.3): a validated name of the client, the domain itself first, then one of
         * its subdomains, then any; {@code unknown} when there is none or the lookups fail.
         */
        private CompletionStage<String> validatedName(String domain) {
            Optional<Name> target = SpfNames.toName(domain);
            return dns.query(ReverseMap.fromAddress(ip), Type.PTR).thenCompose(result -> {
                if (!(result instanceof DnsResult.Answer answer)) {
                    return done(Optional.<Name>empty());
                }
                List<Name> exact = new ArrayList<>();
                List<Name> below = new ArrayList<>();
                List<Name> others = new ArrayList<>();
                for (Name name : ptrNames(answer)) {
                    if (target.isPresent() && name.equals(target.get())) {
                        exact.add(name);
                    } else if (target.isPresent() && name.subdomain(target.get())) {
                        below.add(name);
                    } else {
                        others.add(name);
                    }
                }
                exact.addAll(below);
                exact.addAll(others);
                return firstValidated(exact, 0);
            }).thenApply(name -> name.map(found -> found.toString(true)).orElse("unknown"));
        }

        private String address() {
            return ip.length == 4 ? (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "."
                + (ip[3] & 0xff) : compressedIpv6(ip);
        }

        private String nibbles() {
            StringBuilder out = new StringBuilder(63);
            for (byte b : ip) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(Character.forDigit((b >> 4) & 0xf, 16)).append('.').append(Character.forDigit(b & 0xf,
                    16));
            }
            return out.toString();
        }
    }

    private static List<Name> ptrNames(DnsResult.Answer answer) {
        List<Name> names = new ArrayList<>();
        for (Record record : answer.records()) {
            if (record instanceof PTRRecord ptr && names.size() < PTR_LIMIT) {
                names.add(ptr.getTarget());
            }
        }
        return names;
    }

    private static byte[] ipv4MappedAsIpv4(byte[] ip) {
        if (ip.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (ip[i] != 0) {
                    return ip;
                }
            }
            if (ip[10] == (byte) 0xff && ip[11] == (byte) 0xff) {
                return new byte[] {ip[12], ip[13], ip[14], ip[15]};
            }
        }
        return ip;
    }

    private static boolean inNetwork(byte[] ip, byte[] network, int prefix) {
        if (ip.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (ip[i] != network[i]) {
                return false;
            }
        }
        int bits = prefix % 8;
        if (bits == 0) {
            return true;
        }
        int mask = (0xff << (8 - bits)) & 0xff;
        return (ip[full] & mask) == (network[full] & mask);
    }

    /** RFC 5952 text of an IPv6 address: lower case, the longest run of two or more zero groups as {@code ::}. */
    static String compressedIpv6(byte[] ip) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((ip[2 * i] & 0xff) << 8) | (ip[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** A TXT record's strings joined (section 3.3), octets as ISO-8859-1 so that non-ASCII stays visible. */
    private static String text(Record record) {
        if (!(record instanceof TXTRecord txt)) {
            return "";
        }
        List<byte[]> strings = txt.getStringsAsByteArrays();
        if (strings.size() == 1) {
            return new String(strings.get(0), StandardCharsets.ISO_8859_1);
        }
        StringBuilder text = new StringBuilder();
        for (byte[] string : strings) {
            text.append(new String(string, StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    private static String describe(DnsResult.Failure failure) {
        return Type.string(failure.type()) + " " + failure.name() + ": " + failure.kind()
            + (failure.detail().isEmpty() ? "" : " " + failure.detail());
    }

    private static String cut(String text) {
        return text.length() <= TERM_IN_REASON ? text : text.substring(0, TERM_IN_REASON) + "...";
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
