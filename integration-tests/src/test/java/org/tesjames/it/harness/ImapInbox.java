package org.tesjames.it.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;

/** Reads a mailbox over IMAP with mandatory STARTTLS, as a user's mail client would (for out-of-process servers). */
public final class ImapInbox {
    private ImapInbox() {
    }

    /**
     * Copies of the messages in the user's INBOX, oldest first. James can count a message that is being delivered
     * before it can be fetched (the FETCH then fails with "Invalid messageset"): the read is then tried again, up
     * to five times.
     */
    public static List<MimeMessage> read(int port, String user, String password) throws MessagingException {
        for (int attempt = 1; ; attempt++) {
            try {
                return readOnce(port, user, password);
            } catch (MessagingException e) {
                if (attempt == 5) {
                    throw e;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static List<MimeMessage> readOnce(int port, String user, String password) throws MessagingException {
        Properties properties = new Properties();
        properties.setProperty("mail.imap.starttls.enable", "true");
        properties.setProperty("mail.imap.starttls.required", "true");
        properties.setProperty("mail.imap.ssl.trust", "*");
        properties.setProperty("mail.imap.connectiontimeout", "10000");
        properties.setProperty("mail.imap.timeout", "10000");
        Store store = Session.getInstance(properties).getStore("imap");
        store.connect("127.0.0.1", port, user, password);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            List<MimeMessage> messages = new ArrayList<>();
            // Asking an empty folder for its messages makes JavaMail send an invalid FETCH range.
            Message[] found = inbox.getMessageCount() == 0 ? new Message[0] : inbox.getMessages();
            for (Message message : found) {
                messages.add(new MimeMessage((MimeMessage) message));
            }
            inbox.close(false);
            return messages;
        } finally {
            store.close();
        }
    }
}
