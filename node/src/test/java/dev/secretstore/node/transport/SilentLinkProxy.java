package dev.secretstore.node.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test fixture: a user-space TCP proxy on 127.0.0.1 that forwards to one target and can cut the link
 * silently, the way a network partition or a frozen host does: after {@link #silence()} no byte moves
 * in either direction of any connection, and no socket is closed, so neither end sees a FIN or RST. A
 * connection accepted while silenced is held open and never forwarded. {@link #heal()} lets new
 * connections through again; the silenced ones stay silent until an end closes them or {@link #close()}.
 */
public final class SilentLinkProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Link> links = new ArrayList<>();
    private final List<Socket> held = new ArrayList<>();
    private final AtomicLong forwardedToTarget = new AtomicLong();
    private final AtomicLong forwardedToClient = new AtomicLong();
    private volatile boolean silenced;
    private volatile boolean closed;

    public SilentLinkProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "silent-link-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** Stops every byte of every connection, existing and new, without closing anything. */
    public synchronized void silence() {
        silenced = true;
        for (Link l : links) l.freeze();
    }

    /** New connections are forwarded again; the silenced ones stay silent. */
    public synchronized void heal() {
        silenced = false;
    }

    /** Bytes forwarded client → target so far. */
    public long forwardedToTarget() {
        return forwardedToTarget.get();
    }

    /** Bytes forwarded target → client so far. */
    public long forwardedToClient() {
        return forwardedToClient.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (this) {
                if (closed) {
                    closeQuietly(client);
                    return;
                }
                if (silenced) {
                    held.add(client);
                    continue;
                }
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                Link link = new Link(client, upstream);
                synchronized (this) {
                    links.add(link);
                    if (silenced) link.freeze();
                }
                link.start();
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    @Override
    public void close() {
        List<Socket> toClose = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Link l : links) {
                l.stop();
                toClose.add(l.client);
                toClose.add(l.upstream);
            }
            toClose.addAll(held);
        }
        closeQuietly(server);
        toClose.forEach(SilentLinkProxy::closeQuietly);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** One proxied connection: two pumps that stop moving bytes, for good, once frozen. */
    private final class Link {
        final Socket client;
        final Socket upstream;
        private boolean frozen;
        private boolean stopped;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() throws IOException {
            pump(client.getInputStream(), upstream.getOutputStream(), forwardedToTarget, "up");
            pump(upstream.getInputStream(), client.getOutputStream(), forwardedToClient, "down");
        }

        synchronized void freeze() {
            frozen = true;
        }

        synchronized void stop() {
            stopped = true;
            notifyAll();
        }

        /** Blocks while frozen; false once the link is stopped. */
        private synchronized boolean mayMove() throws InterruptedException {
            while (frozen && !stopped) wait();
            return !stopped;
        }

        private void pump(InputStream in, OutputStream out, AtomicLong counter, String direction) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 * 1024];
                try {
                    while (mayMove()) {
                        int n = in.read(buf);
                        if (n < 0 || !mayMove()) break; // bytes read while being frozen are never delivered
                        out.write(buf, 0, n);
                        out.flush();
                        counter.addAndGet(n);
                    }
                } catch (IOException | InterruptedException e) {
                    // the link is gone
                }
                synchronized (this) {
                    if (frozen) return; // a silent link reports nothing, not even an end
                }
                closeQuietly(client);
                closeQuietly(upstream);
            }, "silent-link-proxy-" + direction);
            t.setDaemon(true);
            t.start();
        }
    }
}
