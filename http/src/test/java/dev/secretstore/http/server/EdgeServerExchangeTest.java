package dev.secretstore.http.server;

import static dev.secretstore.http.server.TestServers.relaxed;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a handler sees of a request and what a client sees of the answer, over real sockets (SEC-34). */
class EdgeServerExchangeTest {
    private final TestServers servers = new TestServers();
    private final List<HttpRequest> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        servers.close();
    }

    private EdgeServer echo() throws Exception {
        return servers.start(relaxed(), r -> {
            seen.add(r);
            byte[] body = (r.method() + " " + r.target() + " " + new String(r.body(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            return CompletableFuture.completedFuture(HttpResponse.of(200, "text/plain", body).with("X-Seen", "1"));
        });
    }

    @Test
    void getReachesTheHandlerWithMethodTargetHeadersAndRemote() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Multi: one\r\nx-multi: two\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.bodyText()).isEqualTo("GET /a/b?x=1 ");
            assertThat(r.header("Content-Length")).isEqualTo("13");
            assertThat(r.header("Content-Type")).isEqualTo("text/plain");
            assertThat(r.header("X-Seen")).isEqualTo("1");
            assertThat(r.header("Connection")).isNull();
            // IMF-fixdate: a two-digit day even on the 6th
            assertThat(r.header("Date")).matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
            ZonedDateTime date = ZonedDateTime.parse(r.header("Date"), DateTimeFormatter.RFC_1123_DATE_TIME);
            assertThat(Duration.between(date, ZonedDateTime.now()).abs()).isLessThan(Duration.ofMinutes(5));
            HttpRequest req = seen.get(0);
            assertThat(req.method()).isEqualTo("GET");
            assertThat(req.target()).isEqualTo("/a/b?x=1");
            assertThat(req.rawPath()).isEqualTo("/a/b");
            assertThat(req.protocol()).isEqualTo("HTTP/1.1");
            assertThat(req.headerValues("x-MULTI")).containsExactly("one", "two");
            assertThat(req.headerValues("Absent")).isNull();
            assertThat(req.header("host")).isEqualTo("h");
            assertThat(req.body()).isEmpty();
            assertThat(req.remote().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(req.remote().getPort()).isEqualTo(c.socket().getLocalPort());
            assertThat(req.local()).isEqualTo(new InetSocketAddress("127.0.0.1", server.port()));
            assertThat(req.secure()).isFalse();
        }
    }

    @Test
    void postBodyArrivesByteExactAndTheResponseBodyLeavesByteExact() throws Exception {
        byte[] body = new byte[3000];
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31);
        EdgeServer server = servers.start(relaxed(), r -> {
            seen.add(r);
            return CompletableFuture.completedFuture(HttpResponse.of(201, "application/octet-stream", r.body()));
        });
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3000\r\n\r\n").send(body);
            RawClient.Response r = c.read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 201 Created");
            assertThat(r.body()).isEqualTo(body);
            assertThat(seen.get(0).method()).isEqualTo("POST");
            assertThat(seen.get(0).body()).isEqualTo(body);
        }
    }

    @Test
    void chunkedBodyIsAssembled() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("POST /c hello world");
        }
    }

    @Test
    void malformedTargetsReachTheHandlerUnchanged() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            for (String target : List.of("//", "/%zz", "/%", "/a/../b", "/x%2Fy?q=%20")) {
                c.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(c.read().bodyText()).isEqualTo("GET " + target + " ");
            }
        }
        assertThat(seen).extracting(HttpRequest::target).containsExactly("//", "/%zz", "/%", "/a/../b", "/x%2Fy?q=%20");
    }

    @Test
    void emptyResponseHasContentLengthZeroAndStatusReason() throws Exception {
        EdgeServer server = servers.start(relaxed(), r -> CompletableFuture.completedFuture(HttpResponse.of(404)));
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 404 Not Found");
            assertThat(r.header("Content-Length")).isEqualTo("0");
            assertThat(r.count("Content-Length")).isEqualTo(1);
            assertThat(r.body()).isEmpty();
        }
    }

    @Test
    void handlerSetContentLengthOrDateIsNotDoubled() throws Exception {
        EdgeServer server = servers.start(relaxed(), r -> CompletableFuture.completedFuture(
                HttpResponse.of(200, "text/plain", "abc".getBytes()).with("Content-Length", "99").with("Date", "Thu, 01 Jan 1970 00:00:00 GMT")));
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.count("Content-Length")).isEqualTo(1);
            assertThat(r.header("Content-Length")).isEqualTo("3");
            assertThat(r.count("Date")).isEqualTo(1);
            assertThat(r.header("Date")).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
            assertThat(r.bodyText()).isEqualTo("abc");
        }
    }

    @Test
    void keepAliveServesTwoRequestsOnOneConnection() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("GET /1 ");
            c.send("POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi");
            assertThat(c.read().bodyText()).isEqualTo("POST /2 hi");
        }
        assertThat(seen).extracting(r -> r.remote().getPort()).containsOnly(seen.get(0).remote().getPort());
        assertThat(server.stats().accepted()).isEqualTo(1);
        assertThat(server.stats().requests()).isEqualTo(2);
    }

    @Test
    void http10ClosesAfterTheAnswer() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET /old HTTP/1.0\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.bodyText()).isEqualTo("GET /old ");
            assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedWithin(RawClient.READ_BOUND)).isTrue();
        }
        assertThat(seen.get(0).protocol()).isEqualTo("HTTP/1.0");
    }

    @Test
    void connectionCloseClosesAfterTheAnswer() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET /bye HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.bodyText()).isEqualTo("GET /bye ");
            assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedWithin(RawClient.READ_BOUND)).isTrue();
        }
    }

    @Test
    void expectContinueGets100ThenTheAnswer() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().statusLine()).isEqualTo("HTTP/1.1 100 Continue");
            c.send("body");
            RawClient.Response r = c.read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.bodyText()).isEqualTo("POST /e body");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("GET /1 ");
            assertThat(c.read().bodyText()).isEqualTo("POST /2 abc");
            assertThat(c.read().bodyText()).isEqualTo("GET /3 ");
        }
    }

    @Test
    void aSlowHandlerIsNotOverlappedByThePipelinedRequest() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlapped = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        EdgeServer server = servers.start(relaxed().withHandlers(4, 16), r -> CompletableFuture.supplyAsync(() -> {
            if (running.incrementAndGet() > 1) overlapped.incrementAndGet();
            order.add("start " + r.target());
            try {
                Thread.sleep(r.target().equals("/slow") ? 300 : 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            order.add("end " + r.target());
            running.decrementAndGet();
            return HttpResponse.of(200, "text/plain", r.target().getBytes());
        }));
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\nGET /fast HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("/slow");
            assertThat(c.read().bodyText()).isEqualTo("/fast");
        }
        assertThat(overlapped).hasValue(0);
        assertThat(order).containsExactly("start /slow", "end /slow", "start /fast", "end /fast");
    }

    @Test
    void aStageCompletedOnAnotherThreadIsAnswered() throws Exception {
        EdgeServer server = servers.start(relaxed(), r -> {
            CompletableFuture<HttpResponse> later = new CompletableFuture<>();
            Thread t = new Thread(() -> later.complete(HttpResponse.of(202, "text/plain", "later".getBytes())));
            t.start();
            return later;
        });
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 202 Accepted");
            assertThat(r.bodyText()).isEqualTo("later");
        }
    }

    @Test
    void handlerRunsOffTheIoThreadOnTheListenersPool() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        EdgeServer server = servers.start(relaxed(), r -> {
            threads.add(Thread.currentThread().getName());
            return CompletableFuture.completedFuture(HttpResponse.of(204));
        });
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(204);
        }
        assertThat(threads).singleElement().asString().startsWith("test-").doesNotStartWith("test-io");
    }

    @Test
    void headIsAnsweredWithTheLengthButWithoutTheBody() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response head = c.readHead();
            assertThat(head.header("Content-Length")).isEqualTo("8");
            assertThat(head.raw()).asString().endsWith("\r\n\r\n");
            // no body bytes on the wire: the next answer starts right after the head's headers
            c.send("GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response next = c.read();
            assertThat(next.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(next.bodyText()).isEqualTo("GET /next ");
        }
    }

    @Test
    void handlerAskingForConnectionCloseClosesTheConnection() throws Exception {
        EdgeServer server = servers.start(relaxed(), r -> CompletableFuture.completedFuture(HttpResponse.of(400).with("Connection", "close")));
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.count("Connection")).isEqualTo(1);
            assertThat(c.closedWithin(RawClient.READ_BOUND)).isTrue();
        }
    }

    @Test
    void malformedChunkIs400AndTheTruncatedBodyNeverReachesTheHandler() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedWithin(RawClient.READ_BOUND)).isTrue();
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void responseHeaderWithLineBreakIsAnswered500NotSplit() throws Exception {
        EdgeServer server = servers.start(relaxed(), r -> CompletableFuture.completedFuture(
                HttpResponse.of(200, "text/plain", "x".getBytes()).with("X-Echo", "a\r\nInjected: 1")));
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.header("Injected")).isNull();
            assertThat(r.body()).isEmpty();
        }
    }

    @Test
    void closeEndsOpenConnectionsAndABusyPortIsABindExceptionNamingTheListener() throws Exception {
        EdgeServer server = echo();
        RawClient c = RawClient.connect(server.address());
        c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        c.read();
        java.net.InetSocketAddress taken = server.address();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EdgeServer.start("rpc", taken, relaxed(), null, TestServers.answering("x")))
                .isInstanceOf(java.net.BindException.class).hasMessageContaining("rpc").hasMessageContaining(String.valueOf(taken.getPort()));
        server.close();
        assertThat(c.closedWithin(RawClient.READ_BOUND)).isTrue();
        c.close();
    }

    @Test
    void dateIsAnImfFixdateWithATwoDigitDay() {
        assertThat(Exchange.DATE.format(ZonedDateTime.of(2026, 12, 6, 8, 4, 5, 0, java.time.ZoneOffset.UTC)))
                .isEqualTo("Sun, 06 Dec 2026 08:04:05 GMT");
    }

    @Test
    void manyPipelinedRequestsLargerThanOneReadAreAllAnsweredInOrder() throws Exception {
        EdgeServer server = echo();
        StringBuilder batch = new StringBuilder();
        String filler = "f".repeat(1000);
        for (int i = 0; i < 200; i++) {
            batch.append("POST /").append(i).append(" HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n").append(filler);
        }
        try (RawClient c = RawClient.connect(server.address())) {
            Thread writer = new Thread(() -> {
                try {
                    c.send(batch.toString()); // ~230 KB: more than the socket buffers while answers are not yet read
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            for (int i = 0; i < 200; i++) assertThat(c.read().bodyText()).isEqualTo("POST /" + i + " " + filler);
            writer.join();
        }
        assertThat(server.stats().requests()).isEqualTo(200);
    }

    @Test
    void clientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws Exception {
        EdgeServer server = echo();
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET /half HTTP/1.1\r\nHost: h\r\n\r\n");
            c.socket().shutdownOutput();
            assertThat(c.read().bodyText()).isEqualTo("GET /half ");
            assertThat(c.closedWithin(RawClient.READ_BOUND)).isTrue();
        }
    }

    @Test
    void responseBytesOnTheWire() throws Exception {
        // the handler's headers in its order and spelling, then the layer's content-length and date
        EdgeServer server = servers.start(relaxed(), r -> CompletableFuture.completedFuture(
                HttpResponse.of(200, "application/json", "[1]".getBytes()).with("Access-Control-Allow-Origin", "*")));
        try (RawClient c = RawClient.connect(server.address())) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(new String(r.raw(), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Access-Control-Allow-Origin: *\r\n"
                    + "content-length: 3\r\n"
                    + "date: " + r.header("Date") + "\r\n"
                    + "\r\n"
                    + "[1]");
        }
    }
}
