package org.tesjames.mailets.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.james.util.SizeFormat;
import org.tesjames.mailets.JavaMailHeaders;

/**
 * A copy of a message with new header lines put first and some fields of a given name left out, made in one pass
 * over the message's octets: the header is read field by field, the body is copied as it is, and nothing is parsed
 * twice. A James message is read from its own source (the body is never held; a message that is not James's is
 * written out into memory first). The copy is a James {@link MimeMessageWrapper} over its own source, so it can
 * replace the original on the mail without James copying it again ({@code MailImpl.setMessageNoCopy}): up to
 * James's in-memory threshold ({@code james.message.memory.threshold}, 100 KiB by default) an array that every
 * later read by James streams without copying it, beyond it a {@link MimeMessageInputStreamSource} (a temporary
 * file).
 *
 * <p>Fields are read as javax.mail reads them (James stores and reads messages with it): a line ends at LF, CRLF,
 * CR CR LF or a bare CR; a line starting with a space or a tab continues the field before it; the header ends at
 * the first empty line (or at the end of the message). A field's name is the text before its first colon (the
 * whole field when it has none) with the characters up to U+0020 trimmed from both ends, compared ignoring case;
 * names and values are decoded as javax.mail decodes header lines (UTF-8 when {@code mail.mime.allowutf8} is set,
 * else one char per octet). A header that starts with a continuation line loses that line and the continuation
 * lines after it: in the copy they would continue the new lines, and their text would read as theirs. Each kept
 * line is written with its octets as they are and ends with CRLF, as javax.mail writes a header back; the empty
 * line that ends the header and the body follow unchanged.
 */
final class StampedCopy {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final AtomicLong COPIES = new AtomicLong();
    /** Copies of messages up to this size stay in memory: James's own threshold for the messages it receives. */
    static final int IN_MEMORY = Optional.ofNullable(System.getProperty("james.message.memory.threshold"))
        .map(SizeFormat::parseAsByteCount).map(Math::toIntExact).orElse(100 * 1024);

    /**
     * The copy, how many fields it left out as asked, and how many lines that continued no field it left out (a
     * header that starts with a space or a tab: in the copy that line would continue the new lines).
     */
    record Copy(MimeMessageWrapper message, int removed, int orphans) {
    }

    private final InputStream in;
    private final OutputStream out;
    private final String name;
    private final Predicate<String> remove;
    private final byte[] buffer;
    private int position;
    private int limit;
    private byte[] field = new byte[256];
    private int fieldLength;
    private int removed;
    private int orphans;

    private StampedCopy(InputStream in, OutputStream out, String name, Predicate<String> remove) throws IOException {
        // no larger than the message (a message in memory tells how much is left), between 512 octets and 8 KiB
        this.buffer = new byte[Math.min(8192, Math.max(512, in.available()))];
        this.in = in;
        this.out = out;
        this.name = name;
        this.remove = remove;
    }

    /**
     * Copies {@code message} with {@code first} (whole header lines, each ending with CRLF) at the top of its header
     * and without its fields named {@code name} whose value (the text after the colon, folding kept) {@code remove}
     * accepts.
     */
    static Copy of(MimeMessage message, String first, String name, Predicate<String> remove)
            throws MessagingException {
        byte[] top = first.getBytes(JavaMailHeaders.CHARSET);
        String id = "tes-stamped-" + COPIES.incrementAndGet();
        MimeMessageSource target;
        StampedCopy copy;
        try (InputStream in = octets(message)) {
            // a message James holds in memory tells its size; a copy of it stays in memory too
            int size = in.available();
            if (size > 0 && size <= IN_MEMORY - top.length) {
                Octets out = new Octets(size + top.length + 128);
                out.write(top);
                copy = new StampedCopy(in, out, name, remove);
                copy.copy();
                target = out.source(id);
            } else {
                MimeMessageInputStreamSource file = MimeMessageInputStreamSource.create(id);
                try (OutputStream out = file.getWritableOutputStream()) {
                    out.write(top);
                    copy = new StampedCopy(in, out, name, remove);
                    copy.copy();
                } catch (IOException | RuntimeException e) {
                    file.dispose();
                    throw e;
                }
                target = file;
            }
        } catch (IOException | RuntimeException e) {
            throw new MessagingException("TES: cannot copy the message: " + e.getMessage(), e);
        }
        // the received message's session: MimeMessageWrapper(source) would ask Session.getDefaultInstance, a lock
        // that every SMTP event loop and spooler thread shares
        Session session = message.getSession() != null ? message.getSession()
            : Session.getDefaultInstance(System.getProperties());
        return new Copy(new MimeMessageWrapper(session, target), copy.removed, copy.orphans);
    }

    /** The message as octets: James's own stream of a {@link MimeMessageWrapper}, else the message written out. */
    private static InputStream octets(MimeMessage message) throws MessagingException, IOException {
        if (message instanceof MimeMessageWrapper wrapper) {
            return wrapper.getMessageInputStream();
        }
        ByteArrayOutputStream written = new ByteArrayOutputStream(Math.max(message.getSize(), 0) + 1024);
        message.writeTo(written);
        return new ByteArrayInputStream(written.toByteArray());
    }

