package dev.secretstore.bench.cluster;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 client on one keep-alive connection, used by one load-generator thread.
 * The JDK's {@code HttpClient} would spend its CPU on its own selector and executor threads; here all
 * client work runs on the calling thread, so its thread CPU time is the load generator's cost. Handles
 * {@code Content-Length} and chunked bodies; reconnects once when a reused connection turns out closed
 * before any response byte arrived.
 */
public final class HttpConnection implements Closeable {
    /** A response: status and body (empty when there is none). */
    public record Response(int status, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final InetSocketAddress address;
    private final String host;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean reused;

    public HttpConnection(URI base, int timeoutMillis) {
        String h = base.getHost() == null ? "127.0.0.1" : base.getHost();
        int port = base.getPort() < 0 ? 80 : base.getPort();
        this.address = new InetSocketAddress(h, port);
        this.host = h + ":" + port;
        this.timeoutMillis = timeoutMillis;
    }

    /** Sends {@code method path} with no body and reads the whole response. */
    public Response request(String method, String path) throws IOException {
        boolean retry = reused;
        try {
            return exchange(method, path);
        } catch (StaleConnection e) {
            close();
            if (!retry) throw new IOException("connection closed by the server", e);
            return exchange(method, path);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private Response exchange(String method, String path) throws IOException {
        if (socket == null) connect();
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + ("POST".equals(method) ? "Content-Length: 0\r\n" : "") + "\r\n";
        try {
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new StaleConnection(e);
        }
        String status = readLine(true);
        reused = true;
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + status);
        int code = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = parts[0].equals("HTTP/1.0");
        for (String line = readLine(false); !line.isEmpty(); line = readLine(false)) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            while (true) {
                String size = readLine(false);
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!readLine(false).isEmpty()) { } // trailers
                    break;
                }
                buf.write(readExactly(n));
                readLine(false);
            }
            body = buf.toByteArray();
        } else if (length >= 0) {
            body = readExactly((int) length);
        } else if (code == 204 || code == 304 || (code >= 100 && code < 200)) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
            closeAfter = true;
        }
        if (closeAfter) close();
        return new Response(code, body);
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMillis);
        s.connect(address, timeoutMillis);
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 8192);
        out = s.getOutputStream();
        reused = false;
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new EOFException("body ended after " + b.length + " of " + n + " bytes");
        return b;
    }

    /** One CRLF-terminated line; EOF before the first byte of a status line means the server had closed the connection. */
    private String readLine(boolean statusLine) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (statusLine && sb.length() == 0) throw new StaleConnection(new EOFException("no response"));
                throw new EOFException("connection closed in the middle of a response");
            }
            if (c == '\n') break;
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }

    private static final class StaleConnection extends IOException {
        StaleConnection(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
