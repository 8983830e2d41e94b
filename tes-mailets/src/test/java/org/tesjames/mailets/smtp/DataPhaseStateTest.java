package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.smtpserver.ExtendedSMTPSession;
import org.junit.jupiter.api.Test;

/**
 * {@link DataPhaseState} on James's own session class: one lookup per DATA phase, and never a value of another
 * phase or session.
 */
class DataPhaseStateTest {
    private static final AttachmentKey<String> KEY = AttachmentKey.of("tes.test.state", String.class);

    private final AtomicInteger lookups = new AtomicInteger();
    private final DataPhaseState<String> state = new DataPhaseState<>(session -> {
        lookups.incrementAndGet();
        return session.getAttachment(KEY, ProtocolSession.State.Transaction).orElse(null);
    });

    /** A session of James's SMTP server, in DATA of a transaction whose state is {@code value}. */
    private static ExtendedSMTPSession inData(String value) throws Exception {
        ProtocolTransport transport = (ProtocolTransport) Proxy.newProxyInstance(
            DataPhaseStateTest.class.getClassLoader(), new Class<?>[] {ProtocolTransport.class},
            (proxy, method, args) -> method.getName().equals("getRemoteAddress")
                ? new InetSocketAddress("192.0.2.1", 40000) : null);
        SMTPConfiguration configuration = (SMTPConfiguration) Proxy.newProxyInstance(
            DataPhaseStateTest.class.getClassLoader(), new Class<?>[] {SMTPConfiguration.class},
            (proxy, method, args) -> method.getReturnType() == boolean.class ? false : null);
        ExtendedSMTPSession session = new ExtendedSMTPSession(configuration, transport);
        nextTransaction(session, value);
        return session;
    }

    /** The transaction ends (James resets it) and the next one reaches DATA with state {@code value}. */
    private static void nextTransaction(ExtendedSMTPSession session, String value) throws Exception {
        session.resetState();
        session.setAttachment(KEY, value, ProtocolSession.State.Transaction);
        session.setMimeMessageInputStreamSource(MimeMessageInputStreamSource.create("test-" + value));
    }

    @Test
    void oneLookupPerDataPhase() throws Exception {
        ExtendedSMTPSession session = inData("first");

        for (int line = 0; line < 1000; line++) {
            assertThat(state.get(session)).isEqualTo("first");
        }

        assertThat(lookups).hasValue(1);
    }

    @Test
    void theNextTransactionOfTheSessionIsLookedUpAgain() throws Exception {
        ExtendedSMTPSession session = inData("first");
        assertThat(state.get(session)).isEqualTo("first");

        nextTransaction(session, "second");

        assertThat(state.get(session)).isEqualTo("second");
        assertThat(state.get(session)).isEqualTo("second");
        assertThat(lookups).hasValue(2);
    }

    @Test
    void sessionsTakingTurnsOnOneThreadEachGetTheirOwn() throws Exception {
        ExtendedSMTPSession one = inData("one");
        ExtendedSMTPSession two = inData("two");

        for (int line = 0; line < 3; line++) {
            assertThat(state.get(one)).isEqualTo("one");
            assertThat(state.get(two)).isEqualTo("two");
        }
    }

    @Test
    void eachThreadKeepsItsOwnEntry() throws Exception {
        ExtendedSMTPSession one = inData("one");
        ExtendedSMTPSession two = inData("two");
        assertThat(state.get(one)).isEqualTo("one");

        String[] seen = new String[1];
        Thread other = new Thread(() -> seen[0] = state.get(two));
        other.start();
        other.join();

        assertThat(seen[0]).isEqualTo("two");
        assertThat(state.get(one)).isEqualTo("one");
        assertThat(lookups).as("this thread's entry survived the other thread's").hasValue(2);
    }

    @Test
    void theEndOfDataForgetsThePhase() throws Exception {
        ExtendedSMTPSession session = inData("first");
        assertThat(state.get(session)).isEqualTo("first");

        state.end();

        assertThat(state.get(session)).isEqualTo("first");
        assertThat(lookups).hasValue(2);
    }

    @Test
    void aSessionWithoutJamesMessageWriterIsAskedAtEveryLine() {
        PlainSmtpConnection connection = new PlainSmtpConnection();
        connection.state(ProtocolSession.State.Transaction).put(KEY, "plain");

        for (int line = 0; line < 3; line++) {
            assertThat(state.get(connection.session)).isEqualTo("plain");
        }

        assertThat(lookups).hasValue(3);
    }
}
