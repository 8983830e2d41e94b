package org.tesjames.mailets.tlsrpt;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import javax.activation.DataHandler;
import javax.inject.Provider;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.util.ByteArrayDataSource;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.tesjames.core.dkim.sign.DkimSigner;
import org.tesjames.core.dkim.sign.SignedHeaders;
import org.tesjames.core.tlsrpt.ReportSender;
import org.tesjames.core.tlsrpt.ReportUri;
import org.tesjames.core.tlsrpt.TlsReport;

/**
 * Mails a TLS report to a {@code mailto:} destination through James (RFC 8460 section 5.3): a
 * {@code multipart/report; report-type="tlsrpt"} message from the configured sender, with the
 * {@code TLS-Report-Domain} and {@code TLS-Report-Submitter} header fields and the subject the RFC gives, a short
 * text part and the gzipped report as {@code application/tlsrpt+gzip} named per section 5.1; DKIM-signed with the
 * key of the reporting domain (those two fields signed too), then handed to James's spool (state {@code root},
 * marked sent by a mailet, so it is relayed) with the attribute {@link #REPORT_ATTRIBUTE}, which keeps its own
 * delivery out of TLS reporting. No active key for the reporting domain is a temporary failure (the key may come
 * back with the next reload): a report is never sent unsigned.
 */
public final class ReportMails {
    /** Carried by report mails: their delivery is not recorded for TLS reporting (RFC 8460 section 3). */
    public static final AttributeName REPORT_ATTRIBUTE = AttributeName.of("tes.tlsrpt.report");
    /** The header fields signed. */
    public static final SignedHeaders HEADERS;

    static {
        List<String> fields = new ArrayList<>(SignedHeaders.DEFAULT.fields());
        fields.add("TLS-Report-Domain");
        fields.add("TLS-Report-Submitter");
        HEADERS = SignedHeaders.of(fields, Set.of("From", "TLS-Report-Domain", "TLS-Report-Submitter"));
    }

    private final Provider<MailetContext> context;
    private final DkimSigner signer;
    private final String submitter;
    private final String sender;
    private final Clock clock;

    /**
     * @param context James's mailet context, asked for at each send
     * @param signer the DKIM signer (with {@link #HEADERS})
     * @param submitter the reporting domain
     * @param sender the From and envelope sender
     * @param clock the clock of the Date field
     */
    public ReportMails(Provider<MailetContext> context, DkimSigner signer, String submitter, String sender,
                       Clock clock) {
        this.context = Objects.requireNonNull(context, "context");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.submitter = Objects.requireNonNull(submitter, "submitter");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param destination the mailto: destination
     * @param report the report
     * @param gzip its gzipped JSON
     * @return sent (in James's spool), or why not
     */
    public ReportSender.Outcome send(ReportUri.Mailto destination, TlsReport report, byte[] gzip) {
        MimeMessage message;
        try {
            message = message(destination, report, gzip);
        } catch (MessagingException e) {
            return new ReportSender.Permanent("cannot build the report mail to " + destination.address() + ": " + e);
        }
        DkimSigner.Result signed;
        try {
            signed = signer.sign(submitter, message);
            if (signed.signatures().isEmpty()) {
                return new ReportSender.Temporary("no active DKIM key for the reporting domain " + submitter
                    + ": the report is not sent unsigned");
            }
            signed.addTo(message);
        } catch (MessagingException e) {
            return new ReportSender.Temporary("DKIM signing of the report mail failed: " + e);
        }
        try {
            MailImpl mail = MailImpl.builder()
                .name("tlsrpt-" + report.reportId())
                .sender(new MailAddress(sender))
                .addRecipient(new MailAddress(destination.address()))
                .mimeMessage(message)
                .addAttribute(Mail.SENT_BY_MAILET_ATTRIBUTE)
                .addAttribute(new Attribute(REPORT_ATTRIBUTE, AttributeValue.of(report.policyDomain())))
                .build();
            context.get().sendMail(mail);
            return new ReportSender.Sent("mail " + mail.getName() + " message-id " + message.getMessageID()
                + " to " + destination.address() + ", signed d=" + submitter + " s=" + signed.signatures().get(0)
                .selector());
        } catch (MessagingException e) {
            return new ReportSender.Temporary("James did not take the report mail to " + destination.address()
                + ": " + e);
        }
    }

    private MimeMessage message(ReportUri.Mailto destination, TlsReport report, byte[] gzip)
            throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(new InternetAddress(sender));
        message.setRecipient(javax.mail.Message.RecipientType.TO, new InternetAddress(destination.address()));
        message.setSubject("Report Domain: " + report.policyDomain() + " Submitter: " + submitter + " Report-ID: <"
            + report.reportId() + ">", "us-ascii");
        message.setSentDate(Date.from(clock.instant()));
        message.setHeader("TLS-Report-Domain", report.policyDomain());
        message.setHeader("TLS-Report-Submitter", submitter);
        MimeBodyPart text = new MimeBodyPart();
        text.setText("This is an aggregate TLS report from " + submitter + " for " + report.policyDomain()
            + " (RFC 8460).\r\n", "us-ascii");
        text.setHeader("Content-Transfer-Encoding", "7bit");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(gzip, "application/tlsrpt+gzip")));
        attachment.setFileName(report.fileName(submitter));
        attachment.setDisposition(MimeBodyPart.ATTACHMENT);
        attachment.setHeader("Content-Transfer-Encoding", "base64");
        MimeMultipart multipart = new ReportMultipart();
        multipart.addBodyPart(text);
        multipart.addBodyPart(attachment);
        message.setContent(multipart);
        message.saveChanges();
        return message;
    }

    /** {@code multipart/report; report-type="tlsrpt"}. */
    private static final class ReportMultipart extends MimeMultipart {
        ReportMultipart() throws MessagingException {
            super("report");
            ContentType type = new ContentType(contentType);
            type.setParameter("report-type", "tlsrpt");
            contentType = type.toString();
        }
    }
}
