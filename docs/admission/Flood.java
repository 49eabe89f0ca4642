import dev.secretstore.crypto.Ecdsa;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.SecureRandom;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/**
 * SEC-35 measurement. "honest PORT GOFILE": one requester's sequential shadow retrievals from 127.0.0.2, 10 s
 * before and 15 s during the flood (it creates GOFILE to start the flood). "flood PORTS SOURCES RATE CONNS GOFILE":
 * generations with pre-signed fresh requesters from 127.0.0.10.., RATE per second offered, at most CONNS at once,
 * for 20 s after GOFILE appears (run it under nice: the attacker's CPU is not the members').
 */
public class Flood {
    static String request(String source, int port, String method, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.setSoTimeout(120_000);
            s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return r.substring(9, 12);
        }
    }

    static String honest(int port, String keyId, String sig, long millis) throws IOException {
        List<Double> lat = new ArrayList<>();
        int bad = 0;
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            String st = request("127.0.0.2", port, "GET", "/shadow/" + keyId + "/" + sig);
            lat.add((System.nanoTime() - t) / 1e6);
            if (!st.equals("200")) bad++;
        }
        Collections.sort(lat);
        return String.format("n=%d median=%.1f ms p99=%.1f ms max=%.1f ms non-200=%d", lat.size(), lat.get(lat.size() / 2),
                lat.get((int) Math.min(lat.size() - 1, Math.ceil(lat.size() * 0.99) - 1)), lat.get(lat.size() - 1), bad);
    }

    public static void main(String[] a) throws Exception {
        SecureRandom rnd = new SecureRandom();
        if (a[0].equals("honest")) {
            int port = Integer.parseInt(a[1]);
            KeyPair me = KeyPair.random();
            byte[] id = new byte[32];
            rnd.nextBytes(id);
            String keyId = Hex.encode(id);
            String sig = Hex.encode(Ecdsa.sign(me.secret(), H256.fromBytes(id)).toBytes());
            String g = request("127.0.0.2", port, "POST", "/" + keyId + "/" + sig + "/1");
            if (!g.equals("200")) throw new IllegalStateException("honest generation: " + g);
            honest(port, keyId, sig, 3000); // warm-up
            System.out.println("before: " + honest(port, keyId, sig, 10_000));
            Files.writeString(Path.of(a[2]), "go");
            Thread.sleep(3000);
            System.out.println("during: " + honest(port, keyId, sig, 15_000));
            System.exit(0);
        }
        int[] ports = Arrays.stream(a[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int sources = Integer.parseInt(a[2]);
        int rate = Integer.parseInt(a[3]);
        int conns = Integer.parseInt(a[4]);
        int total = rate * 20;
        String[] flood = new String[total];
        for (int i = 0; i < total; i++) {
            byte[] k = new byte[32];
            rnd.nextBytes(k);
            flood[i] = "/shadow/" + Hex.encode(k) + "/" + Hex.encode(Ecdsa.sign(KeyPair.random().secret(), H256.fromBytes(k)).toBytes()) + "/1";
        }
        while (!Files.exists(Path.of(a[5]))) Thread.sleep(20);
        Map<String, AtomicInteger> statuses = new ConcurrentSkipListMap<>();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(conns, conns, 1, TimeUnit.SECONDS, new ArrayBlockingQueue<>(conns),
                new ThreadPoolExecutor.DiscardPolicy());
        AtomicLong seq = new AtomicLong();
        AtomicInteger dropped = new AtomicInteger();
        long start = System.nanoTime();
        for (int n = 0; n < total; n++) {
            long due = start + n * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            final int i = n;
            if (pool.getQueue().remainingCapacity() == 0) { dropped.incrementAndGet(); continue; }
            pool.execute(() -> {
                String st;
                try {
                    st = request("127.0.0." + (10 + (i % sources)), ports[i % ports.length], "POST", flood[i]);
                } catch (IOException e) {
                    st = "io";
                }
                statuses.computeIfAbsent(st, x -> new AtomicInteger()).incrementAndGet();
            });
        }
        pool.shutdown();
        pool.awaitTermination(120, TimeUnit.SECONDS);
        System.out.println("flood: offered " + total + " in 20 s, not sent (all connections busy) " + dropped.get() + ", answered " + statuses);
        System.exit(0);
    }
}
