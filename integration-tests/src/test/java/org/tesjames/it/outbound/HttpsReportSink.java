package org.tesjames.it.outbound;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import org.tesjames.testing.tls.SslContexts;
import org.tesjames.testing.tls.TestCertificate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/** An HTTPS server on loopback that takes TLS reports (RFC 8460 section 5.4) and records them; answers 201. */
final class HttpsReportSink implements AutoCloseable {
    /** One request. */
    record Post(String request, String contentType, byte[] body) {
    }

    private final HttpsServer server;
    private final List<Post> posts = new CopyOnWriteArrayList<>();

    private HttpsReportSink(HttpsServer server) {
        this.server = server;
    }

    static HttpsReportSink start(String address, int port, TestCertificate certificate) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(address, port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(SslContexts.server(certificate)));
        HttpsReportSink sink = new HttpsReportSink(server);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                sink.posts.add(new Post(exchange.getRequestMethod() + " " + exchange.getRequestURI(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), in.readAllBytes()));
            }
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        server.start();
        return sink;
    }

    List<Post> posts() {
        return List.copyOf(posts);
    }

    /** The reports posted to {@code path}, as JSON. */
    List<JsonNode> posted(String path) throws IOException {
        List<JsonNode> reports = new ArrayList<>();
        for (Post post : posts) {
            if (post.request().equals("POST " + path)) {
                reports.add(json(post.body()));
            }
        }
        return reports;
    }

    /** A gzipped report as JSON. */
    static JsonNode json(byte[] gzip) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
