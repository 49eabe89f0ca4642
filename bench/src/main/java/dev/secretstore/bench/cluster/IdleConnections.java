package dev.secretstore.bench.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --idle-connections}: what a node pays for idle keep-alive HTTP connections. For one count N it opens N
 * connections to the HTTP API, each from a loopback source address {@code 127.0.0.x} ({@code perAddress} per
 * address, so the per-address cap does not refuse them), sends one cheap request ({@code GET /cluster}) on each and
 * reads the whole answer, then leaves them idle; after a settling second it collects the heap twice
 * ({@link System#gc()}) and reads the heap in use, the process's resident set ({@code VmRSS}) and its threads from
 * {@code /proc/self/status}. Then it asks once more on every connection: a connection that still answers was held
 * by the server, one the server had closed (a cap, a limit on idle connections, a deadline) was not. Everything
 * happens well inside the servers' idle timeouts (30 s for the JDK's server, 60 s for the Netty layer's default).
 *
 * <p>The client side is plain {@link Socket}s without buffers or threads in this same process, so its cost is in
 * the figures too, the same for any server. The memory columns are this process's: meaningful for the in-process
 * cluster only.
 */
final class IdleConnections {
    /** Source addresses 127.0.0.1 … 127.0.0.254. */
    static final int MAX_SOURCES = 254;
    private static final int TIMEOUT_MILLIS = 10_000;

    /** The process's memory and threads at one instant (null fields: not measured). */
    record Memory(Long heapUsedBytes, Long rssBytes, Integer osThreads, Integer javaThreads) {
        static final Memory NONE = new Memory(null, null, null, null);
    }

    /**
     * One level: {@code requested} connections attempted, {@code opened} of them answered their first request,
     * {@code held} still answered after the measurement; memory measured with {@code opened} connections idle.
     */
    record Row(int requested, int opened, int held, Memory memory, double seconds, String loadAverage) {}

    private final InetSocketAddress target;
    private final String host;
    private final int perAddress;
    private final boolean spread;

    /**
     * @param perAddress connections per source address; only a loopback target is reached from 127.0.0.x, any
     *     other from the default source address
     */
    IdleConnections(URI base, int perAddress) throws UnknownHostException {
        if (perAddress < 1) throw new IllegalArgumentException("--idle-per-address must be at least 1");
        String h = base.getHost() == null ? "127.0.0.1" : base.getHost();
        int port = base.getPort() < 0 ? 80 : base.getPort();
        InetAddress address = InetAddress.getByName(h);
        this.target = new InetSocketAddress(address, port);
        this.host = h + ":" + port;
        this.perAddress = perAddress;
        this.spread = address.isLoopbackAddress();
    }

    boolean spread() {
        return spread;
    }

    /** The source address of connection {@code index}: 127.0.0.1 for the first {@code perAddress}, then 127.0.0.2, … */
    static InetAddress source(int index, int perAddress) {
        int slot = index / perAddress;
        if (slot >= MAX_SOURCES) {
            throw new IllegalArgumentException("connection " + (index + 1) + " needs source address " + (slot + 1) + " of at most "
                    + MAX_SOURCES + " (127.0.0.1 … 127.0.0.254): raise --idle-per-address");
        }
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (slot + 1)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Opens and closes {@code n} connections once, unmeasured, so that first-use costs land before the baseline. */
    void warmUp(int n) throws IOException {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket s = connect(i);
                if (s != null) open.add(s);
            }
        } finally {
            closeAll(open);
        }
    }

    /** Measures one level of {@code n} idle connections; all are closed again on return. */
    Row measure(int n, boolean measureMemory) throws IOException, InterruptedException {
        long started = System.nanoTime();
        List<Socket> open = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                Socket s = connect(i);
                if (s != null) open.add(s);
            }
            Thread.sleep(1000); // the server finishes its side of the last exchanges
            Memory memory = measureMemory ? memoryAfterGc() : Memory.NONE;
            String load = BenchMain.loadAverage();
            int held = 0;
            for (Socket s : open) {
                try {
                    ask(s, host);
                    held++;
                } catch (IOException e) {
                    // closed by the server while idle: not held
                }
            }
            return new Row(n, open.size(), held, memory, (System.nanoTime() - started) / 1e9, load);
        } finally {
            closeAll(open);
        }
    }

    /** A connection that answered its first request, or null when the server refused or closed it. */
    private Socket connect(int index) throws IOException {
        Socket s = new Socket();
        try {
            if (spread) s.bind(new InetSocketAddress(source(index, perAddress), 0));
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.connect(target, TIMEOUT_MILLIS);
            ask(s, host);
            return s;
        } catch (IOException e) {
            s.close();
            if (e instanceof java.net.BindException) throw e; // the machine, not the server
            return null;
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }

    /**
     * Sends {@code GET /cluster} and reads the whole answer (any status) from the socket's own stream, without a
     * buffer that would stay with the connection. Throws when the connection is closed, the answer has no
     * {@code Content-Length} or it announces {@code Connection: close}: the connection is then not an idle
     * keep-alive one.
     */
    static void ask(Socket s, String host) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET /cluster HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 ")) throw new IOException("bad status line: " + status);
        long length = -1;
        boolean close = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            if (name.equals("content-length")) length = Long.parseLong(value);
            if (name.equals("connection") && value.equalsIgnoreCase("close")) close = true;
        }
        if (length < 0) throw new IOException("answer without Content-Length");
        in.skipNBytes(length); // EOFException when cut short
        if (close) throw new IOException("the server closes the connection");
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed");
            if (c == '\n') return sb.toString();
            if (c != '\r') sb.append((char) c);
            if (sb.length() > 16384) throw new IOException("header line too long");
        }
    }

    /** Heap in use after two full collections, VmRSS and threads of this process. */
    static Memory memoryAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        long heap = memory.getHeapMemoryUsage().getUsed();
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException | RuntimeException e) {
            status = "";
        }
        Long rssKb = statusField(status, "VmRSS");
        Long threads = statusField(status, "Threads");
        return new Memory(heap, rssKb == null ? null : rssKb * 1024, threads == null ? null : threads.intValue(),
                ManagementFactory.getThreadMXBean().getThreadCount());
    }

    /** The number in a {@code /proc/<pid>/status} line ({@code "VmRSS:\t  1234 kB"}: 1234), or null. */
    static Long statusField(String status, String field) {
        for (String l : status.split("\n")) {
            if (l.startsWith(field + ":")) {
                String v = l.substring(field.length() + 1).trim();
                int space = v.indexOf(' ');
                try {
                    return Long.parseLong(space < 0 ? v : v.substring(0, space));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
