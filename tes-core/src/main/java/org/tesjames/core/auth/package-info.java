/**
 * Inbound message authentication, the facade the James adapters use: SPF of the SMTP identity
 * ({@link org.tesjames.core.auth.SpfVerifier}), DKIM, the RFC5322.From Author Domain and DMARC together
 * ({@link org.tesjames.core.auth.MessageAuthenticator}, giving an
 * {@link org.tesjames.core.auth.AuthenticationReport}), and the RFC 8601 {@code Authentication-Results} field
 * ({@link org.tesjames.core.auth.AuthenticationResultsHeader}: rendering ours, recognising forged ones).
 */
package org.tesjames.core.auth;
