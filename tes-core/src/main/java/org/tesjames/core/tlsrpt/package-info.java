/**
 * SMTP TLS Reporting (RFC 8460): the vocabulary of outbound TLS outcomes ({@link org.tesjames.core.tlsrpt.ResultType},
 * {@link org.tesjames.core.tlsrpt.PolicyType}), their recording per policy
 * ({@link org.tesjames.core.tlsrpt.TlsResultRecorder}, {@link org.tesjames.core.tlsrpt.TlsResultCounter}) and the
 * report of one policy domain ({@link org.tesjames.core.tlsrpt.TlsReport}). Sending reports is not implemented yet.
 */
package org.tesjames.core.tlsrpt;
