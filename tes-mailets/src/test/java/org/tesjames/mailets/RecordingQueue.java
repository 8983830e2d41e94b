package org.tesjames.mailets;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;

/**
 * A {@link MailetContext} over James's {@link FakeMailContext} (which records sent mails with their delay and
 * bounces) that also keeps a copy of every {@link Mail} sent, can make sending fail for given mail names, and
 * can run a hook on each sent mail (to play a spooler that processes it at once).
 */
final class RecordingQueue {
    final FakeMailContext fake = FakeMailContext.defaultContext();
    final List<Mail> sent = new CopyOnWriteArrayList<>();
    final Set<String> failFor = new CopyOnWriteArraySet<>();
    volatile Consumer<Mail> onSend = mail -> { };
    final MailetContext context = (MailetContext) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {MailetContext.class}, (proxy, method, args) -> {
            if (method.getName().equals("sendMail") && args != null && args[0] instanceof Mail mail) {
                if (failFor.contains(mail.getName())) {
                    throw new MessagingException("queue refused " + mail.getName());
                }
                Object result = invoke(method, args);
                Mail copy = mail.duplicate();
                copy.setName(mail.getName());
                copy.setState(mail.getState());
                sent.add(copy);
                onSend.accept(copy);
                return result;
            }
            return invoke(method, args);
        });

    private Object invoke(java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(fake, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
