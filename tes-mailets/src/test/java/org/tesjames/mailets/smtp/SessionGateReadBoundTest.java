package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.NettyProtocolTransport;
import org.apache.james.protocols.smtp.SMTPConfigurationImpl;
import org.apache.james.protocols.smtp.SMTPSessionImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultEventExecutorGroup;

/**
 * The gate's bound on the octets read from the socket and not yet taken by James's framer, alone: a channel laid out
 * as James lays out an SMTP connection (the framer on an executor of its own in front of the core handler), a real
 * James SMTP session on James's Netty transport, and a framer that takes one read at a time when the test lets it,
 * so that the octets waiting for it are known at every step.
 */
class SessionGateReadBoundTest {
    /** An eighth of the high-water mark; the low-water mark is two of them. */
    private static final int READ = SessionGate.HIGH_WATER_OCTETS / 8;

    private final DefaultEventExecutorGroup framerThread = new DefaultEventExecutorGroup(1);
    private final SteppedFramer framer = new SteppedFramer();
    private final EmbeddedChannel channel = new EmbeddedChannel() {
        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("192.0.2.1", 40000);
        }

        @Override
        public SocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 25);
        }
    };

    @AfterEach
    void tearDown() throws InterruptedException {
        framer.permits.release(1000);
        framerThread.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        channel.finishAndReleaseAll();
    }

    @Test
    void stopsReadingAtTheHighWaterMarkOfUnframedOctetsAndReadsAgainAtTheLowWaterMark() throws Exception {
        assertThat(SessionGate.LOW_WATER_OCTETS).isEqualTo(2 * READ);
        channel.pipeline().addLast(framerThread, HandlerConstants.FRAMER, framer);
        channel.pipeline().addLast(HandlerConstants.CORE_HANDLER, new Sink());
        SMTPSessionImpl session = new SMTPSessionImpl(new NettyProtocolTransport(channel, null, false),
            new SMTPConfigurationImpl());
        assertThat(SessionGate.of(session, new PendingSessions(10, 2, new RecordingMetricFactory()))).isPresent();

        // the framer takes the first read and holds it: that one is no longer waiting for the framer
        read();
        assertThat(framer.entered()).isEqualTo(1);
        // eight more reads wait for the framer: seven are below the high-water mark, the eighth reaches it
        for (int waiting = 1; waiting <= 7; waiting++) {
            read();
            assertThat(channel.config().isAutoRead()).as("%d reads waiting", waiting).isTrue();
        }
        read();
        assertThat(channel.config().isAutoRead()).as("8 reads waiting: the high-water mark").isFalse();

        // the framer takes them one by one; reading stays off until only two (the low-water mark) wait
        for (int taken = 2; taken <= 7; taken++) {
            framer.permits.release();
            assertThat(framer.entered()).isEqualTo(taken);
            channel.runPendingTasks();
            int waiting = 9 - taken;
            assertThat(channel.config().isAutoRead()).as("%d reads waiting", waiting).isEqualTo(waiting <= 2);
        }
        assertThat(framer.passedOn.get()).isEqualTo(6);
    }

    private void read() {
        channel.writeInbound(Unpooled.buffer(READ).writerIndex(READ));
    }

    /**
     * Stands for James's framer: on its own thread, it signals each read it takes, then passes it on when the test
     * gives it a permit. Reads run on that thread one at a time, in order, so the next read is taken (and counted as
     * arrived by the gate) only after the one before was passed on.
     */
    private static final class SteppedFramer extends ChannelInboundHandlerAdapter {
        final Semaphore permits = new Semaphore(0);
        final BlockingQueue<Integer> taken = new LinkedBlockingQueue<>();
        final AtomicInteger passedOn = new AtomicInteger();
        private int count;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            taken.add(++count);
            if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            passedOn.incrementAndGet();
            ctx.fireChannelRead(msg);
        }

        int entered() throws InterruptedException {
            Integer next = taken.poll(10, TimeUnit.SECONDS);
            return next == null ? -1 : next;
        }
    }

    /** Stands for James's core handler: drops what it gets. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
