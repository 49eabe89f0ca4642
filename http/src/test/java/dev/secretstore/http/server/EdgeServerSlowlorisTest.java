package dev.secretstore.http.server;

import static dev.secretstore.http.server.TestServers.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SEC-34 slowloris: 300 slow and idle connections from one source (127.0.0.2) while an honest client on 127.0.0.1
 * keeps asking. Every honest request is answered (the 2 s read timeout is a failure bound, not a timing assertion),
 * the attacker's connections past the per-source cap are closed at once, the rest by their deadlines.
 */
class EdgeServerSlowlorisTest {
    private static final int ATTACKERS = 300;
    private static final int PER_SOURCE = 64;
    private final TestServers servers = new TestServers();
    private final List<RawClient> attackers = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (RawClient a : attackers) a.close();
        servers.close();
    }

    @Test
    void sec34HonestClientIsAnsweredThroughoutASlowlorisFromOneSource() throws Exception {
        Duration deadline = Duration.ofSeconds(1);
        EdgeServer server = servers.start(ServerLimits.defaults(64 * 1024).withTimeouts(deadline, deadline, deadline)
                .withConnections(1024, PER_SOURCE), TestServers.answering("ok"));

        // a third idle, a third dripping a request line, a third dripping a body after complete headers
        for (int i = 0; i < ATTACKERS; i++) {
            RawClient a = RawClient.connectFrom("127.0.0.2", server.address());
            attackers.add(a);
            if (i % 3 == 2) sendQuietly(a, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n");
        }
        assertThat(eventually(Duration.ofSeconds(5), () -> server.stats().refusedPerSource() == ATTACKERS - PER_SOURCE)).isTrue();
        assertThat(server.stats().accepted()).isEqualTo(PER_SOURCE);

        AtomicBoolean attacking = new AtomicBoolean(true);
        Thread drip = new Thread(() -> {
            while (attacking.get()) {
                for (int i = 0; i < attackers.size(); i++) {
                    if (i % 3 != 0) sendQuietly(attackers.get(i), i % 3 == 1 ? "G" : "x");
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "slowloris-drip");
        drip.start();

        int answered = 0;
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        try {
            while (System.nanoTime() < end) {
                try (RawClient honest = RawClient.connect(server.address())) {
                    honest.socket().setSoTimeout(2000);
                    honest.send("GET /honest HTTP/1.1\r\nHost: h\r\n\r\n");
                    RawClient.Response r = honest.read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.bodyText()).isEqualTo("ok");
                    answered++;
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("honest request " + answered + " not answered within 2 s during the attack", e);
                }
                Thread.sleep(20);
            }
        } finally {
            attacking.set(false);
            drip.join();
        }
        assertThat(answered).isGreaterThan(10);

        // every attacker connection is closed: the refused ones at once, the admitted ones by a deadline
        for (RawClient a : attackers) assertThat(a.closedWithin(Duration.ofSeconds(5))).isTrue();
        assertThat(server.stats().timedOut()).isEqualTo(PER_SOURCE);
        assertThat(server.stats().requests()).isEqualTo(answered);
        assertThat(eventually(Duration.ofSeconds(5), () -> server.stats().open() == 0)).isTrue();
    }

    private static void sendQuietly(RawClient c, String s) {
        try {
            c.send(s);
        } catch (IOException e) {
            // closed by the server: what the test expects sooner or later
        }
    }
}
