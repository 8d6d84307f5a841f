package org.patchvisor.publish;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Accepts clients and waits for their requests on one thread, without blocking on any of them: a connection is
 * handed on only once its whole request head has arrived, so a client that sends half a request and stops holds
 * no worker, only a socket, and only until its deadline. One address may hold only so many connections; more are
 * closed as they are accepted. (The JDK's HttpServer reads the request on its worker threads, and its
 * {@code sun.net.httpserver.maxReqTime} counts a request that waits for a worker as slow too, so four silent
 * clients there blocked everyone and a deadline closed the good requests queued behind them.)
 */
final class RequestGate implements AutoCloseable {
    private static final long TICK_MILLIS = 100;
    private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close"
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BAD_REQUEST = ("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close"
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    /** A connection whose request is still arriving. */
    private static final class Arriving {
        final ClientConnection connection;
        final long deadline;
        final byte[] head = new byte[RequestHead.MAX_BYTES];
        int length;

        Arriving(ClientConnection connection, long deadline) {
            this.connection = connection;
            this.deadline = deadline;
        }
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final ServeLimits limits;
    private final ConnectionsPerAddress counts;
    private final BiConsumer<ClientConnection, RequestHead> arrived;
    private final Thread thread;
    private volatile boolean open = true;

    private RequestGate(ServerSocketChannel server, Selector selector, ServeLimits limits,
            BiConsumer<ClientConnection, RequestHead> arrived) {
        this.server = server;
        this.selector = selector;
        this.limits = limits;
        this.counts = new ConnectionsPerAddress(limits.connectionsPerAddress(), limits.maxConnections());
        this.arrived = arrived;
        this.thread = new Thread(this::loop, "patchvisor-serve-gate");
        this.thread.setDaemon(true);
    }

    /**
     * Listens on {@code address} and hands each complete request to {@code arrived} (the connection is then
     * blocking, and the receiver closes it).
     */
    static RequestGate open(InetSocketAddress address, ServeLimits limits,
            BiConsumer<ClientConnection, RequestHead> arrived) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector = null;
        try {
            server.bind(address, 64);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        RequestGate gate = new RequestGate(server, selector, limits, arrived);
        gate.thread.start();
        return gate;
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    private void loop() {
        try {
            while (open) {
                try {
                    step();
                } catch (IOException | RuntimeException e) {
                    if (e instanceof ClosedSelectorException || !open) {
                        return;
                    }
                    // One bad connection or a passing shortage (EMFILE, ENOBUFS) must not end the gate while the
                    // port stays bound: clients would queue in the backlog of a server that looks alive.
                    pause();
                }
            }
        } finally {
            closeAll();
        }
    }

    private void step() throws IOException {
        selector.select(TICK_MILLIS);
        List<Arriving> complete = new ArrayList<>();
        try {
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (!key.isValid()) {
                    continue;
                }
                if (key.isAcceptable()) {
                    accept();
                } else if (key.isReadable()) {
                    read(key, complete);
                }
            }
            expire();
        } finally {
            // Even when an accept failed (EMFILE) later in this step: the complete connections' keys are cancelled,
            // so nothing else would ever close them or give back their address's places.
            handOnAll(complete);
        }
    }

    /** Hands on each complete request, or closes its connection; never throws, so none is left behind. */
    private void handOnAll(List<Arriving> complete) {
        if (complete.isEmpty()) {
            return;
        }
        try {
            selector.selectNow(); // deregisters the cancelled keys, so their channels may block again
        } catch (IOException | RuntimeException e) {
            complete.forEach(arriving -> arriving.connection.close());
            return;
        }
        complete.forEach(this::handOn);
    }

    private static void pause() {
        try {
            Thread.sleep(TICK_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            InetAddress address;
            try {
                address = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
            } catch (IOException e) {
                channel.close(); // gone again before it could be counted
                continue;
            }
            if (!counts.tryOpen(address)) {
                channel.close();
                continue;
            }
            ClientConnection connection = new ClientConnection(channel, address, counts);
            try {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ,
                        new Arriving(connection, System.nanoTime() + limits.requestDeadline().toNanos()));
            } catch (IOException e) {
                connection.close();
            } catch (RuntimeException e) {
                connection.close(); // not registered: nothing else would close it (a closed selector ends the gate)
                throw e;
            }
        }
    }

    private void read(SelectionKey key, List<Arriving> complete) {
        Arriving arriving = (Arriving) key.attachment();
        ByteBuffer buffer = ByteBuffer.wrap(arriving.head, arriving.length, arriving.head.length - arriving.length);
        int n;
        try {
            n = arriving.connection.channel().read(buffer);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            key.cancel();
            arriving.connection.close();
            return;
        }
        arriving.length = buffer.position();
        if (RequestHead.end(arriving.head, arriving.length) >= 0) {
            key.cancel();
            complete.add(arriving);
        } else if (arriving.length == arriving.head.length) {
            refuse(key, arriving, BAD_REQUEST);
        }
    }

    /** Closes the connections whose request has not arrived in time, telling them so where the socket lets us. */
    private void expire() {
        long now = System.nanoTime();
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Arriving arriving && now - arriving.deadline >= 0) {
                refuse(key, arriving, TIMEOUT);
            }
        }
    }

    private static void refuse(SelectionKey key, Arriving arriving, byte[] response) {
        key.cancel();
        try {
            arriving.connection.channel().write(ByteBuffer.wrap(response)); // non-blocking: best effort
        } catch (IOException e) {
            // the client is gone already
        }
        arriving.connection.close();
    }

    private void handOn(Arriving arriving) {
        ClientConnection connection = arriving.connection;
        try {
            Optional<RequestHead> head = RequestHead.parse(arriving.head,
                    RequestHead.end(arriving.head, arriving.length));
            connection.channel().configureBlocking(true);
            if (head.isEmpty()) {
                try {
                    connection.channel().write(ByteBuffer.wrap(BAD_REQUEST));
                } catch (IOException e) {
                    // the client is gone already
                }
                connection.close();
                return;
            }
            arrived.accept(connection, head.get());
        } catch (IOException | RuntimeException e) {
            // Not handed on, or the receiver failed with it: closing is idempotent, and the client must not wait
            // on a connection no one serves, holding its address's place.
            connection.close();
        }
    }

    private void closeAll() {
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof Arriving arriving) {
                    arriving.connection.close();
                }
            }
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.close();
        }
    }
}
