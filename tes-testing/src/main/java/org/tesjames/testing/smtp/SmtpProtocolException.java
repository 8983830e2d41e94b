package org.tesjames.testing.smtp;

import java.io.IOException;

/**
 * The peer violated the SMTP syntax (e.g. a reply line without a three-digit code) or the connection
 * state (e.g. data sent after the 220 reply to STARTTLS).
 */
public class SmtpProtocolException extends IOException {

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    public SmtpProtocolException(String message) {
        super(message);
    }
}
