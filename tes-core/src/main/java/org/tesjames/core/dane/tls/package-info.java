/**
 * DANE over JSSE for outbound SMTP: a trust manager that authenticates servers by their TLSA RRset only
 * ({@link org.tesjames.core.dane.tls.DaneTrustManager}), per-connection client TLS with a fresh
 * {@link javax.net.ssl.SSLContext} in DANE or opportunistic unauthenticated mode
 * ({@link org.tesjames.core.dane.tls.DaneTls}), and the JavaMail plumbing
 * ({@link org.tesjames.core.dane.tls.DaneSocketFactory} with {@link org.tesjames.core.dane.tls.DaneConnectionPolicies}).
 *
 * <p>Plain JSSE, no James classes. Every failure reaches the caller as an {@link java.io.IOException}
 * ({@link org.tesjames.core.dane.tls.DaneHandshakeException}), a temporary failure for James.
 */
package org.tesjames.core.dane.tls;
