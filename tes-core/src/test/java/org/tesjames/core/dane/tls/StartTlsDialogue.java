package org.tesjames.core.dane.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.tesjames.testing.smtp.RecordingSmtpSink;

/** The plaintext half of an SMTP STARTTLS dialogue, byte by byte (nothing read past the 220 to STARTTLS). */
final class StartTlsDialogue {
    private static final int TIMEOUT_MILLIS = 5_000;

    private StartTlsDialogue() {
    }

    /**
     * Connects, reads the greeting, sends EHLO and STARTTLS, and returns the socket ready for the TLS handshake.
     */
    static Socket untilStartTls(RecordingSmtpSink sink) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(sink.host(), sink.port()), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        expect(socket, 220);
        command(socket, "EHLO client.test", 250);
        command(socket, "STARTTLS", 220);
        return socket;
    }

    /** Sends a command and checks the reply code; returns the reply text. */
    static String command(Socket socket, String line, int expectedCode) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return expect(socket, expectedCode);
    }

    /** After the handshake: EHLO over TLS and QUIT, so the sink has recorded the session. */
    static void finish(Socket tls) throws IOException {
        command(tls, "EHLO client.test", 250);
        command(tls, "QUIT", 221);
        tls.close();
    }

    private static String expect(Socket socket, int code) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder reply = new StringBuilder();
        while (true) {
            String line = readLine(in);
            reply.append(line).append('\n');
            if (line.length() < 4 || line.charAt(3) != '-') {
                break;
            }
        }
        if (!reply.toString().startsWith(Integer.toString(code))) {
            throw new IOException("expected " + code + ", got: " + reply);
        }
        return reply.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
