package org.tesjames.mailets.smtp;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.NettyProtocolTransport;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;

/**
 * Lets a TES hook wait for a lookup without holding James's SMTP event loop: the session's input is held while the
 * lookup is in progress, and the other connections of the loop are served meanwhile.
 *
 * <p>James 3.8.1 runs every SMTP hook on the connection's Netty event loop and has no asynchronous hook API, so a
 * hook that waits for DNS freezes every connection of its loop. The gate is a Netty handler placed in front of
 * James's core handler of one connection. It holds the input lines of its session, in order, while a piece of work
 * the session depends on is incomplete, stops reading from the socket meanwhile (so a client cannot pile up
 * pipelined input), and passes the held lines on, on the event loop, once the work is done. The hooks themselves
 * stay synchronous: they run when their answer is ready.
 * <ul>
 *   <li>{@link #holdNextLineUntil}: a hook that starts a lookup while it handles a command (the membership at MAIL
 *       FROM) makes the next line (RCPT, or whatever the client sends) wait for it. Its reply to the current
 *       command is written at once.</li>
 *   <li>{@link #onEndOfData}: work started when the line that ends DATA arrives (message authentication); that
 *       line reaches James, and so its message hooks, only when the work is done.</li>
 * </ul>
 * Pipelined commands that arrive meanwhile are answered in order, after the reply that was pending. The work is
 * bounded by {@link PendingSessions}: a lookup at MAIL FROM takes its place before it sends anything
 * ({@link AdmittedDns}); at the end of DATA the gate takes the place to wait, and without one the work goes on
 * without the session and the hook answers {@code 451 4.7.0} at once.
 *
 * <p>It bounds what waits on either side of James's framer, which runs on threads of its own: the socket
 * is not read while more than {@value #HIGH_WATER} framed lines wait for the event loop, or more than
 * {@value #HIGH_WATER_OCTETS} read octets wait for the framer.
 *
 * <p>The gate also gives DATA one reply when a line of the message is longer than James's line limit (8192 octets):
 * James's line framer drops such a line and would answer {@code 500} in the middle of DATA, then accept the rest of
 * the message; the gate keeps that reply back and marks the transaction ({@link #hadLineTooLong}), so the message is
 * refused when DATA ends ({@code SessionFactsHook}).
 *
 * <p>The connection's Netty channel is not exposed by James 3.8.1: it is read from {@code NettyProtocolTransport}'s
 * {@code channel} field, checked when this class loads. A session on another transport has no gate
 * ({@link #of} is empty) and hooks then wait in place, as a plain synchronous hook would.
 */
