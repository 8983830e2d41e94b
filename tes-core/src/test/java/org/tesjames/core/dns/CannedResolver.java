package org.tesjames.core.dns;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/**
 * A dnsjava {@link Resolver} answering each query with records a test writes into the response: for answers
 * the test DNS server never gives (it answers SERVFAIL to a CNAME loop, as recursive resolvers do), such as a
 * NOERROR answer whose CNAME chain loops.
 */
public final class CannedResolver implements Resolver {
    private final Function<Message, Message> answers;

    /** @param fill adds records to a NOERROR response (question copied, QR and RA set) for the query it gets */
    public CannedResolver(BiConsumer<Message, Message> fill) {
        Objects.requireNonNull(fill);
        this.answers = query -> {
            Message response = new Message(query.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setFlag(Flags.RA);
            response.getHeader().setRcode(Rcode.NOERROR);
            response.addRecord(query.getQuestion(), Section.QUESTION);
            fill.accept(query, response);
            return response;
        };
    }

    /** An upstream of a {@link DnsJavaClient} over this resolver. */
    public DnsJavaClient.Upstream upstream() {
        return new DnsJavaClient.Upstream("canned", this);
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        return CompletableFuture.completedFuture(answers.apply(query));
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        return CompletableFuture.supplyAsync(() -> answers.apply(query), executor);
    }

    @Override
    public void setPort(int port) {
    }

    @Override
    public void setTCP(boolean flag) {
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    }

    @Override
    public void setTSIGKey(TSIG key) {
    }

    @Override
    public void setTimeout(Duration timeout) {
    }
}
