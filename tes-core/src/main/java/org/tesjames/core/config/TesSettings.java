package org.tesjames.core.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.tesjames.core.dnssec.DnssecClients;
import org.tesjames.core.dnssec.DnssecMode;
import org.tesjames.core.dnssec.TrustAnchorSource;
import org.tesjames.core.membership.DomainNames;
import org.tesjames.core.submission.AuthFailureLimits;

/**
 * The server-wide TES settings, read from {@code conf/tes.properties}. Parsing is strict: an unknown key or a
 * malformed value fails with a message naming the key and the value, never a silent default.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code dns.resolvers}</td><td>{@code system}</td><td>comma-separated resolver addresses
 *       ({@code 127.0.0.1}, {@code 127.0.0.1:5353}, {@code [::1]:53}) used by every TES DNS lookup, tried in
 *       order; {@code system} means the resolvers of the operating system</td></tr>
 *   <tr><td>{@code dns.timeout}</td><td>{@code 5s}</td><td>time to wait for one answer from a resolver</td></tr>
 *   <tr><td>{@code dns.retries}</td><td>{@code 1}</td><td>how many more times the resolver list is tried after a
 *       temporary failure (0-5)</td></tr>
 *   <tr><td>{@code dns.cache.size}</td><td>{@code 10000}</td><td>maximum number of cached DNS outcomes</td></tr>
 *   <tr><td>{@code dns.cache.max-ttl}</td><td>{@code 1d}</td><td>longest time an answer is cached, whatever
 *       its TTL</td></tr>
 *   <tr><td>{@code dns.cache.failure-hold-down}</td><td>{@code 5s}</td><td>how long a temporary DNS failure is
 *       remembered before the next attempt ({@code 0s}: never)</td></tr>
 *   <tr><td>{@code registry.root}</td><td>{@code trusted-email-services.com}</td><td>the TES registry
 *       domain R of the membership chain</td></tr>
 *   <tr><td>{@code lookup.timeout}</td><td>{@code 30s}</td><td>longest time an SMTP command waits for a TES
 *       verdict; past it the transaction is deferred (4xx)</td></tr>
 *   <tr><td>{@code dnssec.mode}</td><td>{@code validate}</td><td>where DNSSEC is validated for DANE:
 *       {@code validate} (TES validates, dnsjava's {@code ValidatingResolver} in front of each resolver, with
 *       the anchors of {@code dnssec.anchors}) or {@code trust-ad} (the resolvers validate, their AD flag is
 *       believed; only loopback resolvers unless {@code dnssec.trust-ad.allow-remote=true})</td></tr>
 *   <tr><td>{@code dnssec.anchors}</td><td>{@code builtin}</td><td>trust anchors of {@code validate} mode: a
 *       file of DS or DNSKEY records in master-file format (a relative path is relative to James's
 *       {@code conf/}), or {@code builtin}, the IANA root DS set shipped with TES; a file without a usable
 *       anchor stops the start</td></tr>
 *   <tr><td>{@code dnssec.trust-ad.allow-remote}</td><td>{@code false}</td><td>{@code true} lets
 *       {@code trust-ad} mode believe resolvers off loopback (only over a trusted path)</td></tr>
 *   <tr><td>{@code dkim.keys}</td><td>{@code none}</td><td>the DKIM signing key directory,
 *       {@code <domain>/<selector>.pem} (see {@code DkimKeyStore}); a relative path is relative to James's
 *       {@code conf/}; {@code none}: DKIM signing is disabled. A directory that cannot be listed stops the
 *       start</td></tr>
 *   <tr><td>{@code dkim.reload-interval}</td><td>{@code 1m}</td><td>how often the key directory is checked for
 *       changes (added, removed or rewritten files are picked up without a restart)</td></tr>
 *   <tr><td>{@code dkim.selectors}</td><td>(empty)</td><td>explicit active selectors,
 *       {@code domain:selector,domain:selector}; a domain may be named twice (one RSA and one Ed25519
 *       selector); a domain not named uses its greatest selector name per key type</td></tr>
 *   <tr><td>{@code dkim.verify.max-signatures}</td><td>{@code 5}</td><td>most DKIM signatures of one inbound
 *       message that are verified (1-50): those whose {@code d=} is the envelope sender's domain first; further
 *       ones are reported as not evaluated</td></tr>
 *   <tr><td>{@code dkim.verify.max-key-record-bytes}</td><td>{@code 4096}</td><td>largest DKIM key record
 *       accepted (256-65535 bytes); a larger one is a {@code permerror}</td></tr>
 *   <tr><td>{@code auth.authserv-id}</td><td>(empty)</td><td>the authserv-id of the
 *       {@code Authentication-Results} header the inbound listener adds (RFC 8601), a domain name; empty: this
 *       host's canonical name, as the JVM finds it at start. Incoming headers that claim it are removed</td></tr>
 *   <tr><td>{@code dmarc.reject-non-members}</td><td>{@code false}</td><td>{@code true}: a DMARC failure whose
 *       disposition is {@code reject} is rejected for every sender, not only for TES members</td></tr>
 *   <tr><td>{@code smtp.pending.max}</td><td>{@code 1000}</td><td>most SMTP sessions of the server that may
 *       wait for a TES lookup at the same time (1-1000000); one more gets {@code 451 4.7.0} at once</td></tr>
 *   <tr><td>{@code smtp.pending.max-per-client}</td><td>{@code 10}</td><td>most SMTP sessions of one client
 *       address that may wait for a TES lookup at the same time (1 to {@code smtp.pending.max}); one more gets
 *       {@code 451 4.7.0} at once</td></tr>
 *   <tr><td>{@code smtp.max-header-bytes}</td><td>{@code 262144}</td><td>largest header section of a message on
 *       the inbound listener (1024-16777216 octets); a larger one is refused with {@code 552 5.3.4}</td></tr>
 *   <tr><td>{@code smtp.max-header-fields}</td><td>{@code 1000}</td><td>most header fields of a message on the
 *       inbound listener (10-1000000); more are refused with {@code 552 5.3.4}</td></tr>
 *   <tr><td>{@code submission.auth.max-failures-per-session}</td><td>{@code 3}</td><td>failed {@code AUTH}
 *       attempts after which a submission session is closed with {@code 421 4.7.0} (1-100)</td></tr>
 *   <tr><td>{@code submission.auth.max-failures-per-address}</td><td>{@code 10}</td><td>failed {@code AUTH}
 *       attempts of one client address (IPv6: one /64) within {@code submission.auth.address-window} after which
 *       every {@code AUTH} from it is refused with {@code 421 4.7.0} until the oldest of them leaves the window
 *       (1-1000)</td></tr>
 *   <tr><td>{@code submission.auth.address-window}</td><td>{@code 10m}</td><td>the window of
 *       {@code submission.auth.max-failures-per-address} (at most {@code 1d})</td></tr>
 *   <tr><td>{@code submission.auth.address-table-size}</td><td>{@code 10000}</td><td>most client addresses whose
 *       failures are remembered at once (1-10000000)</td></tr>
 *   <tr><td>{@code sts.enabled}</td><td>{@code true}</td><td>MTA-STS (RFC 8461) for recipient domains that are not
 *       TES members: policies discovered, cached and applied where DANE is not usable</td></tr>
 *   <tr><td>{@code sts.trust-store}</td><td>{@code jdk}</td><td>the CAs MTA-STS trusts (policy hosts and MX hosts):
 *       {@code jdk} (the JDK's {@code cacerts}) or a PEM file of CA certificates (relative to {@code conf/})</td></tr>
 *   <tr><td>{@code sts.fetch.timeout}</td><td>{@code 60s}</td><td>limit of one whole policy fetch (at most
 *       {@code 5m})</td></tr>
 *   <tr><td>{@code sts.fetch.max-bytes}</td><td>{@code 65536}</td><td>largest policy accepted
 *       (1024-1048576 octets)</td></tr>
 *   <tr><td>{@code sts.fetch.port}</td><td>{@code 443}</td><td>HTTPS port of the policy hosts (another value only
 *       for test rigs)</td></tr>
 *   <tr><td>{@code sts.cache.size}</td><td>{@code 10000}</td><td>most domains whose policy is cached
 *       (1-10000000)</td></tr>
 *   <tr><td>{@code tlsrpt.*}</td><td>off</td><td>SMTP TLS reporting (RFC 8460): {@code enabled},
 *       {@code organization-name}, {@code contact-info}, {@code reporting-domain} (required when enabled),
 *       {@code sender}, {@code interval} ({@code 1d}, 1s-7d), {@code max-policies} ({@code 10000}),
 *       {@code max-details-per-policy} ({@code 100}), {@code max-rua} ({@code 5}), {@code max-report-bytes}
 *       ({@code 1048576}), {@code trust-store} ({@code jdk}), {@code https.timeout} ({@code 60s}),
 *       {@code retry.attempts} ({@code 5}), {@code retry.delay} ({@code 5m}), {@code state-file}
 *       ({@code tlsrpt.state} under James's {@code var/}, or {@code none}); see {@link TlsRptSettings}</td></tr>
 * </table>
 */
