package org.tesjames.core.dane.tls;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.tls.TlsVersion;

/**
 * How to secure one outbound SMTP connection with STARTTLS: DANE-authenticated ({@link Mode#DANE}) or
 * opportunistic, unauthenticated ({@link Mode#UNAUTHENTICATED}), with a minimum protocol version. Immutable.
 *
 * <p>The delivery code builds one per MX host from its DNSSEC lookups (secure usable TLSA RRset: DANE; insecure
 * or "secure but unusable": unauthenticated; bogus or lookup failure: no connection at all) and either hands it to
 * {@link DaneTls#startTls(java.net.Socket, String, int, boolean, DaneConnectionPolicy)} or registers it in
 * {@link DaneConnectionPolicies} for {@link DaneSocketFactory}.
 *
 * @param mode DANE or unauthenticated
 * @param tlsaBaseDomain the TLSA base domain (RFC 7672 section 2.2.3), sent as SNI; empty to send the host name
 *                       the connection was made to (unauthenticated mode only)
 * @param tlsaRecords the TLSA RRset (DANE mode; empty in unauthenticated mode)
 * @param referenceIdentifiers the names acceptable for DANE-TA(2) (RFC 7672 section 3.2.3; DANE mode)
 * @param minimumProtocol the oldest protocol version offered
 * @param verifier the matcher (DANE mode; its clock checks DANE-TA(2) validity dates)
 */
public record DaneConnectionPolicy(Mode mode, Optional<String> tlsaBaseDomain, List<TlsaRecord> tlsaRecords,
                                   Set<String> referenceIdentifiers, TlsVersion minimumProtocol,
                                   DaneVerifier verifier) {

    /** How the server is authenticated. */
    public enum Mode {
        /** By the TLSA RRset only ({@link DaneTrustManager}); any other certificate fails the handshake. */
        DANE,
        /** Not at all: encryption only, any certificate accepted (opportunistic TLS, RFC 7672 section 2.2). */
        UNAUTHENTICATED
    }

    public DaneConnectionPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(tlsaBaseDomain, "tlsaBaseDomain");
        tlsaRecords = List.copyOf(tlsaRecords);
        referenceIdentifiers = Set.copyOf(referenceIdentifiers);
        Objects.requireNonNull(minimumProtocol, "minimumProtocol");
        Objects.requireNonNull(verifier, "verifier");
        if (mode == Mode.DANE && tlsaRecords.isEmpty()) {
            throw new IllegalArgumentException("a DANE policy needs a TLSA RRset");
        }
        if (mode == Mode.DANE && tlsaBaseDomain.isEmpty()) {
            throw new IllegalArgumentException("a DANE policy needs its TLSA base domain (the SNI name)");
        }
    }

    /**
     * DANE authentication against a TLSA RRset, with the system clock.
     *
     * @param tlsaBaseDomain the TLSA base domain, e.g. the MX host name; sent as SNI
     * @param rrset the DNSSEC-validated TLSA RRset, not empty
     * @param referenceIdentifiers the names acceptable for DANE-TA(2)
     * @param minimumProtocol the oldest protocol offered, e.g. {@link TlsVersion#TLS_V1_2}
     * @return the policy
     */
    public static DaneConnectionPolicy dane(String tlsaBaseDomain, Collection<TlsaRecord> rrset,
                                            Set<String> referenceIdentifiers, TlsVersion minimumProtocol) {
        return dane(tlsaBaseDomain, rrset, referenceIdentifiers, minimumProtocol,
            new DaneVerifier(Clock.systemUTC()));
    }

    /**
     * DANE authentication against a TLSA RRset.
     *
     * @param tlsaBaseDomain the TLSA base domain, e.g. the MX host name; sent as SNI
     * @param rrset the DNSSEC-validated TLSA RRset, not empty
     * @param referenceIdentifiers the names acceptable for DANE-TA(2)
     * @param minimumProtocol the oldest protocol offered
     * @param verifier the matcher
     * @return the policy
     */
    public static DaneConnectionPolicy dane(String tlsaBaseDomain, Collection<TlsaRecord> rrset,
                                            Set<String> referenceIdentifiers, TlsVersion minimumProtocol,
                                            DaneVerifier verifier) {
        return new DaneConnectionPolicy(Mode.DANE, Optional.of(tlsaBaseDomain), List.copyOf(rrset),
            referenceIdentifiers, minimumProtocol, verifier);
    }

    /**
     * Opportunistic TLS without authentication (an insecure or "secure but unusable" TLSA lookup).
     *
     * @param minimumProtocol the oldest protocol offered
     * @return the policy; SNI is the host name connected to
     */
    public static DaneConnectionPolicy unauthenticated(TlsVersion minimumProtocol) {
        return new DaneConnectionPolicy(Mode.UNAUTHENTICATED, Optional.empty(), List.of(), Set.of(),
            minimumProtocol, new DaneVerifier(Clock.systemUTC()));
    }
}
