package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The idle-connection measurement against a real HTTP server on loopback: connections spread over 127.0.0.x source
 * addresses (so the HTTP API's per-address cap, SEC-34, does not refuse them), counted as held only while the
 * server keeps them open, and the /proc fields it reports.
 */
class IdleConnectionsTest {
    private HttpServer server;
    private final Set<InetAddress> sources = ConcurrentHashMap.newKeySet();

    private URI serve(boolean keepAlive) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", exchange -> {
            sources.add(exchange.getRemoteAddress().getAddress());
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            if (!keepAlive) exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/cluster") ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void sourceAddressesFillOneAfterAnother() throws Exception {
        assertThat(IdleConnections.source(0, 50)).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(IdleConnections.source(49, 50)).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(IdleConnections.source(50, 50)).isEqualTo(InetAddress.getByName("127.0.0.2"));
        assertThat(IdleConnections.source(254 * 50 - 1, 50)).isEqualTo(InetAddress.getByName("127.0.0.254"));
        assertThatThrownBy(() -> IdleConnections.source(254 * 50, 50)).hasMessageContaining("--idle-per-address");
    }

    @Test
    void keepAliveConnectionsAreOpenedFromSeveralSourcesAndHeld() throws Exception {
        IdleConnections idle = new IdleConnections(serve(true), 30);
        assertThat(idle.spread()).isTrue();
        IdleConnections.Row row = idle.measure(70, false);
        assertThat(row.requested()).isEqualTo(70);
        assertThat(row.opened()).isEqualTo(70);
        assertThat(row.held()).isEqualTo(70);
        assertThat(row.memory()).isEqualTo(IdleConnections.Memory.NONE);
        assertThat(sources).containsExactlyInAnyOrder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"),
                InetAddress.getByName("127.0.0.3"));
    }

    @Test
    void connectionsTheServerClosesAreNotCountedAsIdle() throws Exception {
        IdleConnections.Row row = new IdleConnections(serve(false), 50).measure(5, false);
        assertThat(row.opened()).isZero();
        assertThat(row.held()).isZero();
    }

    @Test
    void aRefusingPortOpensNothing() throws Exception {
        URI closed = serve(true);
        server.stop(0);
        server = null;
        assertThat(new IdleConnections(closed, 50).measure(3, false).opened()).isZero();
    }

    @Test
    void memoryComesFromProcSelfStatus() throws Exception {
        String status = "Name:\tjava\nVmRSS:\t  123456 kB\nThreads:\t42\n";
        assertThat(IdleConnections.statusField(status, "VmRSS")).isEqualTo(123456L);
        assertThat(IdleConnections.statusField(status, "Threads")).isEqualTo(42L);
        assertThat(IdleConnections.statusField(status, "VmSwap")).isNull();
        IdleConnections.Memory m = IdleConnections.memoryAfterGc();
        assertThat(m.heapUsedBytes()).isPositive();
        assertThat(m.javaThreads()).isPositive();
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/status"))) {
            assertThat(m.rssBytes()).isGreaterThan(m.heapUsedBytes() / 4);
            assertThat(m.osThreads()).isGreaterThanOrEqualTo(m.javaThreads());
        }
    }

    @Test
    void theTableShowsGrowthPerHeldConnectionOverTheBaseline() {
        IdleConnections.Memory base = new IdleConnections.Memory(100L << 20, 200L << 20, 50, 40);
        IdleConnections.Memory with = new IdleConnections.Memory((100L << 20) + 1000 * 2048, (200L << 20) + 1000 * 10240, 52, 42);
        String table = Report.idle("http://127.0.0.1:1", List.of(new IdleConnections.Row(0, 0, 0, base, 1.2, "0.5 0.4 0.3"),
                new IdleConnections.Row(1000, 1000, 200, with, 3.4, "0.6 0.4 0.3")));
        assertThat(table).contains("| 0 | 0 | 0 | 100.0 |  | 200.0 |  | 50 / 40 | 1.2 | 0.5 0.4 0.3 |",
                "| 1000 | 1000 | 200 | 102.0 | 10.0 | 209.8 | 50.0 | 52 / 42 | 3.4 | 0.6 0.4 0.3 |");
    }
}
