package org.tesjames.core.dane.delivery;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How strictly an outbound destination is secured. */
public enum DeliveryPolicy {
    /**
     * DANE required (TES member recipient domains): only MX hosts whose DANE outcome is secure-usable, reached
     * through a DNSSEC-signed MX RRset (or a signed denial for an implicit MX), over authenticated TLS. Anything
     * else is a temporary failure of that host.
     */
    DANE_REQUIRED("dane-required"),
    /**
     * Opportunistic DANE (RFC 7672): secure-usable hosts are authenticated exactly as with {@link #DANE_REQUIRED}
     * and never downgraded; secure-unusable hosts need TLS without authentication; insecure hosts get STARTTLS
     * when offered, else plaintext; indeterminate hosts are not used.
     */
    DANE_OPPORTUNISTIC("dane-opportunistic");

    private final String label;

    DeliveryPolicy(String label) {
        this.label = label;
    }

    /** @return the configuration name, e.g. {@code dane-required} */
    public String label() {
        return label;
    }

    /**
     * Parses a configuration name strictly.
     *
     * @param text {@code dane-required} or {@code dane-opportunistic}
     * @return the policy
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DeliveryPolicy parse(String text) {
        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(policy -> policy.label.equals(wanted)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a delivery policy (expected "
                + Arrays.stream(values()).map(DeliveryPolicy::label).collect(Collectors.joining(" or ")) + ")"));
    }
}
