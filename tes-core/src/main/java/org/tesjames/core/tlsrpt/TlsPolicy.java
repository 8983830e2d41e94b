package org.tesjames.core.tlsrpt;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The policy a delivery attempt was made under, as a TLS report names it (RFC 8460 section 4.4, {@code policy}).
 *
 * @param type the policy type
 * @param domain the policy domain (the recipient domain), lower case
 * @param strings the policy as strings: the lines of an MTA-STS policy, the TLSA records (presentation format);
 *                empty for {@link PolicyType#NO_POLICY_FOUND}
 * @param mxHosts the MX patterns of an MTA-STS policy; empty otherwise
 */
public record TlsPolicy(PolicyType type, String domain, List<String> strings, List<String> mxHosts) {
    public TlsPolicy {
        Objects.requireNonNull(type, "type");
        domain = Objects.requireNonNull(domain, "domain").toLowerCase(Locale.ROOT);
        strings = List.copyOf(strings);
        mxHosts = List.copyOf(mxHosts);
    }

    /** @return no policy found for {@code domain} */
    public static TlsPolicy none(String domain) {
        return new TlsPolicy(PolicyType.NO_POLICY_FOUND, domain, List.of(), List.of());
    }
}
