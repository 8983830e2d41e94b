package org.tesjames.testing.dns;

/**
 * How the {@link TestDnsServer} answers a query for a name that lies outside every zone declared by the
 * test.
 *
 * <p>The server always holds the signed test root zone {@code "."}, so technically every name is inside
 * some zone. A name counts as <em>unknown</em> when its closest zone is the root and the root holds no
 * record at that name and no name below it (names on the path to a declared zone, such as {@code com.}
 * when {@code example.com} is declared, are empty non-terminals of the root and are answered normally).
 */
public enum UnknownNamePolicy {
    /** Answer {@code REFUSED}, as a resolver that is not willing to recurse for the client (default). */
    REFUSED,
    /** Answer {@code SERVFAIL}, as a resolver whose upstream is unreachable. */
    SERVFAIL,
    /**
     * Answer {@code NXDOMAIN} from the signed root zone, with the root SOA and, when the DO bit is set,
     * the NSEC proofs: the name provably does not exist.
     */
    NXDOMAIN
}
