package org.tesjames.core.dane.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tesjames.core.dane.DaneHostOutcome;
import org.tesjames.core.dane.tls.DaneConnectionPolicy;
import org.tesjames.core.dane.tls.DaneFailures;
import org.tesjames.core.tls.TlsVersion;

class DaneRoutingSocketFactoryTest {
    private static final String HOST = "mx.unresolvable.invalid";

    @AfterEach
    void unbind() {
        DeliveryPlans.clear();
        DaneFailures.clear();
    }

    private static HostPlan usable(HostPlan.Action action, InetAddress address) {
        return new HostPlan(HOST, action, Optional.of(address),
            Optional.of(DaneConnectionPolicy.unauthenticated(TlsVersion.TLS_V1_2)), DaneHostOutcome.INSECURE,
            "test facts");
    }

    private static void bind(HostPlan host) {
        DeliveryPlans.bind(new DeliveryPlan("unresolvable.invalid", DeliveryPolicy.DANE_OPPORTUNISTIC, List.of(host)));
    }

    /** Accepts one connection and returns everything the client sent until it closed. */
    private static CompletableFuture<String> received(ServerSocket server) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket peer = server.accept(); InputStream in = peer.getInputStream()) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                in.transferTo(all);
                return all.toString(StandardCharsets.US_ASCII);
            } catch (Exception e) {
                return "failed: " + e;
            }
        });
    }

    @Test
    void connectsToTheAddressOfThePlanNotToTheJvmResolutionOfTheName() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            bind(usable(HostPlan.Action.OPPORTUNISTIC_TLS, InetAddress.getLoopbackAddress()));
            CompletableFuture<String> received = received(server);
            try (Socket socket = DaneRoutingSocketFactory.getDefault().createSocket()) {
                socket.connect(new InetSocketAddress(HOST, server.getLocalPort()), 2000);
                socket.getOutputStream().write("MAIL FROM:<a@b.test>\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("MAIL FROM:<a@b.test>\r\n");
        }
    }

    @Test
    void aRefusedHostFailsWithItsReasonBeforeConnecting() throws Exception {
        bind(HostPlan.refuse(HOST, Optional.of(InetAddress.getLoopbackAddress()), DaneHostOutcome.INSECURE,
            "no DANE TLSA records for " + HOST));
        Socket socket = DaneRoutingSocketFactory.getDefault().createSocket();

        assertThatThrownBy(() -> socket.connect(new InetSocketAddress(HOST, 25)))
            .isInstanceOf(DeliveryRefusedException.class).hasMessage("no DANE TLSA records for " + HOST);
        assertThat(socket.isClosed()).isTrue();
        assertThat(DaneFailures.current()).containsExactly(HOST + ": no DANE TLSA records for " + HOST);
    }

    @Test
    void aHostWithoutPlanFailsClosed() {
        Socket socket = DaneRoutingSocketFactory.getDefault().createSocket();

        assertThatThrownBy(() -> socket.connect(new InetSocketAddress(HOST, 25)))
            .isInstanceOf(DeliveryRefusedException.class).hasMessageContaining("no DANE delivery plan");
    }

    @Test
    void anAddressWithoutHostNameIsRefused() {
        assertThatThrownBy(() -> DaneRoutingSocketFactory.getDefault()
            .createSocket(InetAddress.getLoopbackAddress(), 25))
            .isInstanceOf(DeliveryRefusedException.class).hasMessageContaining("needs the MX host name");
    }

    @Test
    void aHostThatRequiresTlsGetsNoMailCommandInPlaintext() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            bind(usable(HostPlan.Action.TLS_UNAUTHENTICATED, InetAddress.getLoopbackAddress()));
            CompletableFuture<String> received = received(server);
            try (Socket socket = DaneRoutingSocketFactory.getDefault().createSocket()) {
                socket.connect(new InetSocketAddress(HOST, server.getLocalPort()), 2000);
                OutputStream out = socket.getOutputStream();
                out.write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThatThrownBy(() -> out.write("MAIL FROM:<a@b.test>\r\n".getBytes(StandardCharsets.US_ASCII)))
                    .isInstanceOf(DeliveryRefusedException.class)
                    .hasMessage("STARTTLS not offered by " + HOST + ", which requires TLS (test facts): refusing to "
                        + "send MAIL in plaintext");
            }
            assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("EHLO client.test\r\n");
        }
    }

    @Test
    void afterStarttlsTheTlsRecordsPassThroughTheSameStream() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            bind(usable(HostPlan.Action.DANE_TLS, InetAddress.getLoopbackAddress()));
            CompletableFuture<String> received = received(server);
            try (Socket socket = DaneRoutingSocketFactory.getDefault().createSocket()) {
                socket.connect(new InetSocketAddress(HOST, server.getLocalPort()), 2000);
                socket.getOutputStream().write("EHLO c\r\nSTARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write("\u0016\u0003\u0001binary".getBytes(StandardCharsets.ISO_8859_1));
            }
            assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("EHLO c\r\nSTARTTLS\r\n\u0016\u0003\u0001binary");
            assertThat(DaneFailures.current()).isEmpty();
        }
    }

    @Test
    void closingAHostThatRequiresTlsAfterEhloWithoutStarttlsRecordsWhy() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            bind(usable(HostPlan.Action.DANE_TLS, InetAddress.getLoopbackAddress()));
            CompletableFuture<String> received = received(server);
            try (Socket socket = DaneRoutingSocketFactory.getDefault().createSocket()) {
                socket.connect(new InetSocketAddress(HOST, server.getLocalPort()), 2000);
                socket.getOutputStream().write("EHLO c\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            received.get(5, TimeUnit.SECONDS);
            assertThat(DaneFailures.current()).containsExactly(HOST + ": STARTTLS not offered by " + HOST
                + ", which requires TLS (test facts)");
        }
    }
}
