package org.tesjames.core.dane.tls;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.sts.WebPkiTrust;
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
 * @param webPki the trusted CAs of the MTA-STS modes (empty otherwise)
 */
public record DaneConnectionPolicy(Mode mode, Optional<String> tlsaBaseDomain, List<TlsaRecord> tlsaRecords,
                                   Set<String> referenceIdentifiers, TlsVersion minimumProtocol,
                                   DaneVerifier verifier, Optional<WebPkiTrust> webPki) {

    /** How the server is authenticated. */
    public enum Mode {
        /** By the TLSA RRset only ({@link DaneTrustManager}); any other certificate fails the handshake. */
        DANE,
        /** Not at all: encryption only, any certificate accepted (opportunistic TLS, RFC 7672 section 2.2). */
        UNAUTHENTICATED,
        /**
         * By a trusted CA and the host name (MTA-STS {@code enforce}, RFC 8461 section 4.1:
         * {@link org.tesjames.core.sts.WebPkiTrustManager}); any other certificate fails the handshake.
         */
        WEBPKI,
        /**
         * Checked as {@link #WEBPKI} but never refused (MTA-STS {@code testing}): a failure is only logged and
         * recorded.
         */
        WEBPKI_TESTING
    }

    public DaneConnectionPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(tlsaBaseDomain, "tlsaBaseDomain");
        tlsaRecords = List.copyOf(tlsaRecords);
        referenceIdentifiers = Set.copyOf(referenceIdentifiers);
        Objects.requireNonNull(minimumProtocol, "minimumProtocol");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(webPki, "webPki");
        if ((mode == Mode.WEBPKI || mode == Mode.WEBPKI_TESTING) != webPki.isPresent()) {
            throw new IllegalArgumentException("the trusted CAs go with the MTA-STS modes, and only with them");
        }
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
            referenceIdentifiers, minimumProtocol, verifier, Optional.empty());
    }

    /**
     * Opportunistic TLS without authentication (an insecure or "secure but unusable" TLSA lookup).
     *
     * @param minimumProtocol the oldest protocol offered
     * @return the policy; SNI is the host name connected to
     */
    public static DaneConnectionPolicy unauthenticated(TlsVersion minimumProtocol) {
        return new DaneConnectionPolicy(Mode.UNAUTHENTICATED, Optional.empty(), List.of(), Set.of(),
            minimumProtocol, new DaneVerifier(Clock.systemUTC()), Optional.empty());
    }

    /**
     * MTA-STS (RFC 8461 section 4.1): the certificate must chain to a trusted CA, be within its dates and name the
     * host connected to (which is sent as SNI).
     *
     * @param trust the trusted CAs
     * @param minimumProtocol the oldest protocol offered (TLS 1.2 or newer)
     * @param enforcing {@link Mode#WEBPKI} ({@code enforce}) or {@link Mode#WEBPKI_TESTING} ({@code testing})
     * @return the policy
     */
    public static DaneConnectionPolicy webPki(WebPkiTrust trust, TlsVersion minimumProtocol, boolean enforcing) {
        return new DaneConnectionPolicy(enforcing ? Mode.WEBPKI : Mode.WEBPKI_TESTING, Optional.empty(), List.of(),
            Set.of(), minimumProtocol, new DaneVerifier(Clock.systemUTC()), Optional.of(trust));
    }
}
