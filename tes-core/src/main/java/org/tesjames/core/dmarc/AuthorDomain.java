package org.tesjames.core.dmarc;

import java.util.List;
import java.util.Objects;

import org.tesjames.core.membership.DomainNames;

/**
 * The Author Domain of a message (RFC 7489 section 3.1: the domain of the RFC5322.From address), as the
 * adapter found it in the header: exactly one domain, or one of the malformed cases DMARC cannot evaluate as
 * such (section 6.6.1), which {@link DmarcEvaluator} fails closed.
 */
public sealed interface AuthorDomain {

    /** One Author Domain (normalised: lower case, A-labels). Several addresses of one domain count as one. */
    record Single(String domain) implements AuthorDomain {
        public Single {
            Objects.requireNonNull(domain);
        }
    }

    /** No RFC5322.From field, or one without an address. */
    record Missing() implements AuthorDomain {
    }

    /** Several From fields or addresses with different domains. */
    record Several(List<String> domains) implements AuthorDomain {
        public Several {
            domains = List.copyOf(domains);
        }
    }

    /** A From that does not parse, or whose domain is not a valid domain name. */
    record Unparsable(String from, String reason) implements AuthorDomain {
        public Unparsable {
            Objects.requireNonNull(from);
            Objects.requireNonNull(reason);
        }
    }

    /**
     * Classifies the domains of all From addresses of a message (one entry per address, every From field
     * included): none is {@link Missing}; an invalid one {@link Unparsable}; all equal after normalisation
     * {@link Single}; else {@link Several}.
     */
    static AuthorDomain fromDomains(List<String> fromDomains) {
        if (fromDomains.isEmpty()) {
            return new Missing();
        }
        List<String> normalised = new java.util.ArrayList<>(fromDomains.size());
        boolean single = true;
        for (String domain : fromDomains) {
            DomainNames.Normalised n = DomainNames.normalise(domain);
            if (n.domain().isEmpty()) {
                return new Unparsable(String.valueOf(domain), n.problem());
            }
            String normal = n.domain().get();
            normalised.add(normal);
            single &= normal.equals(normalised.get(0));
        }
        // the usual message has one From address: no set is needed to see that every domain is the first one
        return single ? new Single(normalised.get(0)) : new Several(normalised.stream().distinct().toList());
    }
}
