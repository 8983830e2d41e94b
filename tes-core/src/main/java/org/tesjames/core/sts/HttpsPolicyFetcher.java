package org.tesjames.core.sts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.tesjames.core.dns.DnsClient;
import org.tesjames.core.dns.HostAddress;
import org.tesjames.core.tlsrpt.ResultType;

/**
 * The policy fetch of RFC 8461 section 3.3: {@code GET https://mta-sts.<domain>/.well-known/mta-sts.txt} over
 * JSSE, the policy host's address found through the TES DNS client (the JDK's HTTP client resolves names only
 * through the JVM's resolver), the certificate checked by {@link WebPkiTrustManager} (trusted CA, valid dates,
 * the name {@code mta-sts.<domain>}), TLS 1.2 or newer, one fresh {@link SSLContext} per fetch.
 *
 * <p>Only a {@code 200} answer with media type {@code text/plain} is a policy; redirects are never followed.
 * Limits: the whole fetch (address lookup, connection, handshake, response) within {@code timeout}; the body at
 * most {@code maxBytes} octets, the header section at most 16384. HTTP/1.1 with {@code Connection: close};
 * {@code Content-Length}, chunked and close-delimited bodies are read.
 */
public final class HttpsPolicyFetcher implements StsPolicyFetcher {
    static final String PATH = "/.well-known/mta-sts.txt";
    private static final int MAX_HEADER_BYTES = 16384;

    private final DnsClient dns;
    private final WebPkiTrust trust;
    private final int port;
    private final Duration timeout;
    private final int maxBytes;
    private final Clock clock;

