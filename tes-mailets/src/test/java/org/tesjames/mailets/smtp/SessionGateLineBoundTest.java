package org.tesjames.mailets.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.NettyProtocolTransport;
import org.apache.james.protocols.smtp.SMTPConfigurationImpl;
import org.apache.james.protocols.smtp.SMTPSessionImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultEventExecutorGroup;

/**
 * The gate's bound on the lines James's framer has cut and the event loop has not yet taken, alone: a connection laid
 * out as James lays out an SMTP connection (a line framer on an executor of its own in front of the core handler), a
 * real James SMTP session on James's Netty transport over a loopback TCP connection, on a real event loop that the test
 * holds while the framer cuts what was read into many lines, so that the lines wait for the event loop as they do on
 * a busy server: reading while they pile up, and reading again when a session that waited for a lookup resumes among
 * them.
 */
class SessionGateLineBoundTest {
    private static final int LINES = 1000;

    private final NioEventLoopGroup loop = new NioEventLoopGroup(1);
    private final DefaultEventExecutorGroup framerThread = new DefaultEventExecutorGroup(1);

    private final AtomicInteger read = new AtomicInteger();
    /** Lines cut by the framer and counted by the gate (so in flight until the event loop takes them). */
    private final AtomicInteger counted = new AtomicInteger();
    /** Whether the socket was read (autoRead) when each line reached James's core handler. */
    private final List<Boolean> readingAtEachLine = Collections.synchronizedList(new ArrayList<>());
    /** Holds the framer's thread until counted down (see {@link #holdFramer}). */
    private volatile CountDownLatch framerHold = new CountDownLatch(0);
    private Channel server;
    private Socket client;
    private Channel connection;
    private SessionGate gate;

    @AfterEach
    void tearDown() throws Exception {
        framerHold.countDown();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close().sync();
        }
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        framerThread.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** Each time the lines in flight reach the high-water mark again, after reading came back, it stops again. */
    @Test
    void stopsReadingPastTheHighWaterMarkOfLinesInFlightAndReadsAgainAtTheLowWaterMarkEachTime() throws Exception {
        connect();

        assertSwitchedAtTheWaterMarks(pileUp(LINES));
        assertSwitchedAtTheWaterMarks(pileUp(LINES));
        assertSwitchedAtTheWaterMarks(pileUp(LINES));
    }

    /**
     * Sends {@code count} short lines that all wait for the event loop: the framer waits until the event loop has read
     * them all and is held, and the event loop is held until the framer has cut them all.
     *
     * @return whether the socket was read when each of them reached James's core handler
     */
    private List<Boolean> pileUp(int count) throws Exception {
        int before = readingAtEachLine.size();
        CountDownLatch framer = holdFramer();
        CountDownLatch hold = new CountDownLatch(1);
        send(count);
        connection.eventLoop().execute(() -> awaitQuietly(hold));
        framer.countDown();
        awaitUntil(() -> counted.get() == before + count);
        hold.countDown();
        awaitUntil(() -> readingAtEachLine.size() == before + count);
        return List.copyOf(readingAtEachLine.subList(before, before + count));
    }

    /**
     * The switch is made on the event loop when the 256th line is counted, so it comes in line after the 255th; it
     * stays off until no more than 64 lines wait, that is from the 936th line of 1000 on.
     */
    private static void assertSwitchedAtTheWaterMarks(List<Boolean> reading) {
        assertThat(reading).hasSize(LINES);
        int highWater = SessionGate.HIGH_WATER;
        int lowWater = SessionGate.LOW_WATER;
        assertThat(reading.subList(0, highWater - 1)).containsOnly(true);
        assertThat(reading.subList(highWater - 1, LINES - lowWater - 1)).containsOnly(false);
        assertThat(reading.subList(LINES - lowWater - 1, LINES)).containsOnly(true);
    }

    /**
     * A session that waited for a lookup resumes while more lines than the low-water mark (fewer than the high-water
     * one) are still on their way from the framer: reading stays off until no more than the low-water mark wait.
     */
    @Test
    void aSessionThatResumesWithManyLinesInFlightReadsOnlyAtTheLowWaterMark() throws Exception {
        int inFlight = 100;
        connect();
        CountDownLatch framer = holdFramer();
        send(inFlight);
        CompletableFuture<Void> lookup = new CompletableFuture<>();
        assertThat(connection.eventLoop().submit(() -> {
            gate.holdNextLineUntil(lookup);
            return !connection.config().isAutoRead();
        }).get(10, TimeUnit.SECONDS)).as("waits, not reading").isTrue();

        // the event loop is held while the lookup ends (its resumption is queued first) and the framer then cuts the
        // lines (queued after it): the session resumes with every line still in flight
        CountDownLatch hold = new CountDownLatch(1);
        connection.eventLoop().execute(() -> awaitQuietly(hold));
        lookup.complete(null);
        framer.countDown();
        awaitUntil(() -> counted.get() == inFlight);
        hold.countDown();
        awaitUntil(() -> readingAtEachLine.size() == inFlight);

        // line k leaves 100 - k in flight: reading comes back with the 36th (64 left)
        int back = inFlight - SessionGate.LOW_WATER;
        assertThat(readingAtEachLine.subList(0, back - 1)).containsOnly(false);
        assertThat(readingAtEachLine.subList(back - 1, inFlight)).containsOnly(true);
    }

    /** A loopback connection laid out as James lays out an SMTP connection, with a real James session and its gate. */
    private void connect() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            read.addAndGet(((ByteBuf) msg).readableBytes());
                            ctx.fireChannelRead(msg);
                        }
                    });
                    channel.pipeline().addLast(framerThread, HandlerConstants.FRAMER, new LineBasedFrameDecoder(100));
                    channel.pipeline().addLast(HandlerConstants.CORE_HANDLER, new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            readingAtEachLine.add(ctx.channel().config().isAutoRead());
                            ReferenceCountUtil.release(msg);
                        }
                    });
                    accepted.complete(channel);
                }
            }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        client = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort());
        connection = accepted.get(10, TimeUnit.SECONDS);
        SMTPSessionImpl session = new SMTPSessionImpl(new NettyProtocolTransport(connection, null, false),
            new SMTPConfigurationImpl());
        PendingSessions pending = new PendingSessions(10, 2, new RecordingMetricFactory());
        gate = connection.eventLoop().submit(() -> SessionGate.of(session, pending).orElseThrow())
            .get(10, TimeUnit.SECONDS);
        // the lines the gate's counter has counted, on the framer's thread, before they are handed to the event loop
        connection.pipeline().addAfter(connection.pipeline().context(HandlerConstants.FRAMER).executor(),
            SessionGate.COUNTER_NAME, "counted", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    counted.incrementAndGet();
                    ctx.fireChannelRead(msg);
                }
            });
    }

    /** Holds the framer's thread (so that what the event loop reads waits for it) until the latch is counted down. */
    private CountDownLatch holdFramer() {
        CountDownLatch latch = new CountDownLatch(1);
        framerHold = latch;
        framerThread.next().execute(() -> awaitQuietly(latch));
        return latch;
    }

    /** Sends {@code count} short lines and waits until the event loop has read them all (queued for the framer). */
    private void send(int count) throws Exception {
        byte[] lines = "x\r\n".repeat(count).getBytes(StandardCharsets.US_ASCII);
        int before = read.get();
        OutputStream out = client.getOutputStream();
        out.write(lines);
        out.flush();
        awaitUntil(() -> read.get() == before + lines.length);
    }

    private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
