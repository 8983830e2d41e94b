package org.tesjames.testing.smtp;

import java.util.List;

/**
 * A command as seen by a {@link SinkRule}, with the session state at that point.
 *
 * @param stage the stage
 * @param argument the sender address (MAIL), recipient address (RCPT), client name (HELO/EHLO), else the
 *                 text after the verb ({@code ""} for none or at CONNECT/DATA_END)
 * @param commandLine the command line as received ({@code ""} at CONNECT and DATA_END)
 * @param heloName the HELO/EHLO name so far, or {@code null}
 * @param mailFrom the sender of the current transaction, or {@code null}
 * @param recipients the accepted recipients of the current transaction
 * @param message the unstuffed message bytes at DATA_END, else {@code null}
 * @param tls whether TLS is active
 * @param connectionId the sink connection number (1-based)
 */
public record SinkCommand(SmtpStage stage, String argument, String commandLine, String heloName, String mailFrom,
                          List<String> recipients, byte[] message, boolean tls, int connectionId) {
}
