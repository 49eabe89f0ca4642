package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The WAN mode's delaying proxy: bytes arrive intact and in order in both directions, never before the delay,
 * and the transport's length-prefixed frames are counted however the stream is cut.
 */
class DelayProxyTest {
    /** An echo server on a free loopback port, for one connection. */
    private static ServerSocket echo() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                in.transferTo(out);
            } catch (Exception e) {
                // the test ended
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void forwardsBothWaysIntactAndNeverEarlierThanTheDelayEachWay() throws Exception {
        try (ServerSocket server = echo();
             DelayProxy proxy = new DelayProxy((InetSocketAddress) server.getLocalSocketAddress(), Duration.ofMillis(60));
             Socket client = new Socket()) {
            client.connect(proxy.address(), 5_000);
            client.setSoTimeout(10_000);
            byte[] frame = new byte[2 + 300_000 % 65_536];
            new Random(7).nextBytes(frame);
            frame[0] = (byte) ((frame.length - 2) >>> 8);
            frame[1] = (byte) (frame.length - 2);
            long sent = System.nanoTime();
            client.getOutputStream().write(frame);
            client.getOutputStream().flush();
            byte[] back = new byte[frame.length];
            new DataInputStream(client.getInputStream()).readFully(back);
            long elapsedMillis = (System.nanoTime() - sent) / 1_000_000;
            assertThat(back).isEqualTo(frame);
            // a lower bound, not a speed: the proxy must hold the bytes 60 ms on the way out and 60 ms back
            assertThat(elapsedMillis).isGreaterThanOrEqualTo(120);
            assertThat(proxy.frames()).isEqualTo(2); // once each way
            assertThat(proxy.bytes()).isEqualTo(2L * frame.length);
        }
    }

    @Test
    void framesAreCountedWhereverTheStreamIsCut() {
        // three frames of 0, 1 and 300 bytes, then the header of a fourth split across pieces
        byte[] stream = new byte[2 + 0 + 2 + 1 + 2 + 300 + 2];
        int i = 0;
        stream[i++] = 0;
        stream[i++] = 0;
        stream[i++] = 0;
        stream[i++] = 1;
        stream[i++] = 42;
        stream[i++] = 1;
        stream[i++] = 44; // 300
        i += 300;
        stream[i++] = 0;
        stream[i] = 5;
        for (int cut = 1; cut <= stream.length; cut++) {
            DelayProxy.FrameCounter c = new DelayProxy.FrameCounter();
            int total = 0;
            for (int off = 0; off < stream.length; off += cut) {
                total += c.feed(stream, off, Math.min(cut, stream.length - off));
            }
            assertThat(total).as("pieces of %d bytes", cut).isEqualTo(4);
        }
        DelayProxy.FrameCounter c = new DelayProxy.FrameCounter();
        assertThat(c.feed(Arrays.copyOf(stream, 1), 0, 1)).isZero(); // half a header is no frame yet
    }
}
