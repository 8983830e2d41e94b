package org.tesjames.testing.dns;

/** The transport a query reached the {@link TestDnsServer} over. */
public enum Transport {
    /** A datagram on the UDP socket. */
    UDP,
    /** A length-prefixed message on a TCP connection. */
    TCP
}
