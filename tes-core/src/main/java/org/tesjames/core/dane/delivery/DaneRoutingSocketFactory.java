package org.tesjames.core.dane.delivery;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

import javax.net.SocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tesjames.core.dane.tls.DaneFailures;
import org.tesjames.core.tlsrpt.ResultType;
import org.tesjames.core.tlsrpt.SessionOutcomes;

/**
 * The plaintext half of DANE delivery through JavaMail ({@code mail.smtp.socketFactory.class}, with
 * {@code mail.smtp.socketFactory.fallback=false}): each connection follows the {@link HostPlan} of its host in
 * the plan bound to the thread ({@link DeliveryPlans}).
 * <ul>
 * <li>A refused host (no DANE when it is required, an indeterminate lookup, ...) or a host without plan: the
 * connection fails with a {@link DeliveryRefusedException} carrying the reason, before any packet is sent.</li>
 * <li>Otherwise the socket connects to the DNSSEC-validated address of the plan (not to whatever the JVM
 * resolver says about the name), on the port JavaMail asked for.</li>
 * <li>A host that requires TLS (DANE, or a secure TLSA RRset without usable records): on the plaintext
 * connection only {@code EHLO}, {@code HELO}, {@code STARTTLS}, {@code QUIT}, {@code RSET} and {@code NOOP}
 * can be sent. If the server does not offer STARTTLS (or an attacker strips it), JavaMail's next command
 * ({@code MAIL}) fails with a {@link DeliveryRefusedException}: no downgrade to plaintext, even where
 * {@code mail.smtp.starttls.required} is false (opportunistic DANE). After STARTTLS JavaMail talks through the
 * TLS socket of {@link org.tesjames.core.dane.tls.DaneSocketFactory}, whose records travel through this stream
 * unchanged: after {@code STARTTLS} the guard passes everything (a server that refuses STARTTLS makes JavaMail
 * fail the delivery; a TLS failure does too).</li>
 * </ul>
 * JavaMail only asks for unconnected sockets ({@link #createSocket()}) when a socket factory is configured; the
 * connected variants are implemented the same way.
 */
public final class DaneRoutingSocketFactory extends SocketFactory {
    private static final Logger LOGGER = LoggerFactory.getLogger(DaneRoutingSocketFactory.class);
    private static final DaneRoutingSocketFactory INSTANCE = new DaneRoutingSocketFactory();
    private static final Set<String> PLAINTEXT_COMMANDS = Set.of("EHLO", "HELO", "STARTTLS", "QUIT", "RSET", "NOOP");

    private DaneRoutingSocketFactory() {
    }

    /** @return the shared, stateless factory, as JavaMail obtains it by reflection */
    public static DaneRoutingSocketFactory getDefault() {
        return INSTANCE;
    }

