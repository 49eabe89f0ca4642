package dev.secretstore.node.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * The online half of {@code secretstore backup} (issue #16): a running node holds its key database with an exclusive
 * lock (SEC-38), so no second process can read it; the node itself writes the snapshot when asked on a Unix domain
 * socket {@value #SOCKET_NAME} in its data directory, and streams it to the asking process.
 *
 * <p>Who may ask: the socket file is mode 0600 inside the data directory (0700, SEC-27), so only the node's own OS user
 * (and root) can connect, and they can read the database files anyway. The snapshot holds what the store holds (shares
 * sealed under the node's storage key), nothing more.
 *
 * <p>Protocol, one request per connection: the client sends {@code snapshot\n}; the node answers
 * {@code ok <length>\n} followed by exactly that many bytes of the snapshot file, or {@code error <message>\n}.
 * The snapshot is staged in the data directory as {@code .snapshot-<random>.sqlite} (0600) and deleted after sending.
 * Snapshots are taken one at a time (on the store's connection).
 */
public final class BackupSocket implements AutoCloseable {
    public static final String SOCKET_NAME = "backup.sock";
    private static final Logger LOG = Logger.getLogger(BackupSocket.class.getName());
    private static final String STAGING_PREFIX = ".snapshot-";
    private static final int MAX_LINE = 4096;

    private final Path dataDir;
    private final Path socket;
    private final SqliteKeyStorage storage;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean closed;

    private BackupSocket(Path dataDir, SqliteKeyStorage storage, ServerSocketChannel server) {
        this.dataDir = dataDir;
        this.socket = dataDir.resolve(SOCKET_NAME);
        this.storage = storage;
        this.server = server;
        this.thread = new Thread(this::serve, "backup-socket");
        thread.setDaemon(true);
    }

    /**
     * Listens on {@code <dataDir>/backup.sock} for the store {@code storage} opened from {@code dataDir}. A socket file
     * left by a node that died is replaced (the store's lock, taken before, proves no other node uses the directory),
     * and staging files it left are deleted.
     */
    public static BackupSocket start(Path dataDir, SqliteKeyStorage storage) throws IOException {
        Path socket = dataDir.resolve(SOCKET_NAME);
        Files.deleteIfExists(socket);
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dataDir, STAGING_PREFIX + "*")) {
            for (Path p : stale) Files.deleteIfExists(p);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        BackupSocket b = new BackupSocket(dataDir, storage, server);
        b.thread.start();
        return b;
    }

    private void serve() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                // a thread per connection, so a client that never sends its line holds up nobody else
                Thread t = new Thread(() -> {
                    try (client) {
                        answer(client);
                    } catch (IOException e) {
                        LOG.warning(() -> "backup socket: " + e.getMessage());
                    }
                }, "backup-socket-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) LOG.warning(() -> "backup socket: " + e.getMessage());
            }
        }
    }

    private void answer(SocketChannel client) throws IOException {
        InputStream in = Channels.newInputStream(client);
        OutputStream out = Channels.newOutputStream(client);
        String request = readLine(in);
        if (!"snapshot".equals(request)) {
            out.write(("error unknown request\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        Path staged = dataDir.resolve(STAGING_PREFIX + StoreSnapshots.randomHex() + ".sqlite");
        try {
            Files.createFile(staged, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            storage.snapshot(staged, Instant.now());
            long size = Files.size(staged);
            out.write(("ok " + size + "\n").getBytes(StandardCharsets.UTF_8));
            Files.copy(staged, out);
            out.flush();
            LOG.info(() -> "backup socket: sent a snapshot of " + size + " bytes");
        } catch (RuntimeException | IOException e) {
            LOG.warning(() -> "backup socket: snapshot failed: " + e.getMessage());
            String msg = String.valueOf(e.getMessage()).replace('\n', ' ');
            try {
                out.write(("error " + msg + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the client went away
            }
        } finally {
            Files.deleteIfExists(staged);
        }
    }

    /**
     * Asks the node running on {@code dataDir} for a snapshot and writes it to {@code target} (created or
     * overwritten). Throws {@link java.net.ConnectException} or {@link java.nio.file.NoSuchFileException} when no node
     * listens there, and an {@link IOException} naming the node's error when it could not take the snapshot.
     */
    public static long fetch(Path dataDir, Path target) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(dataDir.resolve(SOCKET_NAME)))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write("snapshot\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = Channels.newInputStream(ch);
            String header = readLine(in);
            if (header.startsWith("error ")) throw new IOException("the node could not take the snapshot: " + header.substring(6));
            if (!header.startsWith("ok ")) throw new IOException("unexpected answer from the node's backup socket: " + header);
            long size = Long.parseLong(header.substring(3));
            try (OutputStream file = Files.newOutputStream(target, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
                long copied = in.transferTo(file);
                if (copied != size) throw new IOException("the snapshot stream ended after " + copied + " of " + size + " bytes");
            }
            return size;
        } catch (NumberFormatException e) {
            throw new IOException("unexpected answer from the node's backup socket", e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) throw new IOException("connection closed before a full line");
            if (line.size() >= MAX_LINE) throw new IOException("line too long");
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            thread.join(5000);
            Files.deleteIfExists(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warning(() -> "backup socket: cannot delete " + socket + ": " + e.getMessage());
        }
    }
}
