/**
 * SPF (RFC 7208): the project's own {@code check_host()} ({@link org.tesjames.core.spf.SpfCheckHost}) with every
 * DNS lookup through the asynchronous {@link org.tesjames.core.dns.DnsClient}, records parsed in full before they
 * are evaluated ({@code SpfRecord}, {@code MacroString}) and the limits of section 4.6.4 enforced. The SMTP-level
 * facade is {@link org.tesjames.core.auth.SpfVerifier}.
 */
package org.tesjames.core.spf;
