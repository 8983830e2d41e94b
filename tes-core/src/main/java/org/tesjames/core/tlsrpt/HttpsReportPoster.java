package org.tesjames.core.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.HostAddress;
import org.tesjames.core.sts.WebPkiTrust;
import org.tesjames.core.sts.WebPkiTrustManager;

/**
 * Submits a report to an {@code https:} destination (RFC 8460 section 5.4): {@code POST} of the gzipped report as
 * {@code application/tlsrpt+gzip}, over JSSE with TLS 1.2 or newer and a fresh {@link SSLContext}, the server's
 * certificate checked like an MTA-STS policy host's (trusted CA, valid dates, the URI's host name; PKIX), the
 * host's address found through the TES DNS client (never the JVM's resolver). The whole submission (lookup,
 * connection, handshake, answer) is bounded by {@code timeout}; only the status line of the answer is read (at
 * most 8192 octets). A 2xx answer is {@link ReportSender.Sent}; 4xx other than 408 and 429 is
 * {@link ReportSender.Permanent}; anything else (5xx, 408, 429, a network or TLS failure, a DNS failure) is
 * {@link ReportSender.Temporary}.
 */
public final class HttpsReportPoster {
    private static final int MAX_STATUS_LINE = 8192;

    private final DnsClient dns;
    private final WebPkiTrust trust;
    private final Duration timeout;
    private final Clock clock;

    /**
     * @param dns the DNS client that finds the server's address
     * @param trust the trusted CAs
     * @param timeout the limit of one whole submission
     * @param clock the clock of certificate dates and of the deadline
     */
    public HttpsReportPoster(DnsClient dns, WebPkiTrust trust, Duration timeout, Clock clock) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.trust = Objects.requireNonNull(trust, "trust");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param destination the URI
     * @param gzip the gzipped report
     * @return the outcome
     */
    public ReportSender.Outcome post(ReportUri.Https destination, byte[] gzip) {
        String host = destination.target().getHost();
        Instant deadline = clock.instant().plus(timeout);
        Optional<InetAddress> address;
        try {
            address = HostAddress.first(dns, host, deadline, clock);
        } catch (IOException e) {
            return new ReportSender.Temporary(host + ": " + e.getMessage());
        }
        if (address.isEmpty()) {
            return new ReportSender.Temporary("no address (A or AAAA) for " + host);
        }
        WebPkiTrustManager trustManager = trust.forHost(host, true, clock);
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address.get(), destination.port()), remaining(deadline));
            SSLSocket tls = trustManager.clientSocket(plain, host, destination.port());
            tls.setSoTimeout(remaining(deadline));
            try {
                tls.startHandshake();
            } catch (IOException e) {
                return new ReportSender.Temporary("TLS with " + host + " failed: " + trustManager.failure()
                    .map(Object::toString).orElse(String.valueOf(e.getMessage())));
            }
            OutputStream out = tls.getOutputStream();
            String authority = destination.port() == 443 ? host : host + ":" + destination.port();
            out.write(("POST " + destination.requestTarget() + " HTTP/1.1\r\nHost: " + authority
                + "\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Length: " + gzip.length
                + "\r\nUser-Agent: TES-TLSRPT\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(gzip);
            out.flush();
            tls.setSoTimeout(remaining(deadline));
            String status = statusLine(tls.getInputStream());
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
                return new ReportSender.Temporary("not an HTTP answer from " + host + ": '" + status + "'");
            }
            int code = Integer.parseInt(parts[1]);
            String detail = "HTTP " + status.substring(parts[0].length()).trim() + " from " + destination.uri();
            if (code >= 200 && code < 300) {
                return new ReportSender.Sent(detail);
            }
            if (code >= 400 && code < 500 && code != 408 && code != 429) {
                return new ReportSender.Permanent(detail);
            }
            return new ReportSender.Temporary(detail);
        } catch (IOException e) {
            return new ReportSender.Temporary("POST to " + destination.uri() + " failed: " + e);
        }
    }

    private int remaining(Instant deadline) throws IOException {
        long millis = Duration.between(clock.instant(), deadline).toMillis();
        if (millis <= 0) {
            throw new IOException("time limit of " + timeout.toMillis() + " ms reached");
        }
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (line.size() >= MAX_STATUS_LINE) {
                throw new IOException("status line longer than " + MAX_STATUS_LINE + " octets");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
