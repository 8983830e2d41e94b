package org.tesjames.core.dkim.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

class SigningDecisionTest {
    private static final DkimKey KEY = key();
    private static final DkimKeySource KEYS = domain -> domain.equals("tes.test") ? List.of(KEY) : List.of();
    private static final SigningAuthorisation OWN = SigningAuthorisation.ownDomainOnly();

    private static DkimKey key() {
        try {
            return DkimKeyFile.parse(DkimKeyFile.pem(TestKeys.ED25519.getPrivate()), "tes.test", "s1", java.nio.file.Path.of("s1.pem"));
        } catch (DkimKeyFile.BadKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MimeMessage message(String headers) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream((headers
            + "Subject: s\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static SigningDecision decide(String user, String headers, SigningAuthorisation authorisation)
            throws Exception {
        return SigningDecision.decide(Optional.ofNullable(user), message(headers), authorisation, KEYS);
    }

    @Test
    void signsTheOwnDomainWithAnActiveKey() throws Exception {
        assertThat(decide("a@TES.test", "From: A <a@tes.test>\r\n", OWN))
            .isEqualTo(new SigningDecision.Sign("a@TES.test", "tes.test"));
    }

    @Test
    void unauthenticatedOrBlankUserIsNeverSigned() throws Exception {
        assertThat(decide(null, "From: a@tes.test\r\n", OWN)).isInstanceOf(SigningDecision.Unauthenticated.class);
        assertThat(decide(" ", "From: a@tes.test\r\n", OWN)).isInstanceOf(SigningDecision.Unauthenticated.class);
    }

    @Test
    void aForeignFromDomainIsNotAuthorisedUnlessMapped() throws Exception {
        assertThat(decide("a@other.test", "From: a@tes.test\r\n", OWN))
            .isEqualTo(new SigningDecision.NotAuthorised("a@other.test", "tes.test"));
        assertThat(decide("a@other.test", "From: a@tes.test\r\n", SigningAuthorisation.parse("tes.test:other.test")))
            .isEqualTo(new SigningDecision.Sign("a@other.test", "tes.test"));
    }

    @Test
    void anAuthorisedDomainWithoutKeyIsNoKey() throws Exception {
        assertThat(decide("a@nokey.test", "From: a@nokey.test\r\n", OWN))
            .isEqualTo(new SigningDecision.NoKey("a@nokey.test", "nokey.test"));
    }

    @Test
    void noSingleFromAddressIsNoFromDomainWithTheProblem() throws Exception {
        assertThat(decide("a@tes.test", "", OWN))
            .isEqualTo(new SigningDecision.NoFromDomain("a@tes.test", "no From header field"));
        assertThat(decide("a@tes.test", "From: a@tes.test, b@tes.test\r\n", OWN))
            .isEqualTo(new SigningDecision.NoFromDomain("a@tes.test", "From holds 2 addresses, not one"));
        assertThat(decide("a@tes.test", "From: a@tes.test\r\nFrom: a@tes.test\r\n", OWN))
            .isEqualTo(new SigningDecision.NoFromDomain("a@tes.test", "2 From header fields"));
    }
}