public final class SessionGate extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(SessionGate.class);
    static final String HANDLER_NAME = "tes-session-gate";
    static final String COUNTER_NAME = "tes-session-gate-counter";
    static final String READS_NAME = "tes-session-gate-reads";
    static final String ARRIVALS_NAME = "tes-session-gate-arrivals";
    /** Lines in flight from the framer to the gate above which the socket is not read, and below which it is again. */
    static final int HIGH_WATER = 256;
    static final int LOW_WATER = 64;
    /** Octets read and not yet taken by the framer above which the socket is not read, and below which it is again. */
    static final int HIGH_WATER_OCTETS = 1 << 20;
    static final int LOW_WATER_OCTETS = 256 << 10;
    private static final AttachmentKey<SessionGate> GATE = AttachmentKey.of("tes.session-gate", SessionGate.class);
    private static final AttachmentKey<Boolean> LINE_TOO_LONG = AttachmentKey.of("tes.data.line-too-long",
        Boolean.class);
    private static final Field TRANSPORT_CHANNEL = transportChannel();

    /** Work that the line ending DATA waits for, started when that line arrives. */
    @FunctionalInterface
    public interface EndOfDataWork {
        /** Starts the work for the current transaction; a completed future when there is nothing to wait for. */
        CompletableFuture<?> start(SMTPSession session);
    }

    private final SMTPSession session;
    private final Channel channel;
    private final PendingSessions pending;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private final Set<EndOfDataWork> endOfData = new LinkedHashSet<>();
    /** Lines framed by James's framer and not yet taken by the gate (the framer runs on its own threads). */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Octets read from the socket and not yet taken by James's framer (queued for the framer's thread). */
    private final AtomicLong unframed = new AtomicLong();
    private ChannelHandlerContext context;
    private volatile CompletableFuture<?> awaited;
    private boolean endOfDataDone;

    private SessionGate(SMTPSession session, Channel channel, PendingSessions pending) {
        this.session = session;
        this.channel = channel;
        this.pending = pending;
    }

    /**
     * The gate of the session, put in place on first use; empty when the session does not run on James's Netty
     * transport. Call it on the session's event loop (from a hook or a connect handler).
     */
    public static Optional<SessionGate> of(SMTPSession session, PendingSessions pending) {
        Optional<SessionGate> known = session.getAttachment(GATE, State.Connection);
        if (known.isPresent()) {
            return known;
        }
        if (!(session instanceof ProtocolSessionImpl impl)
                || !(impl.getProtocolTransport() instanceof NettyProtocolTransport transport)) {
            return Optional.empty();
        }
        Channel channel;
        try {
            channel = (Channel) TRANSPORT_CHANNEL.get(transport);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("TES: cannot reach the Netty channel of the SMTP session", e);
        }
        SessionGate gate = new SessionGate(session, channel, pending);
        channel.pipeline().addBefore(HandlerConstants.CORE_HANDLER, HANDLER_NAME, gate);
        ChannelHandlerContext framer = channel.pipeline().context(HandlerConstants.FRAMER);
        if (framer != null) {
            // added in one event-loop task, like every read: a read passes both counters of the framer's queue or
            // neither
            channel.pipeline().addBefore(framer.executor(), HandlerConstants.FRAMER, ARRIVALS_NAME,
                gate.new Arrivals());
            channel.pipeline().addBefore(ARRIVALS_NAME, READS_NAME, gate.new Reads());
            channel.pipeline().addAfter(framer.executor(), HandlerConstants.FRAMER, COUNTER_NAME, gate.new Counter());
        }
        session.setAttachment(GATE, gate, State.Connection);
        return Optional.of(gate);
    }

    /** Whether a line of the current message was longer than James's limit (and so was dropped by James). */
    public static boolean hadLineTooLong(SMTPSession session) {
        return session.getAttachment(LINE_TOO_LONG, State.Transaction).orElse(false);
    }

    /**
     * Makes the session's next input line wait until {@code work} is done. The caller bounds such work itself: it
     * took the place of {@link PendingSessions} before the work sent anything ({@link AdmittedDns}).
     */
    public void holdNextLineUntil(CompletableFuture<?> work) {
        if (!work.isDone()) {
            hold(work);
        }
    }

    /** Registers work that the line ending each DATA of this session waits for; registering it again is a no-op. */
    public void onEndOfData(EndOfDataWork work) {
        endOfData.add(work);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.context = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (inFlight.decrementAndGet() <= LOW_WATER && awaited == null && !channel.config().isAutoRead()) {
            updateReading();
        }
        if (awaited != null || !held.isEmpty()) {
            held.add(msg);
            return;
        }
        dispatch(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (awaited != null || !held.isEmpty()) {
            held.add(new HeldFailure(cause));
            return;
        }
        dispatch(new HeldFailure(cause));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
        awaited = null;
        super.channelInactive(ctx);
    }

    /** An exception of the pipeline, kept in its place among the held lines. */
    private record HeldFailure(Throwable cause) {
    }

    private void dispatch(Object msg) {
        if (msg instanceof HeldFailure failure) {
            if (failure.cause() instanceof TooLongFrameException && inData()) {
                // James's framer dropped a line of the message: refuse the message at its end, one reply to DATA.
                session.setAttachment(LINE_TOO_LONG, true, State.Transaction);
                LOGGER.info("TES session {}: a line of the message exceeds the line limit; the message will be refused",
                    session.getSessionID());
                return;
            }
            context.fireExceptionCaught(failure.cause());
            return;
        }
        if (!endOfDataDone && msg instanceof ByteBuf line && isEndOfData(line) && inData()) {
            CompletableFuture<?> work = startEndOfData();
            if (!work.isDone() && await(work)) {
                endOfDataDone = true;
                held.addFirst(msg);
                return;
            }
        }
        endOfDataDone = false;
        context.fireChannelRead(msg);
    }

    private CompletableFuture<?> startEndOfData() {
        CompletableFuture<?>[] started = new CompletableFuture<?>[endOfData.size()];
        int i = 0;
        for (EndOfDataWork work : endOfData) {
            started[i++] = start(work);
        }
        return CompletableFuture.allOf(started);
    }

    private CompletableFuture<?> start(EndOfDataWork work) {
        try {
            return work.start(session);
        } catch (RuntimeException e) {
            LOGGER.error("TES session {}: end-of-data work {} failed to start", session.getSessionID(), work, e);
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Holds the session's input until {@code work} is done, if {@link PendingSessions} has a place for it. */
    private boolean await(CompletableFuture<?> work) {
        InetAddress client = session.getRemoteAddress().getAddress();
        if (!pending.tryAcquire(client)) {
            LOGGER.info("TES session {}: too many sessions waiting for TES lookups (client {}); not waiting",
                session.getSessionID(), client.getHostAddress());
            return false;
        }
        hold(work.whenComplete((result, error) -> pending.release(client)));
        return true;
    }

    private void hold(CompletableFuture<?> work) {
        awaited = work;
        updateReading();
        work.whenComplete((result, error) -> channel.eventLoop().execute(() -> resume(work)));
    }

    private void resume(CompletableFuture<?> work) {
        if (awaited != work) {
            return;
        }
        awaited = null;
        while (awaited == null && !held.isEmpty() && channel.isActive()) {
            dispatch(held.poll());
        }
        if (awaited == null && channel.isActive()) {
            updateReading();
        }
    }

    /**
     * Reads the socket only while the session waits for nothing and James's framer is neither behind nor far ahead
     * of the event loop: every read is queued as a task for the framer's thread, and the framer turns it into lines
     * that it hands over to the event loop as tasks, both without a bound of their own, so a fast client on a busy
     * server would otherwise fill the heap (the lines) or the direct memory (the reads) of the server.
     */
    private void updateReading() {
        boolean read = awaited == null && inFlight.get() <= LOW_WATER && unframed.get() <= LOW_WATER_OCTETS;
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    /** Counts the lines the framer passes on, on the framer's thread; has reading stopped past {@link #HIGH_WATER}. */
    private final class Counter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (inFlight.incrementAndGet() == HIGH_WATER) {
                // Reading is switched on and off on the event loop only: Netty applies a switch made from another
                // thread later, on the event loop, where it could undo a newer one.
                channel.eventLoop().execute(SessionGate.this::updateReading);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Counts the octets read from the socket, on the event loop, before they are queued for the framer's thread;
     * stops reading past {@link #HIGH_WATER_OCTETS}.
     */
    private final class Reads extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf octets && unframed.addAndGet(octets.readableBytes()) >= HIGH_WATER_OCTETS
                    && channel.config().isAutoRead()) {
                channel.config().setAutoRead(false);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Counts the octets the framer's thread takes from its queue; has reading switched on again (on the event loop)
     * below {@link #LOW_WATER_OCTETS}.
     */
    private final class Arrivals extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf octets) {
                long size = octets.readableBytes();
                long left = unframed.addAndGet(-size);
                if (left <= LOW_WATER_OCTETS && left + size > LOW_WATER_OCTETS) {
                    channel.eventLoop().execute(SessionGate.this::updateReading);
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** James's own test for the line ending DATA ({@code DataLineJamesMessageHookHandler}). */
    private static boolean isEndOfData(ByteBuf line) {
        return line.readableBytes() == 3 && line.getByte(line.readerIndex()) == '.';
    }

    private boolean inData() {
        return DataPhaseState.phase(session) != null;
    }

    private static Field transportChannel() {
        try {
            Field field = NettyProtocolTransport.class.getDeclaredField("channel");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError("TES needs James 3.8.1's NettyProtocolTransport.channel: " + e);
        }
    }
}
