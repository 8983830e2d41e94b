package org.tesjames.core.sts;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.dane.CertificateNames;
import org.tesjames.core.tlsrpt.ResultType;

/**
 * Client-side certificate check of MTA-STS (RFC 8461 section 4.1) for one connection: the leaf certificate
 * within its validity dates, a chain to a trusted CA (PKIX), and a subjectAltName dNSName matching the host the
 * connection was made to (RFC 6125: exact, or a wildcard as the whole leftmost label; the common name is not
 * used). The first failure in that order is the reason, with its RFC 8460 result type.
 *
 * <p>Enforcing (policy mode {@code enforce}, and the policy fetch): a failure fails the handshake with a
 * {@link WebPkiException}. Not enforcing ({@code testing}): every certificate is accepted and a failure is only
 * recorded ({@link #failure()}) and logged.
 */
public final class WebPkiTrustManager extends X509ExtendedTrustManager {
    private static final Logger LOGGER = LoggerFactory.getLogger(WebPkiTrustManager.class);
    private static final int DNS_NAME = 2;

    private final X509TrustManager pkix;
    private final String host;
    private final boolean enforcing;
    private final Clock clock;
    private volatile WebPkiFailure failure;

    WebPkiTrustManager(X509TrustManager pkix, String host, boolean enforcing, Clock clock) {
        this.pkix = Objects.requireNonNull(pkix, "pkix");
        this.host = host;
        this.enforcing = enforcing;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Why a certificate failed the check.
     *
     * @param type the RFC 8460 result type: certificate-expired, certificate-not-trusted or
     *             certificate-host-mismatch
     * @param detail one line
     */
    public record WebPkiFailure(ResultType type, String detail) {
        @Override
        public String toString() {
            return type.label() + ": " + detail;
        }
    }

    /** A failed check that fails the handshake. */
    public static final class WebPkiException extends CertificateException {
        private static final long serialVersionUID = 1L;
        private final transient WebPkiFailure failure;

        WebPkiException(WebPkiFailure failure) {
            super("MTA-STS: " + failure);
            this.failure = failure;
        }

        /** @return the failure */
        public WebPkiFailure failure() {
            return failure;
        }
    }

    /** @return the failure of the last check, if it failed */
    public Optional<WebPkiFailure> failure() {
        return Optional.ofNullable(failure);
    }

    /** @return whether a failure fails the handshake */
    public boolean enforcing() {
        return enforcing;
    }

    /**
     * The client side of an HTTPS connection checked by this trust manager: a fresh {@link SSLContext} (TLS 1.3
     * session resumption would otherwise skip the check), TLS 1.2 or newer, {@code host} sent as SNI. The caller
     * starts the handshake.
     *
     * @param plain the connected socket, closed with the TLS one
     * @param host the server's host name
     * @param port its port
     * @return the TLS socket, before its handshake
     * @throws IOException when the socket cannot be layered
     */
    public SSLSocket clientSocket(Socket plain, String host, int port) throws IOException {
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {this}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS SSLContext", e);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        tls.setUseClientMode(true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setProtocols(List.of(tls.getEnabledProtocols()).stream()
            .filter(p -> p.equals("TLSv1.2") || p.equals("TLSv1.3")).toArray(String[]::new));
        parameters.setServerNames(List.of(new SNIHostName(host)));
        tls.setSSLParameters(parameters);
        return tls;
    }

    /**
     * The check alone.
     *
     * @param chain the presented chain, leaf first
     * @param authType the key exchange algorithm
     * @return the first failure, or empty when the certificate is valid for the host
     */
    public Optional<WebPkiFailure> check(X509Certificate[] chain, String authType) {
        if (chain == null || chain.length == 0) {
            return Optional.of(new WebPkiFailure(ResultType.CERTIFICATE_NOT_TRUSTED, "no certificate presented"));
        }
        X509Certificate leaf = chain[0];
        try {
            leaf.checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException e) {
            return Optional.of(new WebPkiFailure(ResultType.CERTIFICATE_EXPIRED, "the certificate of " + host
                + " expired on " + leaf.getNotAfter().toInstant()));
        } catch (CertificateNotYetValidException e) {
            return Optional.of(new WebPkiFailure(ResultType.CERTIFICATE_NOT_TRUSTED, "the certificate of " + host
                + " is not valid before " + leaf.getNotBefore().toInstant()));
        }
        try {
            pkix.checkServerTrusted(chain, authType);
        } catch (CertificateException | IllegalArgumentException e) {
            return Optional.of(new WebPkiFailure(ResultType.CERTIFICATE_NOT_TRUSTED, "the certificate of " + host
                + " does not chain to a trusted CA (" + e.getMessage() + ")"));
        }
        List<String> names = dnsNames(leaf);
        if (names.stream().noneMatch(name -> CertificateNames.matches(name, host))) {
            return Optional.of(new WebPkiFailure(ResultType.CERTIFICATE_HOST_MISMATCH, "the certificate names "
                + names + " do not include " + host));
        }
        return Optional.empty();
    }

    private static List<String> dnsNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternativeNames = certificate.getSubjectAlternativeNames();
            if (alternativeNames != null) {
                for (List<?> entry : alternativeNames) {
                    if (entry.size() >= 2 && Integer.valueOf(DNS_NAME).equals(entry.get(0))
                        && entry.get(1) instanceof String name) {
                        names.add(name);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return names;
        }
        return names;
    }

    private void verify(X509Certificate[] chain, String authType) throws CertificateException {
        failure = null;
        Optional<WebPkiFailure> result = check(chain, authType);
        if (result.isEmpty()) {
            return;
        }
        failure = result.get();
        if (enforcing) {
            throw new WebPkiException(result.get());
        }
        LOGGER.info("TES MTA-STS testing: the certificate of {} would fail the policy ({}): accepted", host,
            result.get());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
        verify(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
        verify(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
        throw new CertificateException("WebPkiTrustManager authenticates servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
        throw new CertificateException("WebPkiTrustManager authenticates servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("WebPkiTrustManager authenticates servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
