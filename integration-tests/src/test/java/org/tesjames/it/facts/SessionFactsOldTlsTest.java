package org.tesjames.it.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tesjames.it.facts.FactsToHeaders.PROTOCOL;
import static org.tesjames.it.facts.FactsToHeaders.TLS;
import static org.tesjames.it.facts.FactsToHeaders.header;

import java.time.Duration;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * Runs in the "old-tls" fork, whose JVM re-enables TLSv1 and TLSv1.1: the inbound listener is pinned to TLSv1.1
 * so the session really negotiates it.
 */
@Tag("old-tls")
class SessionFactsOldTlsTest {
    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> {
        FactsToHeaders.install(conf);
        conf.pinTlsProtocols(TesJamesServer.INBOUND, "TLSv1.1");
    });

    @Test
    void recordsTls11() throws Exception {
        TesJamesServer james = extension.james();
        james.addUser("old@tes.test", "secret-Pa55");
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                .tlsProtocols("TLSv1.1").trustAll().connect()) {
            client.ehlo("peer.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            assertThat(client.tlsProtocol()).contains("TLSv1.1");
            client.ehlo("peer.example");
            assertThat(client.mailFrom("someone@remote.example").code()).isEqualTo(250);
            assertThat(client.rcptTo("old@tes.test").code()).isEqualTo(250);
            assertThat(client.data().code()).isEqualTo(354);
            assertThat(client.message("Subject: old\r\n\r\nbody\r\n").code()).isEqualTo(250);
        }

        MimeMessage message = james.awaitInbox("old@tes.test", 1, Duration.ofSeconds(30)).get(0);
        assertThat(header(message, TLS)).contains("starttls");
        assertThat(header(message, PROTOCOL)).contains("TLSv1.1");
    }
}
