package org.tesjames.it.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The NSD harness itself: a port taken between the probe and NSD's bind, and what a failed start reports. */
@Tag("interop")
class NsdServerTest {
    private static final Map<String, String> ZONES =
        Map.of("probe.test", NsdServer.zone("probe.test", "www IN A 192.0.2.7"));

    @Test
    void aDnsPortIsFreeForUdpAndTcp() throws Exception {
        int port = NsdServer.freeDnsPort();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (DatagramSocket udp = new DatagramSocket(address); ServerSocket tcp = new ServerSocket()) {
            tcp.bind(address);
            assertThat(udp.getLocalPort()).isEqualTo(tcp.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void startsAgainOnAnotherPortWhenItsPortIsTakenForTcp() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int free = NsdServer.freeDnsPort();
            Deque<Integer> ports = new ArrayDeque<>(List.of(taken.getLocalPort(), free));
            try (NsdServer nsd = NsdServer.start(ZONES, ports::pop)) {
                assertThat(nsd.port()).isEqualTo(free);
                assertThat(ports).isEmpty();
                SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    nsd.port()));
                resolver.setTimeout(Duration.ofSeconds(2));
                Message answer = resolver.send(Message.newQuery(
                    Record.newRecord(Name.fromString("www.probe.test."), Type.A, DClass.IN)));
                assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
                assertThat(answer.getSection(Section.ANSWER)).singleElement()
                    .satisfies(a -> assertThat(((ARecord) a).getAddress().getHostAddress()).isEqualTo("192.0.2.7"));
            }
        }
    }

    @Test
    void givesUpAfterItsAttemptsWithNsdsOwnWords() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> NsdServer.start(ZONES, () -> port))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("attempt " + NsdServer.BIND_ATTEMPTS)
                .hasMessageContaining("exited with status")
                .hasMessageContaining("port " + port)
                .hasMessageContaining(NsdServer.PORT_IN_USE);
        }
    }
}
