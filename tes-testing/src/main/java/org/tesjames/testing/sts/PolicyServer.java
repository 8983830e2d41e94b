package org.tesjames.testing.sts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import org.tesjames.testing.tls.TestCertificate;

/**
 * An MTA-STS policy host for tests: HTTPS on a loopback address and port with a given certificate, answering
 * {@code GET /.well-known/mta-sts.txt} with the programmed {@link Answer} (a policy, another status, a redirect,
 * another media type, a delay, a chunked body) and counting requests. Other paths get 404.
 *
 * <pre>{@code
 * try (PolicyServer server = PolicyServer.start("127.0.2.1", port, pki.issue("mta-sts.example.test"))) {
 *     server.answer(PolicyServer.Answer.policy("version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\n"));
 * }
 * }</pre>
 */
public final class PolicyServer implements AutoCloseable {
    /** The path of RFC 8461 section 3.3. */
    public static final String PATH = "/.well-known/mta-sts.txt";

    private final HttpsServer server;
    private final ExecutorService executor;
    private final AtomicReference<Answer> answer = new AtomicReference<>(Answer.status(404));
    private final AtomicInteger requests = new AtomicInteger();

    /**
     * What the server answers.
     *
     * @param status the HTTP status
     * @param contentType the Content-Type, or null for none
     * @param body the body
     * @param location the Location header, or null
     * @param delay how long to wait before answering
     * @param chunked whether the body is sent chunked (else with Content-Length)
     */
    public record Answer(int status, String contentType, String body, String location, Duration delay,
                         boolean chunked) {
        /** @return a {@code 200 text/plain} answer with the policy text */
        public static Answer policy(String text) {
            return new Answer(200, "text/plain; charset=utf-8", text, null, Duration.ZERO, false);
        }

        /** @return an answer with that status and no body */
        public static Answer status(int status) {
            return new Answer(status, "text/plain", "", null, Duration.ZERO, false);
        }

        /** @return a redirect to {@code location} */
        public static Answer redirect(int status, String location) {
            return new Answer(status, "text/plain", "", location, Duration.ZERO, false);
        }

        /** @return this answer with another media type */
        public Answer contentType(String type) {
            return new Answer(status, type, body, location, delay, chunked);
        }

        /** @return this answer after a delay */
        public Answer delayed(Duration wait) {
            return new Answer(status, contentType, body, location, wait, chunked);
        }

        /** @return this answer with a chunked body */
        public Answer inChunks() {
            return new Answer(status, contentType, body, location, delay, true);
        }
    }

    private PolicyServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts a server.
     *
     * @param address the loopback address to bind
     * @param port the port (0: any)
     * @param certificate the server certificate, with its chain
     * @return the running server
     * @throws IOException if it cannot bind
     */
    public static PolicyServer start(String address, int port, TestCertificate certificate) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(address, port), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverSslContext()));
        ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "policy-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        PolicyServer policyServer = new PolicyServer(server, executor);
        server.createContext("/", policyServer::handle);
        server.start();
        return policyServer;
    }

    /** @param next the answer to give from now on */
    public void answer(Answer next) {
        answer.set(Objects.requireNonNull(next));
    }

    /** @param text a policy to serve from now on ({@code 200 text/plain}) */
    public void policy(String text) {
        answer(Answer.policy(text));
    }

    /** @return how many requests for the policy path arrived */
    public int requests() {
        return requests.get();
    }

    /** @return the bound port */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            requests.incrementAndGet();
            Answer current = answer.get();
            if (!current.delay().isZero()) {
                try {
                    Thread.sleep(current.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (current.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", current.contentType());
            }
            if (current.location() != null) {
                exchange.getResponseHeaders().set("Location", current.location());
            }
            byte[] body = current.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(current.status(), current.chunked() ? 0 : body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
