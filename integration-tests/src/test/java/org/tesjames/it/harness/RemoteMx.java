package org.tesjames.it.harness;

import java.io.IOException;

import org.tesjames.testing.dns.TestDnsServer;
import org.tesjames.testing.smtp.RecordingSmtpSink;

/**
 * Remote MXs for relay tests: recording SMTP sinks on loopback addresses other than 127.0.0.1, all on the one
 * port the harness James relays to (chosen before James starts with {@link OutboundPorts#free()} and set with
 * {@link JamesConf#outboundPort}), each named by an MX record in the test DNS server.
 */
public final class RemoteMx {
    private RemoteMx() {
    }

    /**
     * Publishes {@code <domain> MX 10 mx.<domain>} and {@code mx.<domain> A <address>}, and starts a sink named
     * {@code mx.<domain>} there, announcing 8BITMIME or not.
     */
    public static RecordingSmtpSink start(TestDnsServer dns, String domain, String address, int port,
            boolean eightBitMime) throws IOException {
        dns.zone(domain).mx("@", 10, "mx." + domain + ".").a("mx", address);
        return RecordingSmtpSink.builder().bindAddress(address).port(port).hostname("mx." + domain)
            .eightBitMime(eightBitMime).start();
    }
}
