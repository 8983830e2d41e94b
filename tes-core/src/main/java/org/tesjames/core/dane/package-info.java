/**
 * DANE for SMTP, offline: the TLSA record model ({@link org.tesjames.core.dane.TlsaRecord}), the selection of the
 * records an SMTP client may use ({@link org.tesjames.core.dane.TlsaSelection}: RFC 7672 section 3.1.3 and the
 * digest algorithm agility of RFC 7671 section 9) and the certificate matching of RFC 7671/RFC 7672
 * ({@link org.tesjames.core.dane.DaneVerifier}, with typed outcomes {@link org.tesjames.core.dane.DaneResult}).
 *
 * <p>Only {@link org.tesjames.core.dane.DaneLookup} does DNS: the MX, address and TLSA lookups of RFC 7672
 * section 2.2 over a DNSSEC-trustworthy client, with per-host outcomes
 * ({@link org.tesjames.core.dane.DaneHostOutcome}). Nothing here does TLS.
 */
package org.tesjames.core.dane;
