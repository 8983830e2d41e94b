package org.tesjames.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A port for recording sinks that play MX hosts, each on its own loopback address (127.0.0.x). */
public final class OutboundPorts {
    private OutboundPorts() {
    }

    /** @return a port that is free now on 127.0.0.1 (and, with overwhelming likelihood, on 127.0.0.x) */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
