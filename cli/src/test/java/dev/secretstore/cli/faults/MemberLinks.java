package dev.secretstore.cli.faults;

import dev.secretstore.cli.faults.FaultProxy.Direction;
import dev.secretstore.cli.faults.FaultProxy.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link FaultProxy} on every member-to-member route of an init-cluster directory: {@code proxy[i][j]} is how
 * node i (init-cluster index) reaches node j; node i's {@code nodes} entry for j points at it. Only the lower id
 * of a pair dials, so one of {@code proxy[i][j]}, {@code proxy[j][i]} carries the pair's connection; the faults
 * below set both, so they hold whichever side dials.
 */
final class MemberLinks implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("(?m)^port = (\\d+)$");
    private final FaultProxy[][] proxy;

    private MemberLinks(int size) {
        proxy = new FaultProxy[size][size];
    }

    /** Rewrites {@code node-<i>.toml} of {@code dir} (before any node starts) so every peer is reached through a proxy. */
    static MemberLinks install(Path dir, int size) {
        MemberLinks links = new MemberLinks(size);
        try {
            int[] port = new int[size];
            for (int i = 0; i < size; i++) {
                Matcher m = PORT.matcher(Files.readString(config(dir, i)));
                if (!m.find()) throw new IllegalStateException("no cluster port in " + config(dir, i));
                port[i] = Integer.parseInt(m.group(1));
            }
            for (int i = 0; i < size; i++) {
                String text = Files.readString(config(dir, i), StandardCharsets.UTF_8);
                for (int j = 0; j < size; j++) {
                    if (i == j) continue;
                    links.proxy[i][j] = new FaultProxy(new InetSocketAddress("127.0.0.1", port[j]));
                    String real = "@127.0.0.1:" + port[j] + "\"";
                    if (!text.contains(real)) throw new IllegalStateException("no nodes entry " + real + " in " + config(dir, i));
                    text = text.replace(real, "@127.0.0.1:" + links.proxy[i][j].address().getPort() + "\"");
                }
                Files.writeString(config(dir, i), text, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            links.close();
            throw new UncheckedIOException(e);
        }
        return links;
    }

    private static Path config(Path dir, int i) {
        return dir.resolve("node-" + i + ".toml");
    }

    /** Bytes from node {@code from} to node {@code to} (init-cluster indexes) get {@code mode}, whoever dialed. */
    void set(int from, int to, Mode mode) {
        proxy[from][to].set(Direction.UP, mode);
        proxy[to][from].set(Direction.DOWN, mode);
    }

    /** Every byte from node {@code from} to node {@code to} waits {@code millis} first. */
    void delay(int from, int to, long millis) {
        proxy[from][to].delay(Direction.UP, millis);
        proxy[to][from].delay(Direction.DOWN, millis);
    }

    /** RST on every open connection between {@code a} and {@code b}. */
    void reset(int a, int b) {
        proxy[a][b].resetAll();
        proxy[b][a].resetAll();
    }

    void healAll() {
        for (FaultProxy[] row : proxy) {
            for (FaultProxy p : row) {
                if (p != null) p.heal();
            }
        }
    }

    int size() {
        return proxy.length;
    }

    @Override
    public void close() {
        for (FaultProxy[] row : proxy) {
            for (FaultProxy p : row) {
                if (p != null) p.close();
            }
        }
    }
}
