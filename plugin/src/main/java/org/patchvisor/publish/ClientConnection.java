package org.patchvisor.publish;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/** One accepted client: its channel, and its place in the per-address count, given back exactly once on close. */
final class ClientConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final InetAddress address;
    private final ConnectionsPerAddress counts;
    private final AtomicBoolean closed = new AtomicBoolean();

    ClientConnection(SocketChannel channel, InetAddress address, ConnectionsPerAddress counts) {
        this.channel = channel;
        this.address = address;
        this.counts = counts;
    }

    SocketChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a socket the client may already have reset: nothing left to do
            } finally {
                counts.closed(address);
            }
        }
    }
}
