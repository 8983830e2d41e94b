package org.tesjames.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class SmtpReplyTest {

    @Test
    void multiLineReplyKeepsEveryLineAndParsesTheEnhancedStatus() throws Exception {
        SmtpReply reply = SmtpReply.parse(List.of("550-5.7.1 Message rejected", "550 5.7.1 see policy"));

        assertThat(reply.code()).isEqualTo(550);
        assertThat(reply.enhancedStatus()).contains("5.7.1");
        assertThat(reply.lines()).containsExactly("5.7.1 Message rejected", "5.7.1 see policy");
        assertThat(reply.text()).isEqualTo("5.7.1 Message rejected\n5.7.1 see policy");
        assertThat(reply.toString()).isEqualTo("550-5.7.1 Message rejected\n550 5.7.1 see policy");
        assertThat(reply.isPositive()).isFalse();
        assertThat(reply.isPermanentNegative()).isTrue();
    }

    @Test
    void replyWithoutEnhancedStatusOrTextIsAccepted() throws Exception {
        SmtpReply bare = SmtpReply.parse(List.of("354"));
        SmtpReply plain = SmtpReply.parse(List.of("220 mx.example ESMTP"));

        assertThat(bare.code()).isEqualTo(354);
        assertThat(bare.text()).isEmpty();
        assertThat(bare.isPositive()).isTrue();
        assertThat(bare.isPositiveIntermediate()).isTrue();
        assertThat(plain.enhancedStatus()).isEmpty();
        assertThat(plain.isPositiveCompletion()).isTrue();
        assertThat(SmtpReply.of(451, "4.3.0 later").isTransientNegative()).isTrue();
        assertThat(SmtpReply.of(250, "a", "b").rawLines()).containsExactly("250-a", "250 b");
    }

    @Test
    void malformedOrInconsistentLinesAreProtocolErrors() {
        assertThatThrownBy(() -> SmtpReply.parse(List.of("hello"))).isInstanceOf(SmtpProtocolException.class);
        assertThatThrownBy(() -> SmtpReply.parse(List.of("25 ok"))).isInstanceOf(SmtpProtocolException.class);
        assertThatThrownBy(() -> SmtpReply.parse(List.of("250-a", "251 b")))
            .isInstanceOf(SmtpProtocolException.class);
    }
}
