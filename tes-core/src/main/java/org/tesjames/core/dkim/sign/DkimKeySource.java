package org.tesjames.core.dkim.sign;

import java.util.List;

/** Where a {@link DkimSigner} finds the active signing keys of a domain. */
@FunctionalInterface
public interface DkimKeySource {
    /**
     * The active keys of a domain: at most one RSA and one Ed25519 key, RSA first; empty when the domain has
     * no usable key (or is not a valid domain).
     *
     * @param domain a domain in any case, Unicode or A-labels
     */
    List<DkimKey> activeKeys(String domain);
}
