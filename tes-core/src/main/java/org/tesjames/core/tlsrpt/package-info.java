/**
 * SMTP TLS Reporting (RFC 8460): the vocabulary of outbound TLS outcomes.
 */
package org.tesjames.core.tlsrpt;
