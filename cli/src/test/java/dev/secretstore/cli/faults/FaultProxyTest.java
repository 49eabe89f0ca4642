package dev.secretstore.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.secretstore.cli.faults.FaultProxy.Direction;
import dev.secretstore.cli.faults.FaultProxy.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy over plain sockets: an echo server behind it that counts the bytes it received. */
class FaultProxyTest {
    private ServerSocket echo;
    private final AtomicLong echoed = new AtomicLong();
    private FaultProxy proxy;
    private Socket client;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket s = echo.accept();
                    Thread c = new Thread(() -> {
                        byte[] buf = new byte[4096];
                        try (s) {
                            int n;
                            while ((n = s.getInputStream().read(buf)) >= 0) {
                                echoed.addAndGet(n);
                                s.getOutputStream().write(buf, 0, n);
                            }
                        } catch (IOException ignored) {
                            // the proxy reset or closed it
                        }
                    });
                    c.setDaemon(true);
                    c.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        proxy = new FaultProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
        client = connect();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(proxy.address(), 2_000);
        s.setSoTimeout(3_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String receive(Socket s, int length) throws IOException {
        byte[] b = s.getInputStream().readNBytes(length);
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** Waits up to 3 s for {@code condition}. */
    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 150; i++) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    @Test
    void passesBytesBothWays() throws Exception {
        send(client, "hello");
        assertThat(receive(client, 5)).isEqualTo("hello");
        // a pump counts after its write, so the client can have the bytes a moment before the count moves
        assertThat(eventually(() -> proxy.forwarded(Direction.UP) == 5 && proxy.forwarded(Direction.DOWN) == 5))
                .as("bytes counted: up %d, down %d", proxy.forwarded(Direction.UP), proxy.forwarded(Direction.DOWN)).isTrue();
    }

    @Test
    void aHeldLinkForwardsNothingAndClosesNothingUntilHealed() throws Exception {
        send(client, "warm");
        assertThat(receive(client, 4)).isEqualTo("warm");
        proxy.set(Mode.HOLD);
        send(client, "held");
        client.setSoTimeout(700);
        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class); // no byte, no EOF, no RST
        assertThat(echoed.get()).as("the target got nothing").isEqualTo(4);
        send(client, "more"); // the client's side stays writable
        Socket during = connect(); // a new connection is accepted and held the same way
        send(during, "new");
        during.setSoTimeout(300);
        assertThatThrownBy(() -> during.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        proxy.heal();
        client.setSoTimeout(3_000);
        assertThat(receive(client, 8)).isEqualTo("heldmore");
        during.setSoTimeout(3_000);
        assertThat(receive(during, 3)).isEqualTo("new");
        during.close();
    }

    @Test
    void oneDirectionOnly() throws Exception {
        proxy.set(Direction.DOWN, Mode.HOLD);
        send(client, "up");
        assertThat(eventually(() -> echoed.get() == 2)).as("the upward bytes reached the target").isTrue();
        client.setSoTimeout(500);
        assertThatThrownBy(() -> client.getInputStream().read()).as("the answer is held").isInstanceOf(SocketTimeoutException.class);
        proxy.set(Direction.DOWN, Mode.PASS);
        proxy.set(Direction.UP, Mode.HOLD);
        client.setSoTimeout(3_000);
        assertThat(receive(client, 2)).isEqualTo("up");
        send(client, "x");
        Thread.sleep(300);
        assertThat(echoed.get()).as("now the upward bytes are held").isEqualTo(2);
    }

    @Test
    void resetSendsRstToBothEnds() throws Exception {
        send(client, "a");
        assertThat(receive(client, 1)).isEqualTo("a");
        proxy.resetAll();
        assertThatThrownBy(() -> {
            client.getInputStream().read();
            send(client, "b");
            client.getInputStream().read();
        }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        assertThat(proxy.resets()).isEqualTo(1);
        assertThat(eventually(() -> proxy.open() == 0)).isTrue();
    }

    @Test
    void resetModeResetsOnTheNextChunkInThatDirection() throws Exception {
        proxy.set(Direction.UP, Mode.RESET);
        send(client, "boom");
        InputStream in = client.getInputStream();
        assertThatThrownBy(in::read).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        assertThat(echoed.get()).isZero();
    }

    @Test
    void delayHoldsEachChunkAtLeastThatLong() throws Exception {
        proxy.delay(Direction.UP, 300);
        long start = System.nanoTime();
        send(client, "slow");
        assertThat(receive(client, 4)).isEqualTo("slow");
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms for one round trip through a 300 ms link").isGreaterThanOrEqualTo(300);
        proxy.heal();
        send(client, "fast");
        assertThat(receive(client, 4)).isEqualTo("fast");
    }

    @Test
    void aClosingEndClosesTheLink() throws Exception {
        send(client, "z");
        assertThat(receive(client, 1)).isEqualTo("z");
        client.close();
        assertThat(eventually(() -> proxy.open() == 0)).isTrue();
    }
}