public record TesSettings(Resolvers resolvers, Duration dnsTimeout, int dnsRetries, int dnsCacheSize,
                          Duration dnsCacheMaxTtl, Duration dnsCacheFailureHoldDown, String registryRoot,
                          Duration lookupTimeout, DnssecMode dnssecMode, TrustAnchorSource dnssecAnchors,
                          boolean dnssecTrustAdAllowRemote, Optional<Path> dkimKeys,
                          Duration dkimReloadInterval, Map<String, List<String>> dkimSelectors,
                          int dkimVerifyMaxSignatures, int dkimVerifyMaxKeyRecordBytes, Optional<String> authservId,
                          boolean dmarcRejectNonMembers, int smtpPendingMax, int smtpPendingMaxPerClient,
                          int smtpMaxHeaderBytes, int smtpMaxHeaderFields,
                          AuthFailureLimits submissionAuth, StsSettings sts, TlsRptSettings tlsrpt) {
    public static final String DNS_RESOLVERS = "dns.resolvers";
    public static final String DNS_TIMEOUT = "dns.timeout";
    public static final String DNS_RETRIES = "dns.retries";
    public static final String DNS_CACHE_SIZE = "dns.cache.size";
    public static final String DNS_CACHE_MAX_TTL = "dns.cache.max-ttl";
    public static final String DNS_CACHE_FAILURE_HOLD_DOWN = "dns.cache.failure-hold-down";
    public static final String REGISTRY_ROOT = "registry.root";
    public static final String LOOKUP_TIMEOUT = "lookup.timeout";
    public static final String DNSSEC_MODE = "dnssec.mode";
    public static final String DNSSEC_ANCHORS = "dnssec.anchors";
    public static final String DNSSEC_TRUST_AD_ALLOW_REMOTE = "dnssec.trust-ad.allow-remote";
    public static final String DKIM_KEYS = "dkim.keys";
    public static final String DKIM_RELOAD_INTERVAL = "dkim.reload-interval";
    public static final String DKIM_SELECTORS = "dkim.selectors";
    public static final String DKIM_VERIFY_MAX_SIGNATURES = "dkim.verify.max-signatures";
    public static final String DKIM_VERIFY_MAX_KEY_RECORD_BYTES = "dkim.verify.max-key-record-bytes";
    public static final String AUTH_AUTHSERV_ID = "auth.authserv-id";
    public static final String DMARC_REJECT_NON_MEMBERS = "dmarc.reject-non-members";
    public static final String SMTP_PENDING_MAX = "smtp.pending.max";
    public static final String SMTP_PENDING_MAX_PER_CLIENT = "smtp.pending.max-per-client";
    public static final String SMTP_MAX_HEADER_BYTES = "smtp.max-header-bytes";
    public static final String SMTP_MAX_HEADER_FIELDS = "smtp.max-header-fields";
    public static final String SUBMISSION_AUTH_MAX_FAILURES_PER_SESSION = "submission.auth.max-failures-per-session";
    public static final String SUBMISSION_AUTH_MAX_FAILURES_PER_ADDRESS = "submission.auth.max-failures-per-address";
    public static final String SUBMISSION_AUTH_ADDRESS_WINDOW = "submission.auth.address-window";
    public static final String SUBMISSION_AUTH_ADDRESS_TABLE_SIZE = "submission.auth.address-table-size";
    public static final String STS_ENABLED = "sts.enabled";
    public static final String STS_TRUST_STORE = "sts.trust-store";
    public static final String STS_FETCH_TIMEOUT = "sts.fetch.timeout";
    public static final String STS_FETCH_MAX_BYTES = "sts.fetch.max-bytes";
    public static final String STS_FETCH_PORT = "sts.fetch.port";
    public static final String STS_CACHE_SIZE = "sts.cache.size";
    public static final String TLSRPT_ENABLED = "tlsrpt.enabled";
    public static final String TLSRPT_ORGANIZATION_NAME = "tlsrpt.organization-name";
    public static final String TLSRPT_CONTACT_INFO = "tlsrpt.contact-info";
    public static final String TLSRPT_REPORTING_DOMAIN = "tlsrpt.reporting-domain";
    public static final String TLSRPT_SENDER = "tlsrpt.sender";
    public static final String TLSRPT_INTERVAL = "tlsrpt.interval";
    public static final String TLSRPT_MAX_POLICIES = "tlsrpt.max-policies";
    public static final String TLSRPT_MAX_DETAILS_PER_POLICY = "tlsrpt.max-details-per-policy";
    public static final String TLSRPT_MAX_RUA = "tlsrpt.max-rua";
    public static final String TLSRPT_MAX_REPORT_BYTES = "tlsrpt.max-report-bytes";
    public static final String TLSRPT_TRUST_STORE = "tlsrpt.trust-store";
    public static final String TLSRPT_HTTPS_TIMEOUT = "tlsrpt.https.timeout";
    public static final String TLSRPT_RETRY_ATTEMPTS = "tlsrpt.retry.attempts";
    public static final String TLSRPT_RETRY_DELAY = "tlsrpt.retry.delay";
    public static final String TLSRPT_STATE_FILE = "tlsrpt.state-file";
    /** The {@code sts.trust-store} value of the JDK's trust store. */
    public static final String JDK = "jdk";
    /** The {@code dkim.keys} value that disables signing. */
    public static final String NONE = "none";

    /** The default value of each key, as documented in the shipped {@code tes.properties}. */
    public static final Map<String, String> DEFAULTS = Map.ofEntries(
        Map.entry(DNS_RESOLVERS, "system"),
        Map.entry(DNS_TIMEOUT, "5s"),
        Map.entry(DNS_RETRIES, "1"),
        Map.entry(DNS_CACHE_SIZE, "10000"),
        Map.entry(DNS_CACHE_MAX_TTL, "1d"),
        Map.entry(DNS_CACHE_FAILURE_HOLD_DOWN, "5s"),
        Map.entry(REGISTRY_ROOT, "trusted-email-services.com"),
        Map.entry(LOOKUP_TIMEOUT, "30s"),
        Map.entry(DNSSEC_MODE, DnssecMode.VALIDATE.toString()),
        Map.entry(DNSSEC_ANCHORS, TrustAnchorSource.BUILTIN),
        Map.entry(DNSSEC_TRUST_AD_ALLOW_REMOTE, "false"),
        Map.entry(DKIM_KEYS, NONE),
        Map.entry(DKIM_RELOAD_INTERVAL, "1m"),
        Map.entry(DKIM_SELECTORS, ""),
        Map.entry(DKIM_VERIFY_MAX_SIGNATURES, "5"),
        Map.entry(DKIM_VERIFY_MAX_KEY_RECORD_BYTES, "4096"),
        Map.entry(AUTH_AUTHSERV_ID, ""),
        Map.entry(DMARC_REJECT_NON_MEMBERS, "false"),
        Map.entry(SMTP_PENDING_MAX, "1000"),
        Map.entry(SMTP_PENDING_MAX_PER_CLIENT, "10"),
        Map.entry(SMTP_MAX_HEADER_BYTES, "262144"),
        Map.entry(SMTP_MAX_HEADER_FIELDS, "1000"),
        Map.entry(SUBMISSION_AUTH_MAX_FAILURES_PER_SESSION, "3"),
        Map.entry(SUBMISSION_AUTH_MAX_FAILURES_PER_ADDRESS, "10"),
        Map.entry(SUBMISSION_AUTH_ADDRESS_WINDOW, "10m"),
        Map.entry(SUBMISSION_AUTH_ADDRESS_TABLE_SIZE, "10000"),
        Map.entry(STS_ENABLED, "true"),
        Map.entry(STS_TRUST_STORE, JDK),
        Map.entry(STS_FETCH_TIMEOUT, "60s"),
        Map.entry(STS_FETCH_MAX_BYTES, "65536"),
        Map.entry(STS_FETCH_PORT, "443"),
        Map.entry(STS_CACHE_SIZE, "10000"),
        Map.entry(TLSRPT_ENABLED, "false"),
        Map.entry(TLSRPT_ORGANIZATION_NAME, ""),
        Map.entry(TLSRPT_CONTACT_INFO, ""),
        Map.entry(TLSRPT_REPORTING_DOMAIN, ""),
        Map.entry(TLSRPT_SENDER, ""),
        Map.entry(TLSRPT_INTERVAL, "1d"),
        Map.entry(TLSRPT_MAX_POLICIES, "10000"),
        Map.entry(TLSRPT_MAX_DETAILS_PER_POLICY, "100"),
        Map.entry(TLSRPT_MAX_RUA, "5"),
        Map.entry(TLSRPT_MAX_REPORT_BYTES, "1048576"),
        Map.entry(TLSRPT_TRUST_STORE, JDK),
        Map.entry(TLSRPT_HTTPS_TIMEOUT, "60s"),
        Map.entry(TLSRPT_RETRY_ATTEMPTS, "5"),
        Map.entry(TLSRPT_RETRY_DELAY, "5m"),
        Map.entry(TLSRPT_STATE_FILE, "tlsrpt.state"));

    public TesSettings {
        Objects.requireNonNull(resolvers, "resolvers");
        requirePositive(DNS_TIMEOUT, dnsTimeout);
        if (dnsRetries < 0 || dnsRetries > 5) {
            throw new IllegalArgumentException(DNS_RETRIES + " must be between 0 and 5, got " + dnsRetries);
        }
        if (dnsCacheSize < 1) {
            throw new IllegalArgumentException(DNS_CACHE_SIZE + " must be at least 1, got " + dnsCacheSize);
        }
        requirePositive(DNS_CACHE_MAX_TTL, dnsCacheMaxTtl);
        Objects.requireNonNull(dnsCacheFailureHoldDown, DNS_CACHE_FAILURE_HOLD_DOWN);
        Objects.requireNonNull(registryRoot, REGISTRY_ROOT);
        requirePositive(LOOKUP_TIMEOUT, lookupTimeout);
        Objects.requireNonNull(dnssecMode, DNSSEC_MODE);
        Objects.requireNonNull(dnssecAnchors, DNSSEC_ANCHORS);
        Objects.requireNonNull(dkimKeys, DKIM_KEYS);
        requirePositive(DKIM_RELOAD_INTERVAL, dkimReloadInterval);
        Objects.requireNonNull(dkimSelectors, DKIM_SELECTORS);
        Map<String, List<String>> selectors = new TreeMap<>();
        dkimSelectors.forEach((domain, names) -> selectors.put(domain, List.copyOf(names)));
        dkimSelectors = Collections.unmodifiableMap(selectors);
        requireRange(DKIM_VERIFY_MAX_SIGNATURES, dkimVerifyMaxSignatures, 1, 50);
        requireRange(DKIM_VERIFY_MAX_KEY_RECORD_BYTES, dkimVerifyMaxKeyRecordBytes, 256, 65535);
        Objects.requireNonNull(authservId, AUTH_AUTHSERV_ID);
        requireRange(SMTP_PENDING_MAX, smtpPendingMax, 1, 1_000_000);
        requireRange(SMTP_PENDING_MAX_PER_CLIENT, smtpPendingMaxPerClient, 1, smtpPendingMax);
        requireRange(SMTP_MAX_HEADER_BYTES, smtpMaxHeaderBytes, 1024, 16 * 1024 * 1024);
        requireRange(SMTP_MAX_HEADER_FIELDS, smtpMaxHeaderFields, 10, 1_000_000);
        Objects.requireNonNull(submissionAuth, "submissionAuth");
        Objects.requireNonNull(sts, "sts");
        Objects.requireNonNull(tlsrpt, "tlsrpt");
        if (dnssecMode == DnssecMode.TRUST_AD && resolvers instanceof Resolvers.Explicit explicit) {
            // The system resolvers are only known when the client is built; DnssecClients checks them then.
            DnssecClients.requireLoopback(explicit.addresses().stream().map(ResolverAddress::socketAddress).toList(),
                dnssecTrustAdAllowRemote);
        }
    }

    private static void requireRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static void requirePositive(String key, Duration value) {
        Objects.requireNonNull(value, key);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    /** Where DNS queries go: the operating system's resolvers, or an explicit list. */
    public sealed interface Resolvers {
        record System() implements Resolvers {
            @Override
            public String toString() {
                return "system";
            }
        }

        record Explicit(List<ResolverAddress> addresses) implements Resolvers {
            public Explicit {
                addresses = List.copyOf(addresses);
                if (addresses.isEmpty()) {
                    throw new IllegalArgumentException("an explicit resolver list needs at least one address");
                }
            }

            @Override
            public String toString() {
                return addresses.stream().map(ResolverAddress::toString).collect(Collectors.joining(","));
            }
        }

        static Resolvers parse(String value) {
            if (value.trim().equals("system")) {
                return new System();
            }
            return new Explicit(Arrays.stream(value.split(",", -1))
                .map(ResolverAddress::parse)
                .toList());
        }
    }

    /**
     * The effective value of every key, in the syntax {@link #parse} reads (durations in milliseconds), ordered
     * by key: what {@code tes config check} prints.
     */
    public SortedMap<String, String> effectiveValues() {
        SortedMap<String, String> values = new TreeMap<>();
        values.put(DNS_RESOLVERS, resolvers.toString());
        values.put(DNS_TIMEOUT, dnsTimeout.toMillis() + "ms");
        values.put(DNS_RETRIES, String.valueOf(dnsRetries));
        values.put(DNS_CACHE_SIZE, String.valueOf(dnsCacheSize));
        values.put(DNS_CACHE_MAX_TTL, dnsCacheMaxTtl.toMillis() + "ms");
        values.put(DNS_CACHE_FAILURE_HOLD_DOWN, dnsCacheFailureHoldDown.toMillis() + "ms");
        values.put(REGISTRY_ROOT, registryRoot);
        values.put(LOOKUP_TIMEOUT, lookupTimeout.toMillis() + "ms");
        values.put(DNSSEC_MODE, dnssecMode.toString());
        values.put(DNSSEC_ANCHORS, dnssecAnchors.toString());
        values.put(DNSSEC_TRUST_AD_ALLOW_REMOTE, String.valueOf(dnssecTrustAdAllowRemote));
        values.put(DKIM_KEYS, dkimKeys.map(Path::toString).orElse(NONE));
        values.put(DKIM_RELOAD_INTERVAL, dkimReloadInterval.toMillis() + "ms");
        values.put(DKIM_SELECTORS, dkimSelectors.entrySet().stream()
            .flatMap(entry -> entry.getValue().stream().map(selector -> entry.getKey() + ":" + selector))
            .collect(Collectors.joining(",")));
        values.put(DKIM_VERIFY_MAX_SIGNATURES, String.valueOf(dkimVerifyMaxSignatures));
        values.put(DKIM_VERIFY_MAX_KEY_RECORD_BYTES, String.valueOf(dkimVerifyMaxKeyRecordBytes));
        values.put(AUTH_AUTHSERV_ID, authservId.orElse(""));
        values.put(DMARC_REJECT_NON_MEMBERS, String.valueOf(dmarcRejectNonMembers));
        values.put(SMTP_PENDING_MAX, String.valueOf(smtpPendingMax));
        values.put(SMTP_PENDING_MAX_PER_CLIENT, String.valueOf(smtpPendingMaxPerClient));
        values.put(SMTP_MAX_HEADER_BYTES, String.valueOf(smtpMaxHeaderBytes));
        values.put(SMTP_MAX_HEADER_FIELDS, String.valueOf(smtpMaxHeaderFields));
        values.put(SUBMISSION_AUTH_MAX_FAILURES_PER_SESSION, String.valueOf(submissionAuth.perSession()));
        values.put(SUBMISSION_AUTH_MAX_FAILURES_PER_ADDRESS, String.valueOf(submissionAuth.perAddress()));
        values.put(SUBMISSION_AUTH_ADDRESS_WINDOW, submissionAuth.addressWindow().toMillis() + "ms");
        values.put(SUBMISSION_AUTH_ADDRESS_TABLE_SIZE, String.valueOf(submissionAuth.addressTableSize()));
        values.put(STS_ENABLED, String.valueOf(sts.enabled()));
        values.put(STS_TRUST_STORE, sts.trustStore().map(Path::toString).orElse(JDK));
        values.put(STS_FETCH_TIMEOUT, sts.fetchTimeout().toMillis() + "ms");
        values.put(STS_FETCH_MAX_BYTES, String.valueOf(sts.fetchMaxBytes()));
        values.put(STS_FETCH_PORT, String.valueOf(sts.fetchPort()));
        values.put(STS_CACHE_SIZE, String.valueOf(sts.cacheSize()));
        values.put(TLSRPT_ENABLED, String.valueOf(tlsrpt.enabled()));
        values.put(TLSRPT_ORGANIZATION_NAME, tlsrpt.organizationName());
        values.put(TLSRPT_CONTACT_INFO, tlsrpt.contactInfo());
        values.put(TLSRPT_REPORTING_DOMAIN, tlsrpt.reportingDomain());
        values.put(TLSRPT_SENDER, tlsrpt.sender().orElse(""));
        values.put(TLSRPT_INTERVAL, tlsrpt.interval().toMillis() + "ms");
        values.put(TLSRPT_MAX_POLICIES, String.valueOf(tlsrpt.maxPolicies()));
        values.put(TLSRPT_MAX_DETAILS_PER_POLICY, String.valueOf(tlsrpt.maxDetailsPerPolicy()));
        values.put(TLSRPT_MAX_RUA, String.valueOf(tlsrpt.maxRua()));
        values.put(TLSRPT_MAX_REPORT_BYTES, String.valueOf(tlsrpt.maxReportBytes()));
        values.put(TLSRPT_TRUST_STORE, tlsrpt.trustStore().map(Path::toString).orElse(JDK));
        values.put(TLSRPT_HTTPS_TIMEOUT, tlsrpt.httpsTimeout().toMillis() + "ms");
        values.put(TLSRPT_RETRY_ATTEMPTS, String.valueOf(tlsrpt.retryAttempts()));
        values.put(TLSRPT_RETRY_DELAY, tlsrpt.retryDelay().toMillis() + "ms");
        values.put(TLSRPT_STATE_FILE, tlsrpt.stateFile().map(Path::toString).orElse(NONE));
        return values;
    }

    /**
     * The explicit active selectors in the form {@code DkimKeyStore.load} takes: domain to its selectors
     * separated by commas.
     */
    public Map<String, String> dkimActiveSelectors() {
        Map<String, String> selectors = new TreeMap<>();
        dkimSelectors.forEach((domain, names) -> selectors.put(domain, String.join(",", names)));
        return selectors;
    }

    public static TesSettings defaults() {
        return parse(new Properties());
    }

    /**
     * Parses the settings; keys that are absent take their default.
     *
     * @throws IllegalArgumentException naming the key and value of the first problem found
     */
    public static TesSettings parse(Properties properties) {
        Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
        unknown.removeAll(DEFAULTS.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown key(s) in tes.properties: " + String.join(", ", unknown)
                + " (known keys: " + String.join(", ", new TreeSet<>(DEFAULTS.keySet())) + ")");
        }
        return new TesSettings(
            value(properties, DNS_RESOLVERS, Resolvers::parse),
            value(properties, DNS_TIMEOUT, Durations::parse),
            value(properties, DNS_RETRIES, TesSettings::parseInt),
            value(properties, DNS_CACHE_SIZE, TesSettings::parseInt),
            value(properties, DNS_CACHE_MAX_TTL, Durations::parse),
            value(properties, DNS_CACHE_FAILURE_HOLD_DOWN, Durations::parse),
            value(properties, REGISTRY_ROOT, TesSettings::parseDomain),
            value(properties, LOOKUP_TIMEOUT, Durations::parse),
            value(properties, DNSSEC_MODE, DnssecMode::parse),
            value(properties, DNSSEC_ANCHORS, TrustAnchorSource::parse),
            value(properties, DNSSEC_TRUST_AD_ALLOW_REMOTE, TesSettings::parseBoolean),
            value(properties, DKIM_KEYS, TesSettings::parseKeyDirectory),
            value(properties, DKIM_RELOAD_INTERVAL, Durations::parse),
            value(properties, DKIM_SELECTORS, TesSettings::parseSelectors),
            value(properties, DKIM_VERIFY_MAX_SIGNATURES, TesSettings::parseInt),
            value(properties, DKIM_VERIFY_MAX_KEY_RECORD_BYTES, TesSettings::parseInt),
            value(properties, AUTH_AUTHSERV_ID, TesSettings::parseOptionalDomain),
            value(properties, DMARC_REJECT_NON_MEMBERS, TesSettings::parseBoolean),
            value(properties, SMTP_PENDING_MAX, TesSettings::parseInt),
            value(properties, SMTP_PENDING_MAX_PER_CLIENT, TesSettings::parseInt),
            value(properties, SMTP_MAX_HEADER_BYTES, TesSettings::parseInt),
            value(properties, SMTP_MAX_HEADER_FIELDS, TesSettings::parseInt),
            new AuthFailureLimits(
                value(properties, SUBMISSION_AUTH_MAX_FAILURES_PER_SESSION,
                    text -> parseInt(text, 1, AuthFailureLimits.MAX_PER_SESSION)),
                value(properties, SUBMISSION_AUTH_MAX_FAILURES_PER_ADDRESS,
                    text -> parseInt(text, 1, AuthFailureLimits.MAX_PER_ADDRESS)),
                value(properties, SUBMISSION_AUTH_ADDRESS_WINDOW, TesSettings::parseAuthWindow),
                value(properties, SUBMISSION_AUTH_ADDRESS_TABLE_SIZE,
                    text -> parseInt(text, 1, AuthFailureLimits.MAX_TABLE_SIZE))),
            new StsSettings(
                value(properties, STS_ENABLED, TesSettings::parseBoolean),
                value(properties, STS_TRUST_STORE, TesSettings::parseTrustStore),
                value(properties, STS_FETCH_TIMEOUT, TesSettings::parseFetchTimeout),
                value(properties, STS_FETCH_MAX_BYTES,
                    text -> parseInt(text, StsSettings.MIN_FETCH_BYTES, StsSettings.MAX_FETCH_BYTES)),
                value(properties, STS_FETCH_PORT, text -> parseInt(text, 1, 65535)),
                value(properties, STS_CACHE_SIZE, text -> parseInt(text, 1, StsSettings.MAX_CACHE_SIZE))),
            parseTlsRpt(properties));
    }

    private static TlsRptSettings parseTlsRpt(Properties properties) {
        return new TlsRptSettings(
            value(properties, TLSRPT_ENABLED, TesSettings::parseBoolean),
            value(properties, TLSRPT_ORGANIZATION_NAME, text -> printable(text, 256)),
            value(properties, TLSRPT_CONTACT_INFO, text -> printable(text, 256)),
            value(properties, TLSRPT_REPORTING_DOMAIN, text -> parseOptionalDomain(text).orElse("")),
            value(properties, TLSRPT_SENDER, TesSettings::parseOptionalAddress),
            value(properties, TLSRPT_INTERVAL, text -> boundedDuration(text, TlsRptSettings.MIN_INTERVAL,
                TlsRptSettings.MAX_INTERVAL, "must be between 1s and 7d")),
            value(properties, TLSRPT_MAX_POLICIES, text -> parseInt(text, 1, 10_000_000)),
            value(properties, TLSRPT_MAX_DETAILS_PER_POLICY, text -> parseInt(text, 1, 10_000)),
            value(properties, TLSRPT_MAX_RUA, text -> parseInt(text, 1, 100)),
            value(properties, TLSRPT_MAX_REPORT_BYTES, text -> parseInt(text, 1024, 64 * 1024 * 1024)),
            value(properties, TLSRPT_TRUST_STORE, TesSettings::parseTrustStore),
            value(properties, TLSRPT_HTTPS_TIMEOUT, TesSettings::parseFetchTimeout),
            value(properties, TLSRPT_RETRY_ATTEMPTS, text -> parseInt(text, 0, 20)),
            value(properties, TLSRPT_RETRY_DELAY, text -> boundedDuration(text, Duration.ofMillis(100),
                Duration.ofDays(1), "must be between 100ms and 1d")),
            value(properties, TLSRPT_STATE_FILE, text -> optionalPath(text, NONE, "the path of the state file")));
    }

    /** Printable ASCII and spaces, at most {@code max} characters (report fields and mail headers carry it). */
    private static String printable(String value, int max) {
        String text = value.trim();
        if (text.length() > max || !text.matches("[\\x20-\\x7e]*")) {
            throw new IllegalArgumentException("must be at most " + max + " printable ASCII characters");
        }
        return text;
    }

    /** Empty, or one address {@code local@domain}. */
    private static Optional<String> parseOptionalAddress(String value) {
        String text = value.trim();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        int at = text.lastIndexOf('@');
        if (at <= 0 || text.indexOf('@') != at
            || !text.substring(0, at).matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")) {
            throw new IllegalArgumentException("'" + value + "' is not a mail address local@domain");
        }
        return Optional.of(text.substring(0, at) + "@" + parseDomain(text.substring(at + 1)));
    }

    private static Duration boundedDuration(String value, Duration min, Duration max, String problem) {
        Duration duration = Durations.parse(value);
        if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
            throw new IllegalArgumentException(problem);
        }
        return duration;
    }

    private static int parseInt(String value, int min, int max) {
        int number = parseInt(value);
        if (number < min || number > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
        }
        return number;
    }

    private static Duration parseAuthWindow(String value) {
        return boundedDuration(value, AuthFailureLimits.MAX_WINDOW, "1d");
    }

    private static Duration boundedDuration(String value, Duration max, String maxText) {
        return boundedDuration(value, Duration.ofNanos(1), max, "must be positive and at most " + maxText);
    }

    private static Duration parseFetchTimeout(String value) {
        return boundedDuration(value, StsSettings.MAX_FETCH_TIMEOUT, "5m");
    }

    /** {@code jdk}, or the path of a PEM file (a relative one is resolved against {@code conf/} by the caller). */
    private static Optional<Path> parseTrustStore(String value) {
        return optionalPath(value, JDK, "the path of a PEM file of CA certificates");
    }

    /** {@code none}, or a directory path (a relative one is resolved against {@code conf/} by the caller). */
    private static Optional<Path> parseKeyDirectory(String value) {
        return optionalPath(value, NONE, "the path of the DKIM key directory");
    }

    /** {@code word} (empty), or a path. */
    private static Optional<Path> optionalPath(String value, String word, String what) {
        String text = value.trim();
        if (text.equals(word)) {
            return Optional.empty();
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("expected '" + word + "' or " + what);
        }
        try {
            return Optional.of(Path.of(text));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + value + "' is not a path: " + e.getMessage(), e);
        }
    }

    /**
     * {@code domain:selector,domain:selector}, empty for none; domains normalised (lower-case A-labels),
     * selectors in the order given. The selector syntax is checked when the keys are loaded.
     */
    private static Map<String, List<String>> parseSelectors(String value) {
        Map<String, List<String>> selectors = new LinkedHashMap<>();
        if (value.isBlank()) {
            return selectors;
        }
        for (String item : value.split(",", -1)) {
            int colon = item.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + item.trim() + "' is not domain:selector");
            }
            String domain = parseDomain(item.substring(0, colon));
            String selector = item.substring(colon + 1).trim();
            if (selector.isEmpty() || selector.contains(":")) {
                throw new IllegalArgumentException("'" + item.trim() + "' is not domain:selector");
            }
            List<String> names = selectors.computeIfAbsent(domain, d -> new ArrayList<>());
            if (names.stream().anyMatch(selector::equalsIgnoreCase)) {
                throw new IllegalArgumentException("'" + item.trim() + "' is given twice");
            }
            names.add(selector);
        }
        return selectors;
    }

    private static boolean parseBoolean(String value) {
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + value + "' is not a boolean (true or false)");
        };
    }

    private static int parseInt(String value) {
        String text = value.trim();
        if (!text.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
        return Integer.parseInt(text);
    }

    private static Optional<String> parseOptionalDomain(String value) {
        return value.isBlank() ? Optional.empty() : Optional.of(parseDomain(value));
    }

    private static String parseDomain(String value) {
        DomainNames.Normalised normalised = DomainNames.normalise(value);
        return normalised.domain().orElseThrow(() -> new IllegalArgumentException(normalised.problem()));
    }

    private static <T> T value(Properties properties, String key, Function<String, T> parser) {
        String raw = properties.getProperty(key, DEFAULTS.get(key));
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid value '" + raw + "' for " + key + ": " + e.getMessage(), e);
        }
    }
}
