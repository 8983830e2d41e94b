package org.tesjames.mailets.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MimeMessage;

/**
 * A message made of new header lines and the body of another message, written out as it is asked for: the body is
 * streamed from the original message, never parsed nor held. James copies it when it is set on a mail
 * ({@code Mail.setMessage}), in one pass.
 *
 * <p>It replaces javax.mail's header editing where a header is rewritten as a whole: removing and re-adding
 * fields with {@code removeHeader} costs one scan of the header per field name, quadratic in the header size.
 */
final class RewrittenHeaderMessage extends MimeMessage {
    private static final byte[] CRLF = {'\r', '\n'};
    /** As javax.mail writes header lines: UTF-8 when {@code mail.mime.allowutf8} is set, else one octet a char. */
    private static final Charset HEADER_CHARSET = Boolean.getBoolean("mail.mime.allowutf8")
        ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;

    private final List<String> headerLines;
    private final MimeMessage bodyOf;

    RewrittenHeaderMessage(List<String> headerLines, MimeMessage bodyOf) throws MessagingException {
        super(Session.getDefaultInstance(new Properties()));
        this.headerLines = List.copyOf(headerLines);
        this.bodyOf = bodyOf;
        headers = new InternetHeaders();
        for (String line : this.headerLines) {
            headers.addHeaderLine(line);
        }
    }

    /** The body of the original message, streamed (so the message reads like any other). */
    @Override
    protected InputStream getContentStream() throws MessagingException {
        return bodyOf.getRawInputStream();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, MessagingException {
        for (String line : headerLines) {
            out.write(line.getBytes(HEADER_CHARSET));
            out.write(CRLF);
        }
        out.write(CRLF);
        try (InputStream body = bodyOf.getRawInputStream()) {
            body.transferTo(out);
        }
    }

    @Override
    public void writeTo(OutputStream out, String[] ignoreList) throws IOException, MessagingException {
        if (ignoreList != null && ignoreList.length > 0) {
            throw new MessagingException("a rewritten header is written whole");
        }
        writeTo(out);
    }
}
