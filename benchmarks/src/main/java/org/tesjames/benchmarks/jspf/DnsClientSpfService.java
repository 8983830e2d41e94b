package org.tesjames.benchmarks.jspf;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.apache.james.jspf.core.DNSRequest;
import org.apache.james.jspf.core.DNSService;
import org.apache.james.jspf.core.exceptions.TimeoutException;
import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.DnsResult;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * jSPF's {@link DNSService} over the project's asynchronous {@link DnsClient} (typed outcomes, shared cache),
 * never dnsjava's global {@code Lookup}:
 * <ul>
 *   <li>an answer becomes jSPF's strings: addresses for A and AAAA, target names (without the final dot) for MX
 *       and PTR, each TXT record's strings concatenated (RFC 7208 section 3.3);</li>
 *   <li>NXDOMAIN and NODATA become an empty list (a definite "no such record");</li>
 *   <li>every {@link DnsResult.Failure} (SERVFAIL, REFUSED, timeout, network error, malformed answer) becomes
 *       jSPF's {@link TimeoutException}, which jSPF turns into {@code temperror}: a temporary failure is never
 *       read as "no record";</li>
 *   <li>a name that is not a valid DNS name gives an empty list;</li>
 *   <li>a request for the SPF RR type (99), which jSPF makes before TXT, is answered with an empty list without
 *       a query: RFC 7208 (sections 3.1 and 4.4) queries TXT only.</li>
 * </ul>
 */
public final class DnsClientSpfService implements DNSService {
    /** RFC 7208 section 7.3: the {@code r} macro when the receiving host's name is not known. */
    public static final String UNKNOWN_RECEIVER = "unknown";

    private final DnsClient dns;
    private final String receivingDomain;
    private final Duration blockingTimeout;
    private volatile int recordLimit = 10;

    /**
     * @param dns the DNS client
     * @param receivingDomain the name of this host, for the {@code r} macro ({@link #UNKNOWN_RECEIVER} if none)
     * @param blockingTimeout how long the blocking {@link #getRecords(DNSRequest)} waits (the evaluation itself
     *     only uses {@link #getRecordsAsync(DNSRequest)})
     */
    public DnsClientSpfService(DnsClient dns, String receivingDomain, Duration blockingTimeout) {
        this.dns = Objects.requireNonNull(dns);
        this.receivingDomain = Objects.requireNonNull(receivingDomain);
        this.blockingTimeout = Objects.requireNonNull(blockingTimeout);
    }

    @Override
    public CompletionStage<List<String>> getRecordsAsync(DNSRequest request) {
        int type = switch (request.getRecordType()) {
            case DNSRequest.A -> Type.A;
            case DNSRequest.AAAA -> Type.AAAA;
            case DNSRequest.MX -> Type.MX;
            case DNSRequest.PTR -> Type.PTR;
            case DNSRequest.TXT -> Type.TXT;
            default -> -1;
        };
        if (request.getRecordType() == DNSRequest.SPF) {
            // RFC 7208 sections 3.1 and 4.4: TXT only; the SPF RR type is not queried (its lookup would cost a
            // query, and a server failing on the unknown type a temperror)
            return CompletableFuture.completedFuture(List.of());
        }
        if (type < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown jSPF record type "
                + request.getRecordType()));
        }
        Name name;
        try {
            name = Name.fromString(request.getHostname(), Name.root);
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(List.of());
        }
        return dns.query(name, type).thenCompose(result -> {
            if (result instanceof DnsResult.Failure failure) {
                return CompletableFuture.failedFuture(new TimeoutException(Type.string(type) + " " + name + ": "
                    + failure.kind() + (failure.detail().isEmpty() ? "" : " " + failure.detail())));
            }
            if (result instanceof DnsResult.Answer answer) {
                return CompletableFuture.completedFuture(strings(answer.records()));
            }
            return CompletableFuture.completedFuture(List.of());
        });
    }

    private static List<String> strings(List<Record> records) {
        List<String> strings = new ArrayList<>(records.size());
        for (Record record : records) {
            if (record instanceof ARecord a) {
                strings.add(a.getAddress().getHostAddress());
            } else if (record instanceof AAAARecord aaaa) {
                strings.add(aaaa.getAddress().getHostAddress());
            } else if (record instanceof MXRecord mx) {
                strings.add(mx.getTarget().toString(true));
            } else if (record instanceof PTRRecord ptr) {
                strings.add(ptr.getTarget().toString(true));
            } else if (record instanceof TXTRecord txt) {
                StringBuilder text = new StringBuilder();
                for (byte[] string : txt.getStringsAsByteArrays()) {
                    text.append(new String(string, StandardCharsets.ISO_8859_1));
                }
                strings.add(text.toString());
            }
        }
        return strings;
    }

    @Override
    public List<String> getRecords(DNSRequest request) throws TimeoutException {
        try {
            return getRecordsAsync(request).toCompletableFuture()
                .get(blockingTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException timeout) {
                throw timeout;
            }
            throw new TimeoutException(request + ": " + e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException(request + ": no answer within " + blockingTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException(request + ": interrupted");
        }
    }

    @Override
    public List<String> getLocalDomainNames() {
        return List.of(receivingDomain);
    }

    /** Ignored: query timeouts are the {@link DnsClient}'s. */
    @Override
    public void setTimeOut(int timeOut) {
    }

    @Override
    public int getRecordLimit() {
        return recordLimit;
    }

    @Override
    public void setRecordLimit(int recordLimit) {
        this.recordLimit = recordLimit;
    }
}
