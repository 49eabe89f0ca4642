package dev.secretstore.cli.faults;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A user-space TCP proxy on 127.0.0.1 in front of one target, with a fault per direction: {@link Direction#UP}
 * carries the bytes of whoever connected to the proxy towards the target, {@link Direction#DOWN} the answers.
 * Put on a member-to-member link, it is invisible to the nodes (the Noise handshake authenticates keys, not
 * addresses) until a fault is set:
 * <ul>
 *   <li>{@link Mode#PASS}: bytes move, after {@link #delay} milliseconds per chunk read if one is set;</li>
 *   <li>{@link Mode#HOLD}: a silent partition: a chunk read in that direction is kept, not forwarded, and
 *       nothing more is read, so the sender's buffers fill; no socket closes (no FIN, no RST) and new
 *       connections are accepted and held the same way. Back to PASS, the held chunk moves on, as TCP's
 *       retransmission would deliver it once a partition heals;</li>
 *   <li>{@link Mode#RESET}: the next chunk in that direction resets the connection: both sockets are closed
 *       with {@code SO_LINGER 0}, so each end gets a RST;</li>
 * </ul>
 * and {@link #resetAll()} resets every open connection at once. An end that closes its side closes the link
 * (unless its direction holds: the FIN is held too).
 */
public final class FaultProxy implements AutoCloseable {
    /** The direction of the bytes: UP from the connecting side to the target, DOWN back. */
    public enum Direction { UP, DOWN }

    public enum Mode { PASS, HOLD, RESET }

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Link> links = new ArrayList<>();
    private final Map<Direction, Mode> modes = new EnumMap<>(Map.of(Direction.UP, Mode.PASS, Direction.DOWN, Mode.PASS));
    private final Map<Direction, Long> delays = new EnumMap<>(Map.of(Direction.UP, 0L, Direction.DOWN, 0L));
    private final Map<Direction, AtomicLong> forwarded = new EnumMap<>(Map.of(Direction.UP, new AtomicLong(), Direction.DOWN, new AtomicLong()));
    private final AtomicLong resets = new AtomicLong();
    private volatile boolean closed;

    public FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Where to connect instead of the target. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    public synchronized void set(Direction direction, Mode mode) {
        modes.put(direction, mode);
        notifyAll();
    }

    /** Both directions. */
    public void set(Mode mode) {
        set(Direction.UP, mode);
        set(Direction.DOWN, mode);
    }

    /** Milliseconds each chunk read in {@code direction} waits before it is forwarded (0: none). */
    public synchronized void delay(Direction direction, long millis) {
        delays.put(direction, millis);
    }

    /** Every fault off: both directions pass, no delay. */
    public synchronized void heal() {
        set(Mode.PASS);
        delay(Direction.UP, 0);
        delay(Direction.DOWN, 0);
    }

    public synchronized Mode mode(Direction direction) {
        return modes.get(direction);
    }

    /** Resets every open connection now (RST to both ends); new ones are accepted as the modes say. */
    public void resetAll() {
        List<Link> open;
        synchronized (this) {
            open = new ArrayList<>(links);
        }
        open.forEach(Link::reset);
    }

    /** Bytes forwarded in {@code direction} so far. */
    public long forwarded(Direction direction) {
        return forwarded.get(direction).get();
    }

    /** Connections this proxy reset so far. */
    public long resets() {
        return resets.get();
    }

    /** Connections open now. */
    public synchronized int open() {
        return links.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                quietly(client);
                quietly(upstream);
                continue; // the target is down: the connecting side sees its connection closed, as without a proxy
            }
            Link link = new Link(client, upstream);
            synchronized (this) {
                if (closed) {
                    link.close();
                    return;
                }
                links.add(link);
            }
            link.start();
        }
    }

    /** Blocks while {@code direction} holds; the mode that let it go (PASS or RESET), or null once closed. */
    private synchronized Mode awaitMoving(Direction direction) throws InterruptedException {
        while (!closed && modes.get(direction) == Mode.HOLD) wait();
        return closed ? null : modes.get(direction);
    }

    private synchronized long delayOf(Direction direction) {
        return delays.get(direction);
    }

    private synchronized void forget(Link link) {
        links.remove(link);
    }

    @Override
    public void close() {
        List<Link> open;
        synchronized (this) {
            closed = true;
            notifyAll();
            open = new ArrayList<>(links);
            links.clear();
        }
        quietly(server);
        open.forEach(Link::close);
    }

    private static void quietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** One proxied connection: a pump per direction. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private boolean ended;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            try {
                pump(Direction.UP, client.getInputStream(), upstream.getOutputStream());
                pump(Direction.DOWN, upstream.getInputStream(), client.getOutputStream());
            } catch (IOException e) {
                close();
            }
        }

        private void pump(Direction direction, InputStream in, OutputStream out) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 * 1024];
                try {
                    while (true) {
                        int n = in.read(buf);
                        Mode mode = awaitMoving(direction); // a held chunk (or end of stream) waits here
                        if (mode == null) break;
                        if (mode == Mode.RESET) {
                            reset();
                            return;
                        }
                        if (n < 0) break;
                        long delay = delayOf(direction);
                        if (delay > 0) Thread.sleep(delay);
                        out.write(buf, 0, n);
                        out.flush();
                        forwarded.get(direction).addAndGet(n);
                    }
                } catch (IOException | InterruptedException e) {
                    // the link is gone
                }
                close();
            }, "fault-proxy-" + server.getLocalPort() + "-" + direction);
            t.setDaemon(true);
            t.start();
        }

        /** RST to both ends: SO_LINGER 0 makes close() discard unsent data and send a reset. */
        void reset() {
            synchronized (this) {
                if (ended) return;
                ended = true;
            }
            resets.incrementAndGet();
            for (Socket s : List.of(client, upstream)) {
                try {
                    s.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // already closed
                }
                quietly(s);
            }
            forget(this);
        }

        void close() {
            synchronized (this) {
                if (ended) return;
                ended = true;
            }
            quietly(client);
            quietly(upstream);
            forget(this);
        }
    }
}
