package org.tesjames.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;

/** Mail from a peer MTA to the inbound listener of a James on loopback. */
public final class Inbound {
    private Inbound() {
    }

    /**
     * EHLO, STARTTLS, EHLO, then MAIL FROM, RCPT TO and DATA, each asserted to succeed; returns the reply to the
     * message (CRLF line ends).
     */
    public static SmtpReply sendOverStartTls(int inboundPort, String sender, String recipient, String message)
            throws IOException {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", inboundPort).trustAll().connect()) {
            client.ehlo("peer.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            client.ehlo("peer.example");
            assertThat(client.mailFrom(sender).code()).isEqualTo(250);
            assertThat(client.rcptTo(recipient).code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            return client.message(message);
        }
    }
}
