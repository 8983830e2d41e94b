package org.tesjames.mailets.tlsrpt;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;

/**
 * Tells the delivery code whether the mail being delivered on this thread is a TLS report, so that its own
 * sessions are not recorded for TLS reporting (RFC 8460 section 3: no report about the delivery of reports).
 * RemoteDelivery shows the delivery code nothing of the mail; but it takes each mail from its queue on the
 * delivery thread right before delivering it: the queues of {@link #wrap(MailQueueFactory)} mark the thread there,
 * from the mail's {@link ReportMails#REPORT_ATTRIBUTE}.
 */
public final class ReportDeliveries {
    private static final ThreadLocal<Boolean> REPORT = ThreadLocal.withInitial(() -> false);

    private ReportDeliveries() {
    }

    /** @return whether the mail last taken from a wrapped queue on this thread is a TLS report */
    public static boolean deliveringReport() {
        return REPORT.get();
    }

    /**
     * @param factory James's queue factory
     * @return the same queues, whose items mark the thread when their mail is read
     */
    public static MailQueueFactory<MailQueue> wrap(MailQueueFactory<?> factory) {
        return new MailQueueFactory<>() {
            @Override
            public Optional<MailQueue> getQueue(MailQueueName name, PrefetchCount count) {
                return factory.getQueue(name, count).map(Queue::new);
            }

            @Override
            public MailQueue createQueue(MailQueueName name, PrefetchCount count) {
                return new Queue(factory.createQueue(name, count));
            }

            @Override
            public Set<MailQueueName> listCreatedMailQueues() {
                return factory.listCreatedMailQueues();
            }
        };
    }

    private record Queue(MailQueue queue) implements MailQueue {
        @Override
        public MailQueueName getName() {
            return queue.getName();
        }

        @Override
        public void enQueue(Mail mail, Duration delay) throws MailQueueException {
            queue.enQueue(mail, delay);
        }

        @Override
        public void enQueue(Mail mail) throws MailQueueException {
            queue.enQueue(mail);
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return queue.enqueueReactive(mail);
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            return Flux.from(queue.deQueue()).map(Item::new);
        }

        @Override
        public void close() throws java.io.IOException {
            queue.close();
        }
    }

    private record Item(MailQueue.MailQueueItem item) implements MailQueue.MailQueueItem {
        @Override
        public Mail getMail() {
            Mail mail = item.getMail();
            REPORT.set(mail.getAttribute(ReportMails.REPORT_ATTRIBUTE).isPresent());
            return mail;
        }

        @Override
        public void done(CompletionStatus status) throws MailQueue.MailQueueException {
            item.done(status);
        }
    }
}
