package org.tesjames.testing.dns;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP socket and the TCP server socket, bound to the same loopback port, and their daemon threads:
 * one receiving datagrams, one accepting connections, one per open connection reading its
 * length-prefixed messages. Every message received is handed to a {@link Receiver} with a way to reply.
 */
final class Listeners implements AutoCloseable {

    /** Gets each raw message received and the means to send one reply. */
    interface Receiver {
        void receive(byte[] message, Transport transport, Consumer<byte[]> reply);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private static final int BIND_ATTEMPTS = 20;

    private final DatagramChannel udp;
    private final ServerSocket tcp;
    private final Receiver receiver;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread udpThread;
    private final Thread tcpThread;
    private volatile boolean closed;

    private Listeners(DatagramChannel udp, ServerSocket tcp, Receiver receiver) {
        this.udp = udp;
        this.tcp = tcp;
        this.receiver = receiver;
        int port = tcp.getLocalPort();
        this.udpThread = daemon(this::receiveDatagrams, "test-dns-udp-" + port);
        this.tcpThread = daemon(this::acceptConnections, "test-dns-tcp-" + port);
    }

    /** Binds UDP on an ephemeral loopback port, then TCP on the same port number (retrying if taken). */
    static Listeners bind(InetAddress address, Receiver receiver) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET);
            ServerSocket tcp = null;
            try {
                udp.bind(new InetSocketAddress(address, 0));
                int port = ((InetSocketAddress) udp.getLocalAddress()).getPort();
                tcp = new ServerSocket();
                tcp.bind(new InetSocketAddress(address, port), 128);
                Listeners listeners = new Listeners(udp, tcp, receiver);
                listeners.udpThread.start();
                listeners.tcpThread.start();
                return listeners;
            } catch (IOException e) {
                last = e;
                udp.close();
                if (tcp != null) {
                    tcp.close();
                }
            }
        }
        throw new IOException("Cannot bind UDP and TCP on one port of " + address, last);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) tcp.getLocalSocketAddress();
    }

    private void receiveDatagrams() {
        ByteBuffer buffer = ByteBuffer.allocate(65535);
        while (!closed) {
            try {
                buffer.clear();
                SocketAddress client = udp.receive(buffer);
                buffer.flip();
                byte[] message = new byte[buffer.remaining()];
                buffer.get(message);
                receiver.receive(message, Transport.UDP, reply -> sendDatagram(reply, client));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("UDP receive failed", e);
                }
            }
        }
    }

    private void sendDatagram(byte[] reply, SocketAddress client) {
        try {
            udp.send(ByteBuffer.wrap(reply), client);
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("UDP reply to {} failed: {}", client, e.toString());
            }
        }
    }

    private void acceptConnections() {
        while (!closed) {
            try {
                Socket socket = tcp.accept();
                connections.add(socket);
                daemon(() -> serve(socket), "test-dns-tcp-conn-" + socket.getPort()).start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("TCP accept failed", e);
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException e) {
                    return;
                }
                byte[] message = new byte[length];
                in.readFully(message);
                receiver.receive(message, Transport.TCP, reply -> sendFramed(out, reply));
            }
        } catch (SocketException | EOFException e) {
            // connection closed by either side
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("TCP connection failed: {}", e.toString());
            }
        } finally {
            connections.remove(socket);
        }
    }

    private void sendFramed(OutputStream out, byte[] reply) {
        byte[] framed = new byte[reply.length + 2];
        framed[0] = (byte) (reply.length >>> 8);
        framed[1] = (byte) reply.length;
        System.arraycopy(reply, 0, framed, 2, reply.length);
        try {
            synchronized (out) {
                out.write(framed);
                out.flush();
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("TCP reply failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(udp);
        closeQuietly(tcp);
        for (Socket socket : connections) {
            closeQuietly(socket);
        }
        join(udpThread);
        join(tcpThread);
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void join(Thread thread) {
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
