/**
 * SMTP TLS Reporting (RFC 8460): the vocabulary of outbound TLS outcomes ({@link org.tesjames.core.tlsrpt.ResultType},
 * {@link org.tesjames.core.tlsrpt.PolicyType}), their recording per policy
 * ({@link org.tesjames.core.tlsrpt.TlsResultRecorder}, {@link org.tesjames.core.tlsrpt.TlsResultCounter}) and the
 * report of one policy domain ({@link org.tesjames.core.tlsrpt.TlsReport}); where a domain wants its reports
 * ({@link org.tesjames.core.tlsrpt.TlsRptRecord}, {@link org.tesjames.core.tlsrpt.TlsRptDiscovery}), the node's
 * periods, retries and state file ({@link org.tesjames.core.tlsrpt.TlsReporter},
 * {@link org.tesjames.core.tlsrpt.TlsReportState}) and the {@code https:} submission
 * ({@link org.tesjames.core.tlsrpt.HttpsReportPoster}).
 */
package org.tesjames.core.tlsrpt;
