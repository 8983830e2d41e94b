package org.tesjames.mailets.smtp;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * An SMTP session for hook tests: a connection without TLS nor AUTH from 192.0.2.1 to port 25, outside James's Netty
 * transport (so it has no {@link SessionGate} and hooks wait in place), with its attachments by state.
 */
final class PlainSmtpConnection {
    private final Map<ProtocolSession.State, Map<Object, Object>> attachments = new HashMap<>();
    final SMTPSession session = (SMTPSession) Proxy.newProxyInstance(SMTPSession.class.getClassLoader(),
        new Class<?>[] {SMTPSession.class}, (proxy, method, args) -> switch (method.getName()) {
            case "getSessionID" -> "s-1";
            case "getRemoteAddress" -> new InetSocketAddress("192.0.2.1", 40000);
            case "getLocalAddress" -> new InetSocketAddress("127.0.0.1", 25);
            case "getAttachment" -> Optional.ofNullable(state((ProtocolSession.State) args[1]).get(args[0]));
            case "setAttachment" -> Optional.ofNullable(state((ProtocolSession.State) args[2]).put(args[0], args[1]));
            case "getSSLSession" -> Optional.empty();
            case "isTLSStarted" -> false;
            case "isStartTLSSupported" -> true;
            case "getUsername" -> null;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "test session";
            default -> throw new UnsupportedOperationException(method.getName());
        });

    /** The attachments of one state of the session. */
    Map<Object, Object> state(ProtocolSession.State state) {
        return attachments.computeIfAbsent(state, s -> new HashMap<>());
    }

    /** Ends the transaction (RSET): its attachments are gone. */
    void endTransaction() {
        state(ProtocolSession.State.Transaction).clear();
    }
}
