package dev.secretstore.bench.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A user-space TCP proxy that holds every byte for a fixed one-way delay before forwarding it: the WAN
 * mode of the cluster bench ({@code --link-delay-ms}). It listens on a free loopback port and forwards
 * each accepted connection to {@code target}; in each direction a reader stamps each chunk it reads with
 * {@code now + delay} and a writer sends it when that time has come, so the link keeps its bandwidth
 * (chunks in flight overlap) and only gains latency, as a long link does.
 *
 * <p>The proxy also counts the cluster transport's wire frames (a 2-byte big-endian length, then a Noise
 * message: docs/transport.md) in both directions, which after the handshake are the cluster messages
 * (plus a keep-alive only on a link idle for 2 s).
 */
public final class DelayProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private volatile long delayNanos;
    private final ServerSocket server;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final LongAdder frames = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private volatile boolean closed;

    /** Starts listening on a free loopback port; every connection to it reaches {@code target} after {@code delay} each way. */
    public DelayProxy(InetSocketAddress target, Duration delay) throws IOException {
        if (delay.isNegative()) throw new IllegalArgumentException("negative delay");
        this.target = target;
        this.delayNanos = delay.toNanos();
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        spawn("delay-proxy-accept-" + port(), this::accept);
    }

    /**
     * Changes the delay for bytes read from now on; bytes already held keep theirs and are still sent in order
     * (a shorter delay waits behind them).
     */
    public void delay(Duration delay) {
        if (delay.isNegative()) throw new IllegalArgumentException("negative delay");
        delayNanos = delay.toNanos();
    }

    /** The address to give a node in place of {@code target}. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Transport frames seen so far, both directions. */
    public long frames() {
        return frames.sum();
    }

    /** Bytes forwarded so far, both directions. */
    public long bytes() {
        return bytes.sum();
    }

    private synchronized void spawn(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private synchronized boolean register(Socket s) {
        if (closed) return false;
        sockets.add(s);
        return true;
    }

    private void accept() {
        while (!closed) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket out = new Socket();
            try {
                if (!register(in) || !register(out)) {
                    closeQuietly(in);
                    closeQuietly(out);
                    return;
                }
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                out.connect(target, 5_000);
            } catch (IOException e) {
                closeQuietly(in);
                closeQuietly(out);
                continue;
            }
            link(in, out, "up");
            link(out, in, "down");
        }
    }

    /** One direction: a reader that stamps chunks, a writer that sends them when due. */
    private void link(Socket from, Socket to, String direction) {
        LinkedBlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
        FrameCounter counter = new FrameCounter();
        String name = "delay-proxy-" + port() + "-" + from.getPort() + "-" + direction;
        spawn(name + "-read", () -> {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    long due = System.nanoTime() + delayNanos;
                    frames.add(counter.feed(buf, 0, n));
                    bytes.add(n);
                    line.add(new Chunk(due, Arrays.copyOf(buf, n)));
                }
            } catch (IOException e) {
                // the connection ended
            }
            line.add(Chunk.END);
        });
        spawn(name + "-write", () -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = line.take();
                    if (c == Chunk.END) break;
                    long wait;
                    while ((wait = c.due - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
                    out.write(c.data);
                    out.flush();
                }
                to.shutdownOutput(); // a half close travels with the same delay
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private record Chunk(long due, byte[] data) {
        static final Chunk END = new Chunk(0, new byte[0]);
    }

    /**
     * Counts frames of a stream of {@code u16be length ‖ body} records fed in arbitrary pieces: the number of
     * length headers completed by each piece.
     */
    static final class FrameCounter {
        private int headerBytes; // 0 or 1 bytes of a header seen
        private int firstByte;
        private long bodyLeft;

        /** Returns how many frames start (their 2-byte header completes) in {@code b[off … off+len)}. */
        int feed(byte[] b, int off, int len) {
            int count = 0;
            int i = off;
            int end = off + len;
            while (i < end) {
                if (bodyLeft > 0) {
                    int skip = (int) Math.min(bodyLeft, end - i);
                    bodyLeft -= skip;
                    i += skip;
                } else if (headerBytes == 0) {
                    firstByte = b[i++] & 0xff;
                    headerBytes = 1;
                } else {
                    bodyLeft = (firstByte << 8) | (b[i++] & 0xff);
                    headerBytes = 0;
                    count++;
                }
            }
            return count;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        List<Socket> open;
        synchronized (this) {
            if (closed) return;
            closed = true;
            open = new ArrayList<>(sockets);
        }
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        open.forEach(DelayProxy::closeQuietly);
        List<Thread> ts;
        synchronized (this) {
            ts = new ArrayList<>(threads);
        }
        for (Thread t : ts) t.interrupt();
    }
}
