package org.tesjames.it.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpReply;
import org.tesjames.testing.smtp.SmtpTestClient;
import org.tesjames.testing.tes.TesMembershipZones;

/**
 * Runs in the "old-tls" fork, whose JVM re-enables TLSv1 and TLSv1.1; the listeners are pinned to old protocols
 * so the sessions really negotiate them, and TES (not the JDK) must refuse.
 */
@Tag("old-tls")
class OldTlsPolicyTest {
    private static final String USER = "old@tes.test";
    private static final String PASSWORD = "secret-Pa55";

    @RegisterExtension
    static TesJamesExtension extension = new TesJamesExtension(conf -> conf
        .pinTlsProtocols(TesJamesServer.INBOUND, "TLSv1.1")
        .pinTlsProtocols(TesJamesServer.SUBMISSION, "TLSv1"));

    private static TesJamesServer james;

    @BeforeAll
    static void setUp() throws Exception {
        james = extension.james();
        james.addUser(USER, PASSWORD);
        new TesMembershipZones(extension.dns()).member("oldmember.test", "m.master.test");
    }

    @Test
    void aMemberOverTls11IsRejectedAtRcpt() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                .tlsProtocols("TLSv1.1").trustAll().connect()) {
            client.ehlo("peer.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            assertThat(client.tlsProtocol()).contains("TLSv1.1");
            client.ehlo("peer.example");
            assertThat(client.mailFrom("alice@oldmember.test").code()).isEqualTo(250);

            SmtpReply reply = client.rcptTo(USER);
            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 Member is not TES compliant");
        }
    }

    @Test
    void aNonMemberOverTls11IsAccepted() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                .tlsProtocols("TLSv1.1").trustAll().connect()) {
            client.ehlo("peer.example");
            client.starttls();
            client.ehlo("peer.example");
            assertThat(client.mailFrom("bob@unlisted.example").code()).isEqualTo(250);
            assertThat(client.rcptTo(USER).code()).isEqualTo(250);
        }
    }

    @Test
    void anAuthenticatedClientOverTls10IsRejectedAtRcpt() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.submissionPort())
                .tlsProtocols("TLSv1").trustAll().connect()) {
            client.ehlo("client.example");
            assertThat(client.starttls().code()).isEqualTo(220);
            assertThat(client.tlsProtocol()).contains("TLSv1");
            client.ehlo("client.example");
            assertThat(client.authPlain(USER, PASSWORD).code()).isEqualTo(235);
            assertThat(client.mailFrom(USER).code()).isEqualTo(250);

            SmtpReply reply = client.rcptTo(USER);
            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("5.7.1 Client is not TES compliant");
        }
    }
}
