package org.tesjames.testing.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Buffered reader of LF-terminated lines as raw bytes (terminator included), shared by client and sink.
 * Not thread-safe.
 */
final class LineReader {

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int limit;

    LineReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads one line including its terminator ({@code \n} or {@code \r\n}).
     *
     * @param maxLength maximum number of bytes; longer lines are returned in pieces of that size
     * @return the line bytes, a final unterminated fragment at end of stream, or {@code null} at end of stream
     */
    byte[] readLine(int maxLength) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            if (pos == limit) {
                int n = in.read(buffer);
                if (n < 0) {
                    return line.size() == 0 ? null : line.toByteArray();
                }
                pos = 0;
                limit = n;
            }
            while (pos < limit) {
                byte b = buffer[pos++];
                line.write(b);
                if (b == '\n' || line.size() >= maxLength) {
                    return line.toByteArray();
                }
            }
        }
    }

    /**
     * Reads one line and decodes it as UTF-8 without its terminator.
     *
     * @return the line, or {@code null} at end of stream
     */
    String readTextLine(int maxLength) throws IOException {
        byte[] line = readLine(maxLength);
        return line == null ? null : decode(line);
    }

    /** Whether bytes were read from the stream but not yet consumed. */
    boolean hasBufferedBytes() {
        return pos < limit;
    }

    static String decode(byte[] line) {
        int end = line.length;
        if (end > 0 && line[end - 1] == '\n') {
            end--;
            if (end > 0 && line[end - 1] == '\r') {
                end--;
            }
        }
        return new String(line, 0, end, StandardCharsets.UTF_8);
    }
}