    @Override
    public Socket createSocket() {
        return new PlannedSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket socket = new PlannedSocket();
        socket.connect(InetSocketAddress.createUnresolved(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket socket = new PlannedSocket();
        socket.bind(new InetSocketAddress(localHost, localPort));
        socket.connect(InetSocketAddress.createUnresolved(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        throw new DeliveryRefusedException("DANE delivery needs the MX host name, got only the address " + address
            + " (RemoteDelivery must connect by host name: startTLS and verifyServerIdentity true)");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
        return createSocket(address, port);
    }

    /** A socket that connects as the plan of its host says. */
    static final class PlannedSocket extends Socket {
        private volatile HostPlan plan;
        private PlaintextGuard guard;

        @Override
        public void connect(SocketAddress endpoint) throws IOException {
            connect(endpoint, 0);
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (!(endpoint instanceof InetSocketAddress target)) {
                throw new DeliveryRefusedException("unsupported address " + endpoint);
            }
            String host = target.getHostString();
            HostPlan hostPlan = DeliveryPlans.host(host).orElse(null);
            if (hostPlan == null) {
                LOGGER.warn("TES DANE delivery: no delivery plan for host {}: refusing to connect (fail closed)", host);
                DaneFailures.record(host, "no DANE delivery plan: refusing to connect");
                close();
                throw new DeliveryRefusedException("no DANE delivery plan for host '" + host
                    + "' (connect by host name through TesRemoteDelivery): refusing to connect");
            }
            if (hostPlan.action() == HostPlan.Action.REFUSE) {
                LOGGER.info("TES DANE delivery: not connecting to {}: {}", host, hostPlan.reason());
                DaneFailures.record(host, hostPlan.reason());
                SessionOutcomes.refused(host, hostPlan.address().map(InetAddress::getHostAddress), hostPlan.reason());
                close();
                throw new DeliveryRefusedException(hostPlan.reason());
            }
            plan = hostPlan;
            InetSocketAddress address = new InetSocketAddress(hostPlan.address().orElseThrow(), target.getPort());
            try {
                super.connect(address, timeout);
            } catch (IOException e) {
                DaneFailures.record(host, "connection to " + address.getAddress().getHostAddress() + " port "
                    + address.getPort() + " failed: " + e.getMessage());
                throw e;
            }
        }

        /** A host that requires TLS and closed (or was closed) before STARTTLS: STARTTLS was not offered. */
        @Override
        public synchronized void close() throws IOException {
            HostPlan current = plan;
            if (current != null && guard != null && guard.ehloSent && !guard.startTlsSent && !guard.refused) {
                String reason = "STARTTLS not offered by " + current.host() + ", which requires TLS ("
                    + current.reason() + ")";
                DaneFailures.record(current.host(), reason);
                SessionOutcomes.failure(current.host(), current.address().map(InetAddress::getHostAddress),
                    ResultType.STARTTLS_NOT_SUPPORTED, reason);
            }
            super.close();
        }

        /**
         * One guard per socket: JavaMail and, after STARTTLS, the TLS layer both ask for the stream, and the
         * guard's state (STARTTLS sent) must be shared.
         */
        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            HostPlan current = plan;
            if (current == null || !current.tlsRequired()) {
                return super.getOutputStream();
            }
            if (guard == null) {
                guard = new PlaintextGuard(super.getOutputStream(), current);
            }
            return guard;
        }
    }

    /** Lets only the commands that lead to STARTTLS through, line by line. */
    static final class PlaintextGuard extends FilterOutputStream {
        private static final int MAX_LINE = 1000;
        private final HostPlan plan;
        private final byte[] line = new byte[MAX_LINE];
        private int length;
        private boolean startTlsSent;
        private boolean ehloSent;
        private boolean refused;

        PlaintextGuard(OutputStream out, HostPlan plan) {
            super(out);
            this.plan = plan;
        }

        @Override
        public void write(int b) throws IOException {
            if (startTlsSent) {
                out.write(b);
                return;
            }
            if (length == MAX_LINE) {
                throw refusal("an over-long line");
            }
            line[length++] = (byte) b;
            if (b == '\n') {
                String text = new String(line, 0, length, StandardCharsets.US_ASCII).trim();
                String verb = text.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                if (!PLAINTEXT_COMMANDS.contains(verb)) {
                    throw refusal(verb);
                }
                out.write(Arrays.copyOf(line, length));
                length = 0;
                startTlsSent = verb.equals("STARTTLS");
                ehloSent |= verb.equals("EHLO") || verb.equals("HELO");
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int count) throws IOException {
            if (startTlsSent) {
                out.write(bytes, offset, count);
                return;
            }
            for (int i = 0; i < count; i++) {
                write(bytes[offset + i]);
            }
        }

        private DeliveryRefusedException refusal(String what) {
            length = 0;
            refused = true;
            String reason = "STARTTLS not offered by " + plan.host() + ", which requires TLS (" + plan.reason()
                + "): refusing to send " + what + " in plaintext";
            LOGGER.warn("TES DANE delivery: {}", reason);
            DaneFailures.record(plan.host(), reason);
            SessionOutcomes.failure(plan.host(), plan.address().map(InetAddress::getHostAddress),
                ResultType.STARTTLS_NOT_SUPPORTED, reason);
            return new DeliveryRefusedException(reason);
        }
    }
}
