package dev.secretstore.http.server;

import static dev.secretstore.http.server.TestServers.eventually;
import static dev.secretstore.http.server.TestServers.relaxed;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SEC-34 limits: sizes refused with the documented status, connection caps, the bounded handler pool. */
class EdgeServerLimitsTest {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private final TestServers servers = new TestServers();
    private final List<RawClient> clients = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (RawClient c : clients) c.close();
        servers.close();
    }

    private RawClient client(EdgeServer server, String from) throws Exception {
        RawClient c = RawClient.connectFrom(from, server.address());
        clients.add(c);
        return c;
    }

    private void assertRefusedAndClosed(RawClient c, int status) throws Exception {
        RawClient.Response r = c.read();
        assertThat(r.statusLine()).startsWith("HTTP/1.1 " + status + " ");
        assertThat(r.header("Content-Length")).isEqualTo("0");
        assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
        assertThat(c.closedWithin(BOUND)).isTrue();
    }

    @Test
    void sec34RequestLineOverTheLimitIs414() throws Exception {
        EdgeServer server = servers.start(relaxed(), TestServers.answering("ok"));
        RawClient c = client(server, "127.0.0.1");
        c.send("GET /" + "a".repeat(ServerLimits.MAX_REQUEST_LINE) + " HTTP/1.1\r\nHost: h\r\n\r\n");
        assertRefusedAndClosed(c, 414);
        assertThat(server.stats().requests()).isZero();
    }

    @Test
    void sec34RequestLineJustUnderTheLimitIsServed() throws Exception {
        EdgeServer server = servers.start(relaxed(), TestServers.answering("ok"));
        RawClient c = client(server, "127.0.0.1");
        String target = "/" + "a".repeat(ServerLimits.MAX_REQUEST_LINE - "GET / HTTP/1.1".length());
        c.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(c.read().bodyText()).isEqualTo("ok");
    }

    @Test
    void sec34HeadersOverTheLimitAre431() throws Exception {
        EdgeServer server = servers.start(relaxed().withSizes(2048, 1024), TestServers.answering("ok"));
        RawClient c = client(server, "127.0.0.1");
        c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(1200) + "\r\nX-Big2: " + "b".repeat(1200) + "\r\n\r\n");
        assertRefusedAndClosed(c, 431);
        assertThat(server.stats().requests()).isZero();
    }

    @Test
    void sec34DeclaredBodyOverTheLimitIs413BeforeAnyBodyIsSent() throws Exception {
        EdgeServer server = servers.start(relaxed().withSizes(2048, 1024), TestServers.answering("ok"));
        RawClient c = client(server, "127.0.0.1");
        // the body is never sent: the answer must not wait for it
        c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1025\r\n\r\n");
        assertRefusedAndClosed(c, 413);
        assertThat(server.stats().requests()).isZero();
    }

    @Test
    void sec34DeclaredBodyOverTheLimitIs413WhileTheClientIsSendingIt() throws Exception {
        EdgeServer server = servers.start(relaxed().withSizes(2048, 1024), TestServers.answering("ok"));
        RawClient c = client(server, "127.0.0.1");
        c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4000\r\n\r\n" + "x".repeat(4000));
        assertRefusedAndClosed(c, 413);
    }

    @Test
    void sec34BodyAtTheLimitIsServed() throws Exception {
        EdgeServer server = servers.start(relaxed().withSizes(2048, 1024), r -> CompletableFuture.completedFuture(
                HttpResponse.of(200, "text/plain", String.valueOf(r.body().length).getBytes())));
        RawClient c = client(server, "127.0.0.1");
        c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" + "x".repeat(1024));
        assertThat(c.read().bodyText()).isEqualTo("1024");
        c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + "y".repeat(1024) + "\r\n0\r\n\r\n");
        assertThat(c.read().bodyText()).isEqualTo("1024");
    }

    @Test
    void sec34ChunkedBodyOverTheLimitIs413() throws Exception {
        EdgeServer server = servers.start(relaxed().withSizes(2048, 1024), TestServers.answering("ok"));
        RawClient c = client(server, "127.0.0.1");
        c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
        c.send("200\r\n" + "x".repeat(512) + "\r\n");
        c.send("200\r\n" + "x".repeat(512) + "\r\n");
        c.send("1\r\nx\r\n");
        assertRefusedAndClosed(c, 413);
        assertThat(server.stats().requests()).isZero();
    }

    @Test
    void sec34GarbageIs400AndClosed() throws Exception {
        EdgeServer server = servers.start(relaxed(), TestServers.answering("ok"));
        RawClient c = client(server, "127.0.0.1");
        c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n");
        assertRefusedAndClosed(c, 400);
    }

    @Test
    void sec34PerSourceCapClosesTheAttackersExtraConnectionsAndServesOthers() throws Exception {
        EdgeServer server = servers.start(relaxed().withConnections(100, 3), TestServers.answering("ok"));
        List<RawClient> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) held.add(client(server, "127.0.0.2"));
        assertThat(eventually(BOUND, () -> server.stats().open() == 3)).isTrue();
        RawClient extra = client(server, "127.0.0.2");
        assertThat(extra.closedWithin(BOUND)).as("over the per-source cap: closed at once").isTrue();
        assertThat(server.stats().refusedPerSource()).isEqualTo(1);
        RawClient honest = client(server, "127.0.0.1");
        honest.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(honest.read().bodyText()).isEqualTo("ok");
        // the attacker's held connections still work: the cap refuses, it does not punish
        held.get(0).send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(held.get(0).read().bodyText()).isEqualTo("ok");
        for (RawClient c : held) c.close();
        assertThat(eventually(BOUND, () -> server.stats().open() == 1)).as("slots given back on close").isTrue();
        RawClient again = client(server, "127.0.0.2");
        again.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(again.read().bodyText()).isEqualTo("ok");
        assertThat(server.stats().accepted()).isEqualTo(5);
    }

    @Test
    void sec34TotalCapClosesConnectionsOverIt() throws Exception {
        EdgeServer server = servers.start(relaxed().withConnections(2, 2), TestServers.answering("ok"));
        RawClient a = client(server, "127.0.0.1");
        RawClient b = client(server, "127.0.0.2");
        assertThat(eventually(BOUND, () -> server.stats().open() == 2)).isTrue();
        RawClient c = client(server, "127.0.0.3");
        assertThat(c.closedWithin(BOUND)).isTrue();
        assertThat(server.stats().refusedTotal()).isEqualTo(1);
        a.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(a.read().bodyText()).isEqualTo("ok");
        b.close();
        assertThat(eventually(BOUND, () -> server.stats().open() == 1)).isTrue();
        RawClient d = client(server, "127.0.0.3");
        d.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(d.read().bodyText()).isEqualTo("ok");
    }

    @Test
    void sec34SlotsAreGivenBackWhateverClosedTheConnection() throws Exception {
        EdgeServer server = servers.start(relaxed().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30))
                .withSizes(2048, 16), TestServers.answering("ok"));
        RawClient timedOut = client(server, "127.0.0.2");
        RawClient refused = client(server, "127.0.0.2");
        refused.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n");
        RawClient closing = client(server, "127.0.0.2");
        closing.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        RawClient clientClosed = client(server, "127.0.0.2");
        clientClosed.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(clientClosed.read().bodyText()).isEqualTo("ok");
        clientClosed.close();
        assertThat(timedOut.closedWithin(BOUND)).isTrue();
        assertThat(refused.read().status()).isEqualTo(413);
        assertThat(closing.read().bodyText()).isEqualTo("ok");
        assertThat(eventually(BOUND, () -> server.stats().open() == 0)).isTrue();
    }

    @Test
    void sec34FullHandlerPoolAnswers503WithRetryAfter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        EdgeServer server = servers.start(relaxed().withHandlers(1, 0), r -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.completedFuture(HttpResponse.of(200, "text/plain", "slow".getBytes()));
        });
        RawClient blocker = client(server, "127.0.0.1");
        blocker.send("GET /block HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        RawClient next = client(server, "127.0.0.1");
        next.send("GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
        RawClient.Response busy = next.read();
        assertThat(busy.statusLine()).isEqualTo("HTTP/1.1 503 Service Unavailable");
        assertThat(busy.header("Retry-After")).isEqualTo("1");
        assertThat(busy.body()).isEmpty();
        assertThat(server.stats().busy()).isEqualTo(1);
        release.countDown();
        assertThat(blocker.read().bodyText()).isEqualTo("slow");
        RawClient after = client(server, "127.0.0.1");
        after.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(after.read().bodyText()).isEqualTo("slow");
    }

    @Test
    void handlerThatThrowsIsAnswered500Empty() throws Exception {
        EdgeServer server = servers.start(relaxed(), r -> {
            throw new IllegalStateException("boom");
        });
        RawClient c = client(server, "127.0.0.1");
        c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        RawClient.Response r = c.read();
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 500 Internal Server Error");
        assertThat(r.body()).isEmpty();
        assertThat(r.header("Content-Length")).isEqualTo("0");
    }

    @Test
    void handlerThatThrowsAnErrorIsAnswered500Empty() throws Exception {
        EdgeServer server = servers.start(relaxed(), r -> {
            throw new AssertionError("boom");
        });
        RawClient c = client(server, "127.0.0.1");
        c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        RawClient.Response r = c.read();
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void failedStageOrNullIsAnswered500Empty() throws Exception {
        EdgeServer server = servers.start(relaxed(), r -> switch (r.target()) {
            case "/failed" -> CompletableFuture.failedFuture(new IllegalStateException("boom"));
            case "/null-response" -> CompletableFuture.completedFuture(null);
            default -> null;
        });
        RawClient c = client(server, "127.0.0.1");
        for (String target : List.of("/failed", "/null-response", "/null-stage")) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.status()).as(target).isEqualTo(500);
            assertThat(r.body()).isEmpty();
        }
    }

    @Test
    void sec34PerSourceCapOnAnIpv6Listener() throws Exception {
        EdgeServer server = EdgeServer.start("test6", new java.net.InetSocketAddress("::1", 0), relaxed().withConnections(10, 1),
                null, r -> CompletableFuture.completedFuture(HttpResponse.of(200, "text/plain", r.remote().getAddress().getHostAddress().getBytes())));
        try (server) {
            RawClient first = client(server, "::1");
            first.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(first.read().bodyText()).isEqualTo("0:0:0:0:0:0:0:1");
            RawClient second = client(server, "::1");
            assertThat(second.closedWithin(BOUND)).isTrue();
            assertThat(server.stats().refusedPerSource()).isEqualTo(1);
        }
    }
}
