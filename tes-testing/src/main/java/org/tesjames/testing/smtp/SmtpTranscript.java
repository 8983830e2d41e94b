package org.tesjames.testing.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The outcome of an {@link SmtpTransaction}: the reply to every step, in order, and the TLS parameters.
 *
 * <pre>{@code
 * assertThat(t.rcptTo("x@example.net")).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(550));
 * assertThat(t.messageReply().orElseThrow().code()).isEqualTo(451);
 * assertThat(t.accepted()).isFalse();
 * }</pre>
 */
public final class SmtpTranscript {

    /** Steps of a transaction. */
    public enum Step {
        /** The server greeting. */
        GREETING,
        /** EHLO (appears twice with STARTTLS). */
        EHLO,
        /** STARTTLS. */
        STARTTLS,
        /** AUTH (final reply). */
        AUTH,
        /** MAIL FROM. */
        MAIL,
        /** RCPT TO (once per recipient). */
        RCPT,
        /** The DATA command (354 expected). */
        DATA,
        /** The message content and terminating dot: the final reply of the transaction. */
        MESSAGE,
        /** QUIT. */
        QUIT
    }

    /**
     * One step: what was sent and the reply.
     *
     * @param step the step
     * @param command the command line sent ({@code "<connect>"} for the greeting, {@code "<message>"} for
     *                the message content; AUTH credentials omitted)
     * @param argument the recipient address for RCPT, else {@code ""}
     * @param reply the server's reply
     */
    public record Exchange(Step step, String command, String argument, SmtpReply reply) {
        @Override
        public String toString() {
            return command + " -> " + reply.toString().replace("\n", " | ");
        }
    }

    private final List<Exchange> exchanges;
    private final String tlsProtocol;
    private final String tlsCipherSuite;

    private SmtpTranscript(List<Exchange> exchanges, String tlsProtocol, String tlsCipherSuite) {
        this.exchanges = List.copyOf(exchanges);
        this.tlsProtocol = tlsProtocol;
        this.tlsCipherSuite = tlsCipherSuite;
    }

    /**
     * All steps in order.
     *
     * @return unmodifiable list
     */
    public List<Exchange> exchanges() {
        return exchanges;
    }

    /**
     * The greeting.
     *
     * @return the greeting reply
     */
    public SmtpReply greeting() {
        return first(Step.GREETING).orElseThrow();
    }

    /**
     * The last EHLO reply (after STARTTLS if TLS was started).
     *
     * @return the reply, if EHLO was sent
     */
    public Optional<SmtpReply> ehlo() {
        return last(Step.EHLO);
    }

    /**
     * The STARTTLS reply.
     *
     * @return the reply, if STARTTLS was sent
     */
    public Optional<SmtpReply> starttls() {
        return first(Step.STARTTLS);
    }

    /**
     * The final AUTH reply.
     *
     * @return the reply, if AUTH was sent
     */
    public Optional<SmtpReply> auth() {
        return first(Step.AUTH);
    }

    /**
     * The MAIL FROM reply.
     *
     * @return the reply, if MAIL was sent
     */
    public Optional<SmtpReply> mailFrom() {
        return first(Step.MAIL);
    }

    /**
     * The RCPT replies in recipient order.
     *
     * @return the replies (empty if RCPT was not reached)
     */
    public List<SmtpReply> rcptTo() {
        return exchanges.stream().filter(e -> e.step() == Step.RCPT).map(Exchange::reply)
            .collect(Collectors.toList());
    }

    /**
     * The RCPT reply for one recipient.
     *
     * @param address the recipient as given to {@link SmtpTransaction#rcptTo(String...)}
     * @return the reply, if that RCPT was sent
     */
    public Optional<SmtpReply> rcptTo(String address) {
        return exchanges.stream().filter(e -> e.step() == Step.RCPT && e.argument().equals(address))
            .map(Exchange::reply).findFirst();
    }

    /**
     * The reply to the DATA command (354 expected).
     *
     * @return the reply, if DATA was sent
     */
    public Optional<SmtpReply> data() {
        return first(Step.DATA);
    }

    /**
     * The final reply after the message content (250 when accepted).
     *
     * @return the reply, if the message was sent
     */
    public Optional<SmtpReply> messageReply() {
        return first(Step.MESSAGE);
    }

    /**
     * The QUIT reply.
     *
     * @return the reply, if QUIT was sent and answered
     */
    public Optional<SmtpReply> quit() {
        return first(Step.QUIT);
    }

    /**
     * The last reply before QUIT: the one that ended the transaction.
     *
     * @return the deciding reply
     */
    public SmtpReply lastReply() {
        for (int i = exchanges.size() - 1; i >= 0; i--) {
            if (exchanges.get(i).step() != Step.QUIT) {
                return exchanges.get(i).reply();
            }
        }
        throw new IllegalStateException("empty transcript");
    }

    /**
     * Whether the message was accepted (2xx final reply).
     *
     * @return true if delivered to the server
     */
    public boolean accepted() {
        return messageReply().map(SmtpReply::isPositiveCompletion).orElse(false);
    }

    /**
     * The negotiated TLS protocol.
     *
     * @return e.g. {@code "TLSv1.3"}, empty without TLS
     */
    public Optional<String> tlsProtocol() {
        return Optional.ofNullable(tlsProtocol);
    }

    /**
     * The negotiated cipher suite.
     *
     * @return the suite, empty without TLS
     */
    public Optional<String> tlsCipherSuite() {
        return Optional.ofNullable(tlsCipherSuite);
    }

    private Optional<SmtpReply> first(Step step) {
        return exchanges.stream().filter(e -> e.step() == step).map(Exchange::reply).findFirst();
    }

    private Optional<SmtpReply> last(Step step) {
        SmtpReply found = null;
        for (Exchange e : exchanges) {
            if (e.step() == step) {
                found = e.reply();
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * One line per step, e.g. {@code "RCPT TO:<x@y> -> 550 5.1.1 unknown"}.
     *
     * @return the transcript text
     */
    @Override
    public String toString() {
        return exchanges.stream().map(Exchange::toString).collect(Collectors.joining("\n"))
            + (tlsProtocol != null ? "\n(TLS " + tlsProtocol + " " + tlsCipherSuite + ")" : "");
    }

    /** Collects exchanges while a transaction runs. */
    static final class Recorder {
        private final List<Exchange> exchanges = new ArrayList<>();

        SmtpReply add(Step step, String command, SmtpReply reply) {
            exchanges.add(new Exchange(step, command, "", reply));
            return reply;
        }

        void addRcpt(String address, SmtpReply reply) {
            exchanges.add(new Exchange(Step.RCPT, "RCPT TO:<" + address + ">", address, reply));
        }

        SmtpTranscript build(SmtpTestClient client) {
            return new SmtpTranscript(exchanges, client.tlsProtocol().orElse(null),
                client.tlsCipherSuite().orElse(null));
        }
    }
}
