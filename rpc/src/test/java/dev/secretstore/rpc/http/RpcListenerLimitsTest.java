package dev.secretstore.rpc.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.rpc.SecretStoreRpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-34 on the JSON-RPC service's listener: slow and idle connections from one address (the attacker, bound to
 * 127.0.0.2) neither hold the service nor outlive their deadlines, the per-address cap closes the surplus at once,
 * and an honest client on 127.0.0.1 keeps getting its answers throughout; an oversized body is refused with 413.
 * Raw sockets, so the test controls every byte and the source address. Answers are asserted, never timings: a
 * read that waits 5 s is the failure bound.
 */
class RpcListenerLimitsTest {
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":7}";
    private static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":7}";
    private static final int ATTACKERS = 200;
    private static final int PER_ADDRESS = ServerLimits.defaults(RpcHttpServer.MAX_BODY).maxConnectionsPerSource();

    @TempDir
    Path dir;
    private RpcHttpServer server;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        if (server != null) server.close();
    }

    private void start(ServerLimits limits) throws IOException {
        server = RpcHttpServer.start(new SecretStoreRpc(new Keystore(dir)), "127.0.0.1", 0, CorsPolicy.none(),
                HostAllowList.defaults(), limits, null);
    }

    private int port() {
        return server.address().getPort();
    }

    private String request(String body, boolean close) {
        return "POST / HTTP/1.1\r\nHost: 127.0.0.1:" + port() + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n" + body;
    }

    /** One honest call from 127.0.0.1 on a fresh connection: the whole response. */
    private String honestCall() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(request(CALL, true).getBytes(StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** A connection from the attacker's address 127.0.0.2 that sends {@code bytes} (maybe none) and then nothing. */
    private Socket attacker(String bytes) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress("127.0.0.2", 0));
        s.connect(new InetSocketAddress("127.0.0.1", port()), 5_000);
        if (!bytes.isEmpty()) {
            try {
                s.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
            } catch (SocketException refusedAlready) {
                // over the cap the server may have closed it before the bytes went out
            }
        }
        return s;
    }

    /**
     * Whether the server has closed {@code s}: EOF (or a reset) within {@code waitMillis}, with no HTTP answer
     * before it. False when the connection is still open after the wait.
     */
    private static boolean closedWithoutAnswer(Socket s, int waitMillis) throws IOException {
        s.setSoTimeout(waitMillis);
        InputStream in = s.getInputStream();
        try {
            int b = in.read();
            assertThat(b).as("bytes from the server on a connection that never completed a request").isEqualTo(-1);
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - end).as("waiting for " + what).isNegative();
            Thread.sleep(10);
        }
    }

    /** Reads one response with a Content-Length from a keep-alive connection, leaving the connection open. */
    private static String readResponse(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("response head").isNotNegative();
            head.write(b);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Integer.parseInt(line.substring(15).trim());
        }
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /**
     * SEC-34: 200 connections from one address, each sending a few bytes of a request line or nothing, against the
     * default per-address cap (64) and a header deadline that does not pass during the test. The cap closes the
     * surplus at once, before reading anything; the 64 admitted stay open; an honest client is still answered.
     */
    @Test
    void sec34_perAddressCapClosesTheSurplusAtOnce() throws Exception {
        start(ServerLimits.defaults(RpcHttpServer.MAX_BODY).withTimeouts(Duration.ofSeconds(120), Duration.ofSeconds(120),
                Duration.ofSeconds(120)));
        List<Socket> attack = new ArrayList<>();
        for (int i = 0; i < ATTACKERS; i++) attack.add(attacker(i % 2 == 0 ? "POST / HT" : ""));
        await(() -> server.stats().accepted() + server.stats().refusedPerSource() == ATTACKERS, "every attacker connection decided");
        assertThat(server.stats().refusedPerSource()).isEqualTo(ATTACKERS - PER_ADDRESS);
        assertThat(server.stats().open()).isEqualTo(PER_ADDRESS);

        List<Socket> closed = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (closed.size() < ATTACKERS - PER_ADDRESS && System.nanoTime() < end) {
            for (Socket s : attack) {
                if (!closed.contains(s) && closedWithoutAnswer(s, 1)) closed.add(s);
            }
        }
        assertThat(closed).hasSize(ATTACKERS - PER_ADDRESS);
        for (Socket s : attack) {
            if (!closed.contains(s)) assertThat(closedWithoutAnswer(s, 1)).as("an admitted slow connection, before its deadline").isFalse();
        }
        assertThat(body(honestCall())).isEqualTo(ANSWER);
        // the honest connection is counted until the server has seen its close; the admitted slow ones stay
        await(() -> server.stats().open() == PER_ADDRESS, "the honest connection released");
        for (Socket s : attack) {
            if (!closed.contains(s)) assertThat(closedWithoutAnswer(s, 1)).as("an admitted slow connection, before its deadline").isFalse();
        }
    }

    /**
     * SEC-34 slowloris: while 200 slow connections (a partial request line, or not a byte) and a few idle keep-alive
     * ones come from 127.0.0.2, an honest client on 127.0.0.1 keeps calling and every call is answered; each slow
     * connection is closed by the 1 s header deadline (EOF, no answer), each idle one by the 1 s idle deadline, and
     * the surplus over the per-address cap at once: every attacker connection ends one way or the other.
     */
    @Test
    void sec34_slowAndIdleClientsAreClosedByTheirDeadlinesWhileHonestCallsAreAnswered() throws Exception {
        start(ServerLimits.defaults(RpcHttpServer.MAX_BODY).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1)));
        List<String> answers = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean attacking = new AtomicBoolean(true);
        Thread honest = new Thread(() -> {
            try {
                while (attacking.get()) answers.add(body(honestCall()));
            } catch (Throwable t) {
                failures.add(t);
            }
        }, "honest-client");
        honest.start();
        try {
            int idle = 4;
            List<Socket> keptAlive = new ArrayList<>();
            for (int i = 0; i < idle; i++) {
                Socket s = attacker(request(CALL, false));
                assertThat(body(readResponse(s))).isEqualTo(ANSWER);
                keptAlive.add(s);
            }
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < ATTACKERS - idle; i++) slow.add(attacker(i % 2 == 0 ? "POST / HT" : ""));
            int answeredDuringAttack = answers.size();
            for (Socket s : keptAlive) assertThat(closedWithoutAnswer(s, 5_000)).as("idle keep-alive connection").isTrue();
            for (Socket s : slow) assertThat(closedWithoutAnswer(s, 5_000)).as("slow connection").isTrue();
            assertThat(answers.size()).as("honest calls answered while the slow connections were held").isGreaterThan(answeredDuringAttack);
            await(() -> server.stats().open() <= 1, "every attacker connection gone");
            int before = answers.size();
            await(() -> answers.size() > before, "an honest call after the attack");
        } finally {
            attacking.set(false);
            honest.join(10_000);
        }
        assertThat(failures).isEmpty();
        assertThat(answers).isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo(ANSWER));
        // every attacker connection was either refused by the cap or closed by a deadline: none was served past it
        assertThat(server.stats().refusedPerSource() + server.stats().timedOut()).isEqualTo(ATTACKERS);
        assertThat(server.stats().refusedPerSource()).isPositive();
        assertThat(server.stats().timedOut()).isGreaterThanOrEqualTo(PER_ADDRESS);
    }

    /** SEC-34: a body over {@link RpcHttpServer#MAX_BODY} gets 413 as soon as its length is declared; one at the limit is served. */
    @Test
    void sec34_oversizedBodyIsRefusedWith413() throws Exception {
        start(ServerLimits.defaults(RpcHttpServer.MAX_BODY));
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST / HTTP/1.1\r\nHost: 127.0.0.1:" + port() + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + (RpcHttpServer.MAX_BODY + 1) + "\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(r).startsWith("HTTP/1.1 413 ").containsIgnoringCase("Connection: close").endsWith("\r\n\r\n");
        }
        String atLimit = CALL + " ".repeat(RpcHttpServer.MAX_BODY - CALL.length());
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request(atLimit, true).getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(r).startsWith("HTTP/1.1 200 OK");
            assertThat(body(r)).isEqualTo(ANSWER);
        }
    }
}
