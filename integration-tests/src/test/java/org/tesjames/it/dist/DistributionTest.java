package org.tesjames.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.tesjames.it.harness.ImapInbox;
import org.tesjames.it.harness.JamesProcess;
import org.tesjames.it.harness.TesJamesExtension;
import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.SmtpTestClient;

/**
 * "Drop the jar into James" works: the packaged distribution runs as its own JVM, with the TES classes only in
 * {@code extensions-jars/}, accepts a message over STARTTLS, runs the TES hook on it, delivers it to a mailbox
 * read back over IMAP, and stops cleanly.
 */
class DistributionTest {
    private static final String USER = "alice@tes.test";
    private static final String PASSWORD = "secret-Pa55";

    @Test
    void theTesClassesAreOnlyInExtensionsJars() throws IOException {
        Path dist = JamesProcess.distribution();
        try (Stream<Path> lib = Files.list(dist.resolve("lib"))) {
            assertThat(lib.map(path -> path.getFileName().toString()))
                .isNotEmpty()
                .noneMatch(name -> name.startsWith("tes-"));
        }
        assertThat(dist.resolve("extensions-jars/tes-james-extension.jar")).isRegularFile();
        assertThat(dist.resolve("conf/extensions.properties"))
            .content().contains("guice.extension.module=org.tesjames.mailets.TesModule");
    }

    @Test
    void deliversOverStarttlsWithTheExtensionLoadedFromExtensionsJars() throws Exception {
        try (TestDnsServer dns = TesJamesExtension.internetLikeDns();
             JamesProcess james = JamesProcess.start(dns, conf -> conf.replace("mailetcontainer.xml",
                 "<mailet match=\"All\" class=\"AddDeliveredToHeader\"/>",
                 "<mailet match=\"All\" class=\"MailAttributesToMimeHeaders\">"
                     + "<simplemapping>tes.smtp.tls;X-Test-Tls, tes.smtp.tls.protocol;X-Test-Tls-Protocol"
                     + "</simplemapping></mailet>\n"
                     + "<mailet match=\"All\" class=\"AddDeliveredToHeader\"/>"))) {
            assertThat(james.log()).contains("Loading custom classpath resource")
                .contains("tes-james-extension.jar")
                .contains("Enabling injects contained in org.tesjames.mailets.TesModule");
            james.addUser(USER, PASSWORD);

            try (SmtpTestClient client = SmtpTestClient.builder("127.0.0.1", james.inboundPort())
                    .trustAll().connect()) {
                client.ehlo("peer.example");
                assertThat(client.starttls().code()).isEqualTo(220);
                client.ehlo("peer.example");
                assertThat(client.mailFrom("bob@remote.example").code()).isEqualTo(250);
                assertThat(client.rcptTo(USER).code()).isEqualTo(250);
                assertThat(client.data().code()).isEqualTo(354);
                assertThat(client.message("From: bob@remote.example\r\nTo: " + USER
                    + "\r\nSubject: packaged\r\n\r\nhello from outside\r\n").code()).isEqualTo(250);
            }

            MimeMessage message = Awaitility.await("delivery to " + USER).atMost(Duration.ofSeconds(60))
                .until(() -> ImapInbox.read(james.imapPort(), USER, PASSWORD), list -> !list.isEmpty()).get(0);
            assertThat(message.getSubject()).isEqualTo("packaged");
            assertThat(message.getHeader("X-Test-Tls")).containsExactly("starttls");
            assertThat(message.getHeader("X-Test-Tls-Protocol")).containsExactly("TLSv1.3");
            assertThat(james.log()).contains("TES settings: DNS resolvers 127.0.0.1:" + dns.port());

            assertThat(james.stop()).isEqualTo(143);
            assertThat(james.log()).contains("JAMES server stopped");
        }
    }
}
