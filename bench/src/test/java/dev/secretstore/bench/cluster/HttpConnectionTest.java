package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load generator's HTTP client against the JDK server the nodes use. */
class HttpConnectionTest {
    private HttpServer server;
    private final AtomicInteger connections = new AtomicInteger();
    private URI base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/len", ex -> {
            byte[] b = ("\"" + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + "\"").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        });
        server.createContext("/chunked", ex -> {
            ex.sendResponseHeaders(404, 0); // length 0: chunked
            try (OutputStream os = ex.getResponseBody()) {
                os.write("part one, ".getBytes(StandardCharsets.US_ASCII));
                os.flush();
                os.write("part two".getBytes(StandardCharsets.US_ASCII));
            }
        });
        server.createContext("/empty", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void keepsOneConnectionAliveAcrossRequests() throws Exception {
        try (HttpConnection c = new HttpConnection(base, 5000)) {
            for (int i = 0; i < 5; i++) {
                HttpConnection.Response r = c.request(i % 2 == 0 ? "GET" : "POST", "/len/" + i);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("\"" + (i % 2 == 0 ? "GET" : "POST") + " /len/" + i + "\"");
            }
            HttpConnection.Response chunked = c.request("GET", "/chunked");
            assertThat(chunked.status()).isEqualTo(404);
            assertThat(chunked.text()).isEqualTo("part one, part two");
            HttpConnection.Response empty = c.request("POST", "/empty");
            assertThat(empty.status()).isEqualTo(200);
            assertThat(empty.body()).isEmpty();
            assertThat(c.request("GET", "/len/again").status()).isEqualTo(200);
        }
    }

    @Test
    void reconnectsWhenTheServerDroppedAnIdleConnection() throws Exception {
        try (HttpConnection c = new HttpConnection(base, 5000)) {
            assertThat(c.request("GET", "/len/1").status()).isEqualTo(200);
            server.stop(0); // closes the kept-alive connection
            int port = base.getPort();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
            server.createContext("/", ex -> {
                connections.incrementAndGet();
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            server.start();
            assertThat(c.request("GET", "/len/2").status()).isEqualTo(204);
            assertThat(connections.get()).isEqualTo(1);
        }
    }
}
