/**
 * SPF (RFC 7208) evaluation: jSPF's record parser, mechanisms and macros
 * ({@link org.tesjames.core.spf.SpfEvaluator}) with every DNS lookup through the project's asynchronous
 * {@link org.tesjames.core.dns.DnsClient} ({@link org.tesjames.core.spf.DnsClientSpfService}), run without
 * blocking a thread and with the void lookup limit enforced ({@code ContinuationSpfExecutor}). The SMTP-level
 * facade is {@link org.tesjames.core.auth.SpfVerifier}.
 */
package org.tesjames.core.spf;
