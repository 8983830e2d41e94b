package org.tesjames.core.dane.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import org.tesjames.core.dane.DaneResult;
import org.tesjames.core.dane.DaneVerifier;
import org.tesjames.core.dane.TlsaRecord;

/**
 * A client-side JSSE trust manager that authenticates the server by DANE only (RFC 7672): the presented chain
 * is matched against one TLSA RRset by a {@link DaneVerifier}. PKIX (trust store, CA validation) and host name
 * verification are never consulted; names are checked by the verifier, against the reference identifiers, for
 * DANE-TA(2) matches only.
 *
 * <p>Use one instance per connection (with a fresh {@link javax.net.ssl.SSLContext}, see {@link DaneTls}):
 * {@link #lastResult()} records the outcome of the last check. Server-side checks always fail: this manager
 * never authenticates clients.
 *
 * <p>A failure throws a {@link DaneCertificateException} whose message is one of
 * {@code certificate does not match TLSA: <reason>}, {@code no usable TLSA record (...)},
 * {@code name mismatch: ...} and {@code invalid chain to the DANE-TA(2) trust anchor: <reason>}.
 * {@link DaneResult.NoUsableRecords} fails too: the caller decides beforehand (with
 * {@link org.tesjames.core.dane.TlsaSelection}) whether an RRset is "secure but unusable", for which RFC 7672
 * section 2.2 prescribes unauthenticated TLS ({@link DaneTls#unauthenticated(org.tesjames.core.tls.TlsVersion)}).
 */
public final class DaneTrustManager extends X509ExtendedTrustManager {
    private final List<TlsaRecord> rrset;
    private final Set<String> referenceIdentifiers;
    private final DaneVerifier verifier;
    private volatile DaneResult lastResult;

    /**
     * A trust manager for one connection.
     *
     * @param rrset the TLSA RRset of the TLSA base domain (DNSSEC-validated by the caller)
     * @param referenceIdentifiers names acceptable in the certificate for DANE-TA(2) (RFC 7672 section 3.2.3)
     * @param verifier the matcher
     */
    public DaneTrustManager(List<TlsaRecord> rrset, Set<String> referenceIdentifiers, DaneVerifier verifier) {
        this.rrset = List.copyOf(rrset);
        this.referenceIdentifiers = Set.copyOf(referenceIdentifiers);
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    /**
     * The outcome of the last server check.
     *
     * @return the outcome; empty before the first check, or if the last one could not run the verifier
     */
    public Optional<DaneResult> lastResult() {
        return Optional.ofNullable(lastResult);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
        throw clientSide();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
        throw clientSide();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw clientSide();
    }

    /** No CA is accepted as an issuer in the PKIX sense: the TLSA records decide. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    private void verify(X509Certificate[] chain) throws CertificateException {
        lastResult = null;
        if (chain == null || chain.length == 0) {
            throw new DaneCertificateException("the server presented no certificate", null);
        }
        DaneResult result = verifier.verify(List.of(chain), rrset, referenceIdentifiers);
        lastResult = result;
        if (!result.verified()) {
            throw new DaneCertificateException(failureMessage(result), result);
        }
    }

    /**
     * The failure message of an outcome that is not {@link DaneResult.Verified}.
     *
     * @param result the outcome
     * @return the message
     */
    static String failureMessage(DaneResult result) {
        if (result instanceof DaneResult.NoMatch noMatch) {
            return "certificate does not match TLSA: " + noMatch.reason();
        }
        if (result instanceof DaneResult.NoUsableRecords) {
            return "no usable TLSA record (only DANE-TA(2)/DANE-EE(3) with known selector and matching type are "
                + "usable for SMTP, RFC 7672 section 3.1.3)";
        }
        if (result instanceof DaneResult.NameMismatch mismatch) {
            return "name mismatch: the certificate names " + new TreeSet<>(mismatch.certificateNames())
                + " match none of the reference identifiers " + new TreeSet<>(mismatch.referenceIdentifiers());
        }
        if (result instanceof DaneResult.ChainInvalid invalid) {
            return "invalid chain to the DANE-TA(2) trust anchor: " + invalid.reason();
        }
        throw new IllegalArgumentException("not a failure: " + result);
    }

    private static CertificateException clientSide() {
        return new CertificateException("DaneTrustManager authenticates servers only, never clients");
    }
}
