package org.tesjames.core.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The address of a DNS resolver: an IP literal and a port, written {@code 192.0.2.1}, {@code 192.0.2.1:5353},
 * {@code ::1}, or {@code [::1]:5353}. Host names are refused: a resolver cannot be found through DNS.
 */
public record ResolverAddress(InetAddress address, int port) {
    public static final int DNS_PORT = 53;

    private static final Pattern BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::(\\d{1,5}))?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d{1,5}))?");
    private static final Pattern BARE_IPV6 = Pattern.compile("[0-9A-Fa-f]*:[0-9A-Fa-f:.]*");

    public ResolverAddress {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
    }

    /**
     * Parses {@code host} or {@code host:port}.
     *
     * @throws IllegalArgumentException naming the value when it is not an IP literal with an optional port
     */
    public static ResolverAddress parse(String value) {
        String text = value.trim();
        Matcher bracketed = BRACKETED.matcher(text);
        if (bracketed.matches()) {
            return of(value, bracketed.group(1), bracketed.group(2));
        }
        Matcher ipv4 = IPV4.matcher(text);
        if (ipv4.matches()) {
            return of(value, ipv4.group(1), ipv4.group(2));
        }
        if (BARE_IPV6.matcher(text).matches()) {
            return of(value, text, null);
        }
        throw new IllegalArgumentException("'" + value + "' is not a resolver address"
            + " (expected an IP literal with an optional port: 127.0.0.1, 127.0.0.1:5353, [::1]:5353)");
    }

    private static ResolverAddress of(String original, String ip, String port) {
        InetAddress address;
        try {
            // An IP literal never triggers a DNS lookup here; the patterns above only let literals through.
            address = InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + original + "' has an invalid IP address '" + ip + "'", e);
        }
        int parsedPort = port == null ? DNS_PORT : Integer.parseInt(port);
        if (parsedPort < 1 || parsedPort > 65535) {
            throw new IllegalArgumentException("'" + original + "' has port " + parsedPort + " out of range 1-65535");
        }
        return new ResolverAddress(address, parsedPort);
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        String host = address.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
