package org.tesjames.core.tls;

import java.util.Optional;

/** SSL/TLS protocol versions in order, as JSSE names them ({@code SSLSession.getProtocol()}). */
public enum TlsVersion {
    SSL_V3("SSLv3"),
    TLS_V1("TLSv1"),
    TLS_V1_1("TLSv1.1"),
    TLS_V1_2("TLSv1.2"),
    TLS_V1_3("TLSv1.3");

    private final String jsseName;

    TlsVersion(String jsseName) {
        this.jsseName = jsseName;
    }

    public String jsseName() {
        return jsseName;
    }

    /** The version JSSE calls {@code name}; empty for anything else (SSLv2Hello, NONE, future names). */
    public static Optional<TlsVersion> fromJsseName(String name) {
        for (TlsVersion version : values()) {
            if (version.jsseName.equals(name)) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the protocol {@code name} is this version or newer. An unknown name counts as older: a policy
     * never assumes an unrecognised protocol is strong enough.
     */
    public boolean isSatisfiedBy(String name) {
        return fromJsseName(name).map(version -> version.compareTo(this) >= 0).orElse(false);
    }
}
