package dev.secretstore.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SEC-34 deadlines: a connection that does not finish its headers, its body, or its next request in time is closed,
 * however slowly it keeps sending. Deadlines here are short; the bounds asserted are generous failure bounds
 * (a close must come, well before the next deadline could explain it), never timings.
 */
class EdgeServerDeadlineTest {
    private static final Duration SHORT = Duration.ofMillis(1000);
    private static final Duration LONG = Duration.ofSeconds(60);
    /** Well past SHORT, well before LONG: a close in this window is the SHORT deadline's. */
    private static final Duration BOUND = Duration.ofSeconds(8);

    private final TestServers servers = new TestServers();

    @AfterEach
    void close() {
        servers.close();
    }

    private EdgeServer start(Duration header, Duration body, Duration idle) throws Exception {
        return servers.start(TestServers.relaxed().withTimeouts(header, body, idle), TestServers.answering("ok"));
    }

    @Test
    void sec34SilentConnectionIsClosedByTheHeaderDeadline() throws Exception {
        EdgeServer server = start(SHORT, LONG, LONG);
        try (RawClient c = RawClient.connect(server.address())) {
            assertThat(c.closedWithin(BOUND)).isTrue();
        }
        assertThat(TestServers.eventually(BOUND, () -> server.stats().open() == 0)).isTrue();
        assertThat(server.stats().timedOut()).isEqualTo(1);
    }

    @Test
    void sec34RequestLineDrippedByteByByteIsClosedByTheHeaderDeadline() throws Exception {
        EdgeServer server = start(Duration.ofMillis(1000), LONG, LONG);
        byte[] line = "GET /a-long-target-that-takes-a-while-to-send HTTP/1.1\r\nHost: h\r\n".getBytes();
        try (RawClient c = RawClient.connect(server.address())) {
            long start = System.nanoTime();
            int sent = 0;
            boolean refusedWrite = false;
            // one byte every 200 ms: bytes keep coming, yet the header deadline counts from the connect
            while (sent < line.length && System.nanoTime() - start < BOUND.toNanos()) {
                try {
                    c.send(new byte[] {line[sent++]});
                } catch (java.io.IOException e) {
                    refusedWrite = true;
                    break;
                }
                if (c.closedWithin(Duration.ofMillis(200))) break;
            }
            assertThat(sent).as("closed before the request line was complete").isLessThan(line.length);
            assertThat(refusedWrite || c.closedWithin(Duration.ofSeconds(1))).isTrue();
        }
        assertThat(server.stats().timedOut()).isEqualTo(1);
        assertThat(server.stats().requests()).isZero();
    }

    @Test
    void sec34IncompleteBodyIsClosedByTheBodyDeadline() throws Exception {
        EdgeServer server = start(LONG, SHORT, LONG);
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc");
            assertThat(c.closedWithin(BOUND)).isTrue();
        }
        assertThat(server.stats().requests()).isZero();
        assertThat(server.stats().timedOut()).isEqualTo(1);
    }

    @Test
    void sec34IdleKeepAliveConnectionIsClosedByTheIdleDeadline() throws Exception {
        EdgeServer server = start(LONG, LONG, SHORT);
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("ok");
            assertThat(c.closedWithin(BOUND)).isTrue();
        }
        assertThat(server.stats().timedOut()).isEqualTo(1);
    }

    @Test
    void sec34KeepAliveConnectionThatStartsANewRequestGetsTheHeaderDeadline() throws Exception {
        EdgeServer server = start(SHORT, LONG, LONG);
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("ok");
            c.send("GET /next HT");
            assertThat(c.closedWithin(BOUND)).isTrue();
        }
    }

    @Test
    void sec34PartialRequestPipelinedBehindAnAnsweredOneGetsTheHeaderDeadline() throws Exception {
        EdgeServer server = servers.start(TestServers.relaxed().withTimeouts(SHORT, LONG, LONG), r -> CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return HttpResponse.of(200, "text/plain", "ok".getBytes());
        }));
        try (RawClient c = RawClient.connect(server.address())) {
            // the start of a second request arrives while the first is handled: its header deadline applies, not idle
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /next HT");
            assertThat(c.read().bodyText()).isEqualTo("ok");
            assertThat(c.closedWithin(BOUND)).isTrue();
        }
    }

    @Test
    void sec34ActiveKeepAliveConnectionIsNotClosedWhileItKeepsAsking() throws Exception {
        EdgeServer server = start(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (RawClient c = RawClient.connect(server.address())) {
            // longer than every deadline: each request starts them again
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            int answered = 0;
            while (System.nanoTime() < end) {
                c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(c.read().bodyText()).isEqualTo("ok");
                answered++;
                Thread.sleep(100);
            }
            assertThat(answered).isGreaterThan(1);
        }
        assertThat(server.stats().timedOut()).isZero();
    }

    @Test
    void sec34ResponseTheClientDoesNotReadIsAbandonedAfterTheBodyDeadline() throws Exception {
        byte[] big = new byte[32 << 20];
        EdgeServer server = servers.start(TestServers.relaxed().withTimeouts(LONG, SHORT, LONG),
                r -> CompletableFuture.completedFuture(HttpResponse.of(200, "application/octet-stream", big)));
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
            // not reading: the write stalls on full socket buffers until the deadline closes the connection
            assertThat(TestServers.eventually(BOUND, () -> server.stats().timedOut() == 1)).isTrue();
            java.io.InputStream in = c.socket().getInputStream();
            long received = 0;
            try {
                for (int n; (n = in.read(new byte[65536])) > 0; ) received += n;
            } catch (java.net.SocketException e) {
                // reset: the rest was dropped
            }
            assertThat(received).isLessThan(big.length);
        }
        assertThat(TestServers.eventually(BOUND, () -> server.stats().open() == 0)).isTrue();
    }
}
