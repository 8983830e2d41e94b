package org.tesjames.testing.smtp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link RecordingSmtpSink} does instead of its default at a {@link SmtpStage}: send a given reply or
 * drop the connection, optionally after a delay.
 *
 * <pre>{@code
 * SinkAction.reply("550 5.7.1 Recipient rejected");
 * SinkAction.reply(451, "4.3.0 Try again later");
 * SinkAction.reply("250-first line\n250 last line");
 * SinkAction.disconnect();
 * SinkAction.reply("250 2.0.0 Ok").delayedBy(Duration.ofSeconds(5));
 * }</pre>
 */
public final class SinkAction {

    private final SmtpReply reply;
    private final Duration delay;

    private SinkAction(SmtpReply reply, Duration delay) {
        this.reply = reply;
        this.delay = delay;
    }

    /**
     * Sends a reply given as text: one or more lines separated by {@code '\n'}, each starting with the
     * same three-digit code (the continuation separators are fixed automatically).
     *
     * @param reply e.g. {@code "550 5.1.1 No such user"}
     * @return the action
     * @throws IllegalArgumentException if a line has no valid code
     */
    public static SinkAction reply(String reply) {
        String[] lines = reply.split("\r?\n");
        List<String> texts = new ArrayList<>();
        int code = -1;
        for (String line : lines) {
            int lineCode;
            try {
                lineCode = SmtpReply.lineCode(line);
            } catch (SmtpProtocolException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (code != -1 && lineCode != code) {
                throw new IllegalArgumentException("Different codes in one reply: " + reply);
            }
            code = lineCode;
            texts.add(line.length() > 4 ? line.substring(4) : "");
        }
        return new SinkAction(SmtpReply.of(code, texts.toArray(new String[0])), Duration.ZERO);
    }

    /**
     * Sends a reply with the given code; {@code text} may contain {@code '\n'} for a multi-line reply.
     *
     * @param code the reply code
     * @param text e.g. {@code "5.7.1 Relaying denied"}
     * @return the action
     */
    public static SinkAction reply(int code, String text) {
        return new SinkAction(SmtpReply.of(code, text.split("\r?\n")), Duration.ZERO);
    }

    /**
     * Sends the given reply.
     *
     * @param reply the reply
     * @return the action
     */
    public static SinkAction reply(SmtpReply reply) {
        return new SinkAction(Objects.requireNonNull(reply), Duration.ZERO);
    }

    /**
     * Closes the connection without replying.
     *
     * @return the action
     */
    public static SinkAction disconnect() {
        return new SinkAction(null, Duration.ZERO);
    }

    /**
     * The same action, performed after waiting (e.g. to trigger client timeouts).
     *
     * @param wait the delay
     * @return a new action
     */
    public SinkAction delayedBy(Duration wait) {
        return new SinkAction(reply, Objects.requireNonNull(wait));
    }

    /**
     * The reply to send.
     *
     * @return the reply, empty for {@link #disconnect()}
     */
    public Optional<SmtpReply> reply() {
        return Optional.ofNullable(reply);
    }

    /**
     * Whether the action drops the connection.
     *
     * @return true for {@link #disconnect()}
     */
    public boolean isDisconnect() {
        return reply == null;
    }

    /**
     * The delay before the action.
     *
     * @return the delay, zero by default
     */
    public Duration delay() {
        return delay;
    }

    @Override
    public String toString() {
        return (reply == null ? "disconnect" : "reply " + reply) + (delay.isZero() ? "" : " after " + delay);
    }
}
