package org.tesjames.testing.smtp;

/** Points of an SMTP session at which {@link RecordingSmtpSink} replies can be overridden. */
public enum SmtpStage {
    /** The greeting after connect (and after an implicit TLS handshake). */
    CONNECT,
    /** EHLO or HELO. */
    HELO,
    /** STARTTLS (a 220 override still starts the handshake). */
    STARTTLS,
    /** MAIL FROM; the rule argument is the sender address ({@code ""} for the null sender). */
    MAIL,
    /** RCPT TO; the rule argument is the recipient address. */
    RCPT,
    /** The DATA command (a 354 override still reads the message). */
    DATA,
    /** The end of message data; the rule sees the message bytes. */
    DATA_END,
    /** RSET. */
    RSET,
    /** NOOP. */
    NOOP,
    /** QUIT (the connection is closed after the reply anyway). */
    QUIT
}
