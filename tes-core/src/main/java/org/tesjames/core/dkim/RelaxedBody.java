package org.tesjames.core.dkim;

import java.io.IOException;
import java.io.OutputStream;

import org.apache.james.jdkim.canon.RelaxedBodyCanonicalizer;

/**
 * The "relaxed" body canonicalisation of RFC 6376 section 3.4.4, written to a stream.
 *
 * <p>jDKIM 0.3's {@link RelaxedBodyCanonicalizer} does it right except for one case: a body that is empty after
 * canonicalisation (no body, or only empty and whitespace-only lines) comes out as one CRLF, the rule of the
 * "simple" canonicalisation (section 3.4.3). Under "relaxed" it is empty: only a non-empty body gets a final CRLF,
 * and the body hash is the SHA-256 of nothing, as dkimpy and OpenDKIM compute it. This stream holds back a
 * canonical output that is exactly one CRLF and drops it on {@link OutputStream#close()}.
 */
public final class RelaxedBody {
    private RelaxedBody() {
    }

    /** A relaxed body canonicaliser writing to {@code out}; closing it closes {@code out}. */
    public static OutputStream canonicalizer(OutputStream out) {
        return new RelaxedBodyCanonicalizer(new EmptyBodyFix(out));
    }

    /** Passes everything on, except a whole output of exactly CRLF. */
    private static final class EmptyBodyFix extends OutputStream {
        private final OutputStream out;
        private final byte[] held = new byte[2];
        private int heldCount;
        private boolean passing;

        EmptyBodyFix(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (passing) {
                out.write(b);
                return;
            }
            boolean expected = heldCount == 0 ? b == '\r' : heldCount == 1 && b == '\n';
            if (expected) {
                held[heldCount++] = (byte) b;
            } else {
                startPassing();
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int i = off;
            int end = off + len;
            while (!passing && i < end) {
                byte octet = b[i];
                boolean expected = heldCount == 0 ? octet == '\r' : heldCount == 1 && octet == '\n';
                if (expected) {
                    held[heldCount++] = octet;
                    i++;
                    if (heldCount == 2) {
                        afterHeldCrlf(b, i, end);
                        return;
                    }
                } else {
                    startPassing();
                }
            }
            if (i < end) {
                out.write(b, i, end - i);
            }
        }

        /** After a held CRLF: more output means it was not the whole output. */
        private void afterHeldCrlf(byte[] b, int from, int end) throws IOException {
            if (from < end) {
                startPassing();
                out.write(b, from, end - from);
            }
        }

        private void startPassing() throws IOException {
            out.write(held, 0, heldCount);
            heldCount = 0;
            passing = true;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (!passing && heldCount != 2) {
                out.write(held, 0, heldCount);
            }
            out.close();
        }
    }
}
