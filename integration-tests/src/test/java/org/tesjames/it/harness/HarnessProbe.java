package org.tesjames.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import javax.inject.Inject;
import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.imapserver.netty.IMAPServerFactory;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageManager.FlagsUpdateMode;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.protocols.lib.netty.AbstractConfigurableAsyncServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;
import org.apache.james.utils.GuiceProbe;

/** Reads what the tests need from inside the James server: bound ports and delivered messages. */
public class HarnessProbe implements GuiceProbe {
    private final SMTPServerFactory smtpServers;
    private final IMAPServerFactory imapServers;
    private final MailboxManager mailboxManager;

    @Inject
    public HarnessProbe(SMTPServerFactory smtpServers, IMAPServerFactory imapServers, MailboxManager mailboxManager) {
        this.smtpServers = smtpServers;
        this.imapServers = imapServers;
        this.mailboxManager = mailboxManager;
    }

    /** The bound port of each SMTP listener, in configuration order. */
    public List<Integer> smtpPorts() {
        return smtpServers.getServers().stream().map(HarnessProbe::port).toList();
    }

    public int imapPort() {
        return imapServers.getServers().stream().map(HarnessProbe::port).findFirst()
            .orElseThrow(() -> new IllegalStateException("no IMAP listener"));
    }

    private static int port(AbstractConfigurableAsyncServer server) {
        return server.getListenAddresses().stream().findFirst().map(InetSocketAddress::getPort)
            .orElseThrow(() -> new IllegalStateException("listener not bound"));
    }

    /** The raw messages in the user's INBOX, oldest first; empty when the INBOX does not exist yet. */
    public List<byte[]> inbox(String user) throws MailboxException, IOException {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        MessageManager inbox;
        try {
            inbox = mailboxManager.getMailbox(MailboxPath.inbox(session), session);
        } catch (MailboxNotFoundException e) {
            return List.of();
        }
        List<byte[]> messages = new ArrayList<>();
        Iterator<MessageResult> results = inbox.getMessages(MessageRange.all(), FetchGroup.FULL_CONTENT, session);
        while (results.hasNext()) {
            try (InputStream content = results.next().getFullContent().getInputStream()) {
                messages.add(content.readAllBytes());
            }
        }
        mailboxManager.endProcessingRequest(session);
        return messages;
    }

    /** How many messages the user's INBOX holds, without reading them; 0 when the INBOX does not exist yet. */
    public long inboxSize(String user) throws MailboxException {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        try {
            return mailboxManager.getMailbox(MailboxPath.inbox(session), session).getMessageCount(session);
        } catch (MailboxNotFoundException e) {
            return 0;
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    /** Deletes every message in the user's INBOX (flagged deleted, then expunged), if there is an INBOX. */
    public void clearInbox(String user) throws MailboxException {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        try {
            MessageManager inbox = mailboxManager.getMailbox(MailboxPath.inbox(session), session);
            inbox.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD, MessageRange.all(), session);
            inbox.expunge(MessageRange.all(), session);
        } catch (MailboxNotFoundException e) {
            // nothing delivered yet
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }
}
