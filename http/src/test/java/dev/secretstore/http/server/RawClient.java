package dev.secretstore.http.server;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test client that speaks HTTP/1.1 by hand over a plain (or already connected TLS) socket, so tests control every
 * byte and every pause, and see every byte of the answer. Reads are bounded by a socket timeout: a timeout is a
 * test failure bound, never a timing assertion.
 */
final class RawClient implements Closeable {
    /** The failure bound of a read that should be answered. */
    static final Duration READ_BOUND = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout((int) READ_BOUND.toMillis());
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code server} from 127.0.0.1. */
    static RawClient connect(InetSocketAddress server) throws IOException {
        return connectFrom("127.0.0.1", server);
    }

    /** Connects to {@code server} from local address {@code from} (127.0.0.2: the attacker in SEC-34 tests). */
    static RawClient connectFrom(String from, InetSocketAddress server) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(server, (int) READ_BOUND.toMillis());
        return new RawClient(s);
    }

    Socket socket() {
        return socket;
    }

    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** One response; its body read by Content-Length. Throws EOFException when the server closed before a status line. */
    Response read() throws IOException {
        return read(true);
    }

    /** The answer to a HEAD request: status line and headers, no body whatever Content-Length says. */
    Response readHead() throws IOException {
        return read(false);
    }

    private Response read(boolean withBody) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed after " + head.size() + " bytes: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        String[] lines = text.substring(0, text.length() - 4).split("\r\n");
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.add(Map.entry(lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()));
        }
        Response partial = new Response(lines[0], headers, new byte[0], head.toByteArray());
        String length = withBody ? partial.header("Content-Length") : null;
        byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        if (length != null && body.length != Integer.parseInt(length)) throw new EOFException("body cut short: " + body.length);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes(head.toByteArray());
        raw.writeBytes(body);
        return new Response(lines[0], headers, body, raw.toByteArray());
    }

    /**
     * True when the server has closed the connection (EOF or reset) within {@code bound}: every byte still arriving
     * is read and dropped. False when the connection is still open after the bound.
     */
    boolean closedWithin(Duration bound) throws IOException {
        int saved = socket.getSoTimeout();
        long end = System.nanoTime() + bound.toNanos();
        try {
            while (true) {
                long left = Math.max(1, (end - System.nanoTime()) / 1_000_000);
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                try {
                    if (in.read() < 0) return true;
                } catch (SocketTimeoutException e) {
                    return false;
                } catch (SocketException e) {
                    return true; // reset
                }
                if (System.nanoTime() > end) return false;
            }
        } finally {
            if (!socket.isClosed()) socket.setSoTimeout(saved);
        }
    }

    /** True when nothing arrives and the connection stays open for {@code quiet}. */
    boolean silentFor(Duration quiet) throws IOException {
        int saved = socket.getSoTimeout();
        socket.setSoTimeout((int) quiet.toMillis());
        try {
            in.read();
            return false; // a byte or EOF arrived
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(saved);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A response as received: the status line, headers in order, the body, and every byte of it. */
    record Response(String statusLine, List<Map.Entry<String, String>> headers, byte[] body, byte[] raw) {
        int status() {
            return Integer.parseInt(statusLine.split(" ", 3)[1]);
        }

        String header(String name) {
            for (Map.Entry<String, String> e : headers) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
            }
            return null;
        }

        long count(String name) {
            return headers.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).count();
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
