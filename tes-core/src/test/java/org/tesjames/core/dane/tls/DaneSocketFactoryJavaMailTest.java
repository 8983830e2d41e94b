package org.tesjames.core.dane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.TlsaRecord;
import org.tesjames.core.tls.TlsVersion;
import org.tesjames.testing.smtp.RecordingSmtpSink;
import org.tesjames.testing.tls.KeyType;
import org.tesjames.testing.tls.TestCertificate;
import org.tesjames.testing.tls.TestCertificates;

/**
 * JavaMail 1.6.2 (the version James ships) wired as the design's platform fact 6 says: the factory by class name,
 * {@code checkserveridentity=false}, connecting by host name ({@code localhost}).
 */
class DaneSocketFactoryJavaMailTest {
    private static final String MX = "mx.javamail.example";
    private static final TestCertificate CERTIFICATE = TestCertificates.selfSigned(KeyType.EC_P256, MX);

    private RecordingSmtpSink sink;

    @BeforeEach
    void start() throws IOException {
        sink = RecordingSmtpSink.builder().hostname(MX).startTls(CERTIFICATE).start();
    }

    @AfterEach
    void stop() {
        sink.close();
    }

    private void send() throws MessagingException {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.host", "localhost");
        properties.setProperty("mail.smtp.port", Integer.toString(sink.port()));
        properties.setProperty("mail.smtp.starttls.enable", "true");
        properties.setProperty("mail.smtp.starttls.required", "true");
        properties.setProperty("mail.smtp.ssl.socketFactory.class", DaneSocketFactory.class.getName());
        properties.setProperty("mail.smtp.ssl.checkserveridentity", "false");
        properties.setProperty("mail.smtp.connectiontimeout", "5000");
        properties.setProperty("mail.smtp.timeout", "5000");
        MimeMessage message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(new InternetAddress("sender@client.test"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("rcpt@javamail.example"));
        message.setSubject("dane");
        message.setText("hello");
        Transport.send(message);
    }

    private static DaneConnectionPolicy dane(TestCertificate certificate) {
        return DaneConnectionPolicy.dane(MX, List.of(new TlsaRecord(3, 1, 1,
            certificate.tlsaAssociationData(1, 1))), Set.of(MX), TlsVersion.TLS_V1_2);
    }

    @Test
    void deliversOverDaneAuthenticatedStartTls() throws MessagingException {
        try (DaneConnectionPolicies.Registration ignored = DaneConnectionPolicies.bindToCurrentThread("localhost",
            dane(CERTIFICATE))) {
            send();
        }

        assertThat(sink.awaitMessage(Duration.ofSeconds(5)).tlsProtocol()).isPresent();
        assertThat(sink.connections().get(0).sniHostName()).contains(MX);
        assertThat(sink.tlsHandshakeFailures()).isZero();
    }

    @Test
    void aTlsaMismatchIsAnIoExceptionForJavaMail() {
        TestCertificate other = TestCertificates.selfSigned(KeyType.EC_P256, MX);
        try (DaneConnectionPolicies.Registration ignored = DaneConnectionPolicies.bindToCurrentThread("localhost",
            dane(other))) {
            assertThatThrownBy(this::send)
                .isInstanceOf(MessagingException.class)
                .satisfies(e -> assertThat(((MessagingException) e).getNextException())
                    .isInstanceOf(DaneHandshakeException.class)
                    .hasMessageContaining("certificate does not match TLSA"));
        }
        assertThat(sink.messages()).isEmpty();
    }
}
