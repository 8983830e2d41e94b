/**
 * DANE for SMTP, offline: the TLSA record model ({@link org.tesjames.core.dane.TlsaRecord}), the selection of the
 * records an SMTP client may use ({@link org.tesjames.core.dane.TlsaSelection}: RFC 7672 section 3.1.3 and the
 * digest algorithm agility of RFC 7671 section 9) and the certificate matching of RFC 7671/RFC 7672
 * ({@link org.tesjames.core.dane.DaneVerifier}, with typed outcomes {@link org.tesjames.core.dane.DaneResult}).
 *
 * <p>Nothing here does DNS or TLS: whether the TLSA RRset was DNSSEC-secure is the caller's concern.
 */
package org.tesjames.core.dane;