    /** Copies the header field by field into {@link #field} (a field is open while it holds octets), then the body. */
    private void copy() throws IOException {
        boolean ended = false;
        int start;
        while ((start = readLine()) >= 0) {
            int open = start == 0 ? 0 : start - CRLF.length;
            if (fieldLength == start) {
                fieldLength = open;
                ended = true;
                break;
            }
            if (field[start] == ' ' || field[start] == '\t') {
                continue;
            }
            if (open > 0) {
                emit(open);
                System.arraycopy(field, start, field, 0, fieldLength - start);
                fieldLength -= start;
            }
        }
        if (fieldLength > 0) {
            emit(fieldLength);
        }
        out.write(CRLF);
        if (ended) {
            out.write(buffer, position, limit - position);
            in.transferTo(out);
        }
    }

    /**
     * Reads the next line, without its line end, into {@link #field}: after the open field and a CRLF (so that a
     * continuation line joins it as javax.mail joins it), or at the start when no field is open.
     *
     * @return where the line starts in {@link #field}, -1 at the end of the message
     */
    private int readLine() throws IOException {
        if (!available(1)) {
            return -1;
        }
        if (fieldLength > 0) {
            append(CRLF, 0, CRLF.length);
        }
        int start = fieldLength;
        while (true) {
            int i = position;
            while (i < limit && buffer[i] != '\n' && buffer[i] != '\r') {
                i++;
            }
            append(buffer, position, i - position);
            position = i;
            if (i < limit) {
                position++;
                if (buffer[i] == '\r') {
                    skipRestOfLineEnd();
                }
                return start;
            }
            if (!available(1)) {
                return start;
            }
        }
    }

    /** After a CR: the rest of javax.mail's line end, which is CR LF, CR CR LF, or a CR alone. */
    private void skipRestOfLineEnd() throws IOException {
        if (available(1) && buffer[position] == '\n') {
            position++;
        } else if (available(2) && buffer[position] == '\r' && buffer[position + 1] == '\n') {
            position += 2;
        }
    }

    /** Whether at least {@code count} unread octets are in the buffer, reading (after the unread ones) as needed. */
    private boolean available(int count) throws IOException {
        while (limit - position < count) {
            if (position > 0) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read <= 0) {
                return false;
            }
            limit += read;
        }
        return true;
    }

    private void append(byte[] octets, int from, int length) {
        if (fieldLength + length > field.length) {
            field = Arrays.copyOf(field, Math.max(2 * field.length, fieldLength + length));
        }
        System.arraycopy(octets, from, field, fieldLength, length);
        fieldLength += length;
    }

    /** Writes the field in {@code field[0, end)} with its line end, unless it is to be removed. */
    private void emit(int end) throws IOException {
        if (field[0] == ' ' || field[0] == '\t') {
            orphans++;
            return;
        }
        int colon = JavaMailHeaders.colon(field, end);
        if (JavaMailHeaders.isNamed(field, 0, colon, name)
                && remove.test(decode(colon == end ? 0 : colon + 1, end))) {
            removed++;
            return;
        }
        out.write(field, 0, end);
        out.write(CRLF);
    }

    private String decode(int from, int to) {
        return new String(field, from, to - from, JavaMailHeaders.CHARSET);
    }

    /** The copy's octets in memory; its source hands out streams over the array itself, never a copy of it. */
    private static final class Octets extends ByteArrayOutputStream {
        Octets(int capacity) {
            super(capacity);
        }

        MimeMessageSource source(String id) {
            byte[] written = buf;
            int length = count;
            return new MimeMessageSource() {
                @Override
                public String getSourceId() {
                    return id;
                }

                @Override
                public InputStream getInputStream() {
                    return new OctetStream(written, length);
                }

                @Override
                public long getMessageSize() {
                    return length;
                }
            };
        }
    }

    /**
     * A stream over the copy's array whose reads take no lock. James parses a message's header several times on its
     * way into the queue (the Message-ID, each copy of the mail) through javax.mail's {@code LineInputStream}, which
     * reads one octet per call; {@link ByteArrayInputStream}'s reads are synchronized, so each octet cost a lock and
     * an unlock. A stream is read by one thread (each {@code getInputStream} makes a new one). It stays a
     * {@link ByteArrayInputStream}, which javax.mail reads without wrapping it in a buffer of its own.
     */
    static final class OctetStream extends ByteArrayInputStream {
        OctetStream(byte[] octets, int length) {
            super(octets, 0, length);
        }

        @Override
        public int read() {
            return pos < count ? buf[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, into.length);
            if (pos >= count) {
                return -1;
            }
            int n = Math.min(length, count - pos);
            System.arraycopy(buf, pos, into, offset, n);
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, count - pos));
            pos += (int) k;
            return k;
        }

        @Override
        public int available() {
            return count - pos;
        }
    }
}
