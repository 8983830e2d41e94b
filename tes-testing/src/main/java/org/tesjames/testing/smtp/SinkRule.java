package org.tesjames.testing.smtp;

/**
 * Decides how {@link RecordingSmtpSink} answers a command. Rules are consulted in the order they were
 * added, after the sink's own syntax and sequence checks passed; the first non-null action wins.
 *
 * <pre>{@code
 * sink.addRule(cmd -> cmd.stage() == SmtpStage.RCPT && cmd.argument().endsWith("@blocked.example")
 *     ? SinkAction.reply("550 5.7.1 Blocked") : null);
 * }</pre>
 */
@FunctionalInterface
public interface SinkRule {

    /**
     * Decides the answer to a command.
     *
     * @param command the command and session state
     * @return the action to take, or {@code null} for the sink's default behaviour (or a later rule)
     */
    SinkAction decide(SinkCommand command);
}
