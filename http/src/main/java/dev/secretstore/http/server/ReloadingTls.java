package dev.secretstore.http.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The server TLS context of a listener, rebuilt when its files change on disk, so a renewed certificate is served
 * without a restart (SEC-34). New connections ask {@link #current()}; at most once per {@link #CHECK_INTERVAL_NANOS}
 * that looks at the files' modification times and sizes, and when they changed it loads them again. A change that
 * does not load (a half-written file, a key that does not match) keeps the previous context and logs why; the next
 * check tries again. TLS 1.2 and 1.3 only.
 */
public final class ReloadingTls {
    private static final Logger LOG = Logger.getLogger(ReloadingTls.class.getName());
    static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;
    /** The protocols a listener accepts. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final TlsFiles files;
    private final LongSupplier nanoClock;
    private SslContext context;
    private List<Object> stamp;
    private long checkedAt;

    private ReloadingTls(TlsFiles files, LongSupplier nanoClock) throws IOException {
        this.files = Objects.requireNonNull(files, "files");
        this.nanoClock = nanoClock;
        this.stamp = stamp(files);
        this.context = context(files);
        this.checkedAt = nanoClock.getAsLong();
    }

    /**
     * Loads {@code files} now.
     *
     * @throws IOException naming the file and the reason when a file is missing or unreadable, or the material is unusable
     */
    public static ReloadingTls load(TlsFiles files) throws IOException {
        return new ReloadingTls(files, System::nanoTime);
    }

    static ReloadingTls load(TlsFiles files, LongSupplier nanoClock) throws IOException {
        return new ReloadingTls(files, nanoClock);
    }

    /** The context for a new connection: the files' current content, or the last one that loaded. */
    public synchronized SslContext current() {
        long now = nanoClock.getAsLong();
        if (now - checkedAt < CHECK_INTERVAL_NANOS) return context;
        checkedAt = now;
        List<Object> seen;
        try {
            seen = stamp(files);
        } catch (IOException e) {
            LOG.warning(() -> "TLS files unreadable, still serving the certificate loaded before: " + e.getMessage());
            return context;
        }
        if (seen.equals(stamp)) return context;
        try {
            context = context(files);
            stamp = seen;
            LOG.info(() -> "TLS certificate reloaded from " + files.certificateChain());
        } catch (IOException e) {
            LOG.warning(() -> "TLS files changed but do not load, still serving the certificate loaded before: " + e.getMessage());
        }
        return context;
    }

    public TlsFiles files() {
        return files;
    }

    private static List<Object> stamp(TlsFiles files) throws IOException {
        List<Object> out = new ArrayList<>();
        for (Path p : paths(files)) {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            out.add(a.lastModifiedTime());
            out.add(a.size());
        }
        return out;
    }

    private static List<Path> paths(TlsFiles files) {
        List<Path> out = new ArrayList<>(List.of(files.certificateChain(), files.privateKey()));
        files.clientCa().ifPresent(out::add);
        return out;
    }

    private static SslContext context(TlsFiles files) throws IOException {
        for (Path p : paths(files)) {
            if (!Files.isReadable(p)) throw new IOException(p + ": not a readable file");
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(files.certificateChain().toFile(), files.privateKey().toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS);
            if (files.clientCa().isPresent()) {
                b.trustManager(files.clientCa().get().toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(files.certificateChain() + " / " + files.privateKey() + ": " + e.getMessage(), e);
        }
    }
}