    /**
     * @param dns the DNS client that finds the policy host's address
     * @param trust the trusted CAs
     * @param port the HTTPS port (443; another value only for test rigs)
     * @param timeout the limit of one whole fetch
     * @param maxBytes the largest policy body accepted
     * @param clock the clock of the certificate dates and of the deadline
     */
    public HttpsPolicyFetcher(DnsClient dns, WebPkiTrust trust, int port, Duration timeout, int maxBytes,
                              Clock clock) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.trust = Objects.requireNonNull(trust, "trust");
        this.port = port;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxBytes = maxBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String fetch(String domain) throws StsFetchException {
        String host = "mta-sts." + domain;
        Instant deadline = clock.instant().plus(timeout);
        InetAddress address = address(host, deadline);
        WebPkiTrustManager trustManager = trust.forHost(host, true, clock);
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), remainingMillis(deadline, host));
            SSLSocket tls = trustManager.clientSocket(plain, host, port);
            tls.setSoTimeout(remainingMillis(deadline, host));
            try {
                tls.startHandshake();
            } catch (IOException e) {
                Optional<WebPkiTrustManager.WebPkiFailure> failure = trustManager.failure();
                if (failure.isPresent()) {
                    throw new StsFetchException(ResultType.STS_WEBPKI_INVALID, "policy host " + host + ": "
                        + failure.get(), e);
                }
                throw e;
            }
            OutputStream out = tls.getOutputStream();
            out.write(("GET " + PATH + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/plain\r\n"
                + "User-Agent: TES-MTA-STS\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new Response(tls, deadline, host).read();
        } catch (SocketTimeoutException e) {
            throw fetchError(host, "no complete answer within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw fetchError(host, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    private InetAddress address(String host, Instant deadline) throws StsFetchException {
        try {
            return HostAddress.first(dns, host, deadline, clock)
                .orElseThrow(() -> fetchError(host, "no address (A or AAAA) for the policy host", null));
        } catch (IOException e) {
            throw fetchError(host, e.getMessage(), e);
        }
    }

    private int remainingMillis(Instant deadline, String host) throws SocketTimeoutException {
        long millis = Duration.between(clock.instant(), deadline).toMillis();
        if (millis <= 0) {
            throw new SocketTimeoutException("time limit of the policy fetch from " + host + " reached");
        }
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    private static StsFetchException fetchError(String host, String reason, Throwable cause) {
        return new StsFetchException(ResultType.STS_POLICY_FETCH_ERROR, "policy fetch from https://" + host + PATH
            + ": " + reason, cause);
    }

    /** One HTTP response, read within the deadline and the size limits. */
    private final class Response {
        private final Socket socket;
        private final InputStream in;
        private final Instant deadline;
        private final String host;

        Response(Socket socket, Instant deadline, String host) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
            this.host = host;
        }

        String read() throws IOException, StsFetchException {
            String statusLine = line();
            String[] status = statusLine.split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/1.") || !status[1].matches("\\d{3}")) {
                throw fetchError(host, "not an HTTP response: '" + statusLine + "'", null);
            }
            int code = Integer.parseInt(status[1]);
            Optional<String> location = Optional.empty();
            Optional<String> contentType = Optional.empty();
            long contentLength = -1;
            boolean chunked = false;
            int headerBytes = statusLine.length();
            for (String line = line(); !line.isEmpty(); line = line()) {
                headerBytes += line.length() + 2;
                if (headerBytes > MAX_HEADER_BYTES) {
                    throw fetchError(host, "header section larger than " + MAX_HEADER_BYTES + " octets", null);
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "location" -> location = Optional.of(value);
                    case "content-type" -> contentType = Optional.of(value);
                    case "content-length" -> contentLength = contentLength(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    default -> {
                        // not needed
                    }
                }
            }
            if (code >= 300 && code < 400) {
                throw fetchError(host, "HTTP " + code + " redirect" + location.map(l -> " to " + l).orElse("")
                    + " not followed (RFC 8461 section 3.3)", null);
            }
            if (code != 200) {
                throw fetchError(host, "HTTP status " + code + " (only 200 is a policy)", null);
            }
            String mediaType = contentType.map(t -> t.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse("");
            if (!mediaType.equals("text/plain")) {
                throw fetchError(host, "media type '" + contentType.orElse("") + "' is not text/plain", null);
            }
            if (contentLength > maxBytes) {
                throw tooLarge();
            }
            byte[] body = chunked ? chunkedBody() : body(contentLength);
            return new String(body, StandardCharsets.UTF_8);
        }

        private long contentLength(String value) throws StsFetchException {
            if (!value.matches("\\d{1,18}")) {
                throw fetchError(host, "Content-Length '" + value + "' is not a number", null);
            }
            return Long.parseLong(value);
        }

        private StsFetchException tooLarge() {
            return fetchError(host, "the policy is larger than " + maxBytes + " octets", null);
        }

        private byte[] body(long length) throws IOException, StsFetchException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (length < 0 || body.size() < length) {
                socket.setSoTimeout(remainingMillis(deadline, host));
                int wanted = length < 0 ? buffer.length : (int) Math.min(buffer.length, length - body.size());
                int n = in.read(buffer, 0, wanted);
                if (n < 0) {
                    if (length >= 0) {
                        throw fetchError(host, "connection closed after " + body.size() + " of " + length
                            + " octets", null);
                    }
                    break;
                }
                body.write(buffer, 0, n);
                if (body.size() > maxBytes) {
                    throw tooLarge();
                }
            }
            return body.toByteArray();
        }

        private byte[] chunkedBody() throws IOException, StsFetchException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = line().split(";", 2)[0].trim();
                if (!sizeLine.matches("[0-9A-Fa-f]{1,8}")) {
                    throw fetchError(host, "bad chunk size '" + sizeLine + "'", null);
                }
                long size = Long.parseLong(sizeLine, 16);
                if (size == 0) {
                    return body.toByteArray();
                }
                if (body.size() + size > maxBytes) {
                    throw tooLarge();
                }
                body.write(body(size));
                line();
            }
        }

        /** A line without its CRLF (or LF), at most {@link #MAX_HEADER_BYTES} octets. */
        private String line() throws IOException, StsFetchException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                socket.setSoTimeout(remainingMillis(deadline, host));
                int b = in.read();
                if (b < 0) {
                    throw fetchError(host, "connection closed in the middle of the response", null);
                }
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                if (line.size() >= MAX_HEADER_BYTES) {
                    throw fetchError(host, "a response line longer than " + MAX_HEADER_BYTES + " octets", null);
                }
                line.write(b);
            }
        }
    }
}
