package org.tesjames.mailets.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;
import org.tesjames.core.auth.AuthenticationReport;
import org.tesjames.core.auth.MessageAuthenticator;
import org.tesjames.core.auth.SmtpIdentity;
import org.tesjames.core.auth.SpfVerifier;
import org.tesjames.core.dkim.verify.DkimVerifier;
import org.tesjames.core.dmarc.DmarcEvaluator;
import org.tesjames.core.dmarc.DmarcPolicyDiscovery;
import org.tesjames.matchers.FakeTesDns;

class InboundAuthenticationStampTest {
    private static final String AUTHSERV_ID = "mx.tes.test";

    private final FakeTesDns dns = new FakeTesDns();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final InboundAuthentication authentication = new InboundAuthentication(new MessageAuthenticator(
        new DkimVerifier(dns, Clock.systemUTC()), new SpfVerifier(dns), new DmarcPolicyDiscovery(dns),
        DmarcEvaluator.withRandom(new Random(1))), AUTHSERV_ID, Duration.ofSeconds(5), false, metrics);

    private static FakeMail mail(String message) throws Exception {
        return FakeMail.builder().name("m1").mimeMessage(new MimeMessage(Session.getDefaultInstance(new Properties()),
            new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)))).build();
    }

    private AuthenticationReport report(FakeMail mail) throws Exception {
        return authentication.authenticate(mail, new SmtpIdentity(InetAddress.getLoopbackAddress(), "peer.example",
            "bob@unlisted.example")).orElseThrow();
    }

    private static String written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void putsOursFirstRemovesForgedOnesAndKeepsEveryOtherFieldAndTheBody() throws Exception {
        FakeMail mail = mail("Received: from a by b\r\n"
            + "Authentication-Results: " + AUTHSERV_ID + "; dkim=pass header.d=forged.example\r\n"
            + "Authentication-Results: other.example;\r\n spf=pass\r\n"
            + "From: bob@unlisted.example\r\nSubject: stamped\r\n\r\nline one\r\n\r\nline three\r\n");

        int forged = authentication.stamp(mail, report(mail));

        assertThat(forged).isEqualTo(1);
        List<String> lines = Collections.list(mail.getMessage().getAllHeaderLines());
        assertThat(lines.get(0)).startsWith("Authentication-Results: " + AUTHSERV_ID + ";");
        assertThat(lines.subList(1, lines.size())).containsExactly("Received: from a by b",
            "Authentication-Results: other.example;\r\n spf=pass", "From: bob@unlisted.example", "Subject: stamped");
        assertThat(written(mail.getMessage())).endsWith("\r\n\r\nline one\r\n\r\nline three\r\n");
        assertThat(mail.getMessage().getSubject()).isEqualTo("stamped");
    }

    @Test
    void stampsAHundredThousandDistinctFieldsInLinearTime() throws Exception {
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            header.append("X-Field-").append(i).append(": ").append(i).append("\r\n");
        }
        FakeMail mail = mail(header + "From: bob@unlisted.example\r\n\r\nbody\r\n");
        AuthenticationReport report = report(mail);

        // The former removeHeader-per-name rewrite took minutes here (quadratic); one pass takes well under a second.
        int forged = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> authentication.stamp(mail, report));

        try {
            assertThat(forged).isZero();
            assertThat(mail.getMessage().getHeader("X-Field-99999")).containsExactly("99999");
            assertThat(Collections.list(mail.getMessage().getAllHeaderLines())).hasSize(100_002);
        } finally {
            // a copy this large is a temporary file; FakeMail, unlike James's mail, does not dispose its message
            ((MimeMessageWrapper) mail.getMessage()).dispose();
        }
    }
}
