package dev.secretstore.http.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** Starts EdgeServers on 127.0.0.1 for a test and closes them after it. */
final class TestServers implements AutoCloseable {
    private final List<EdgeServer> started = new ArrayList<>();

    /** Limits whose deadlines never fire during a test that is not about them. */
    static ServerLimits relaxed() {
        return ServerLimits.defaults(64 * 1024);
    }

    EdgeServer start(ServerLimits limits, HttpHandler handler) throws IOException {
        return start(limits, null, handler);
    }

    EdgeServer start(ServerLimits limits, ReloadingTls tls, HttpHandler handler) throws IOException {
        EdgeServer s = EdgeServer.start("test", new InetSocketAddress("127.0.0.1", 0), limits, tls, handler);
        started.add(s);
        return s;
    }

    /** A handler that answers 200 with body {@code text}. */
    static HttpHandler answering(String text) {
        return r -> CompletableFuture.completedFuture(HttpResponse.of(200, "text/plain", text.getBytes()));
    }

    /** Polls {@code condition} until true or {@code bound} passes (a failure bound, not a timing assertion). */
    static boolean eventually(Duration bound, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() {
        started.forEach(EdgeServer::close);
    }
}
