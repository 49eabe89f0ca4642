package dev.secretstore.bench.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.node.acl.AllowAllAclChecker;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.http.Admission;
import dev.secretstore.node.http.KeyCreators;
import dev.secretstore.node.http.RequestLimits;
import dev.secretstore.node.transport.TransportConfig;
import dev.secretstore.protocol.Availability;
import dev.secretstore.cli.dev.DevCluster;
import dev.secretstore.node.runtime.KeyServerNode;
import dev.secretstore.node.runtime.NodeSettings;
import dev.secretstore.node.storage.SqliteKeyStorage;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.key.KeyShare;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * N real key servers in this process ({@link KeyServerNode}: Noise transport on loopback, SQLite stores,
 * the HTTP API), on free ports so that a running {@code ./secretstore dev} is not disturbed, with
 * {@code acl_contract = "none"} set explicitly (every requester allowed; the node logs its warning).
 *
 * <p>The directory holds {@code bench.json} (node keys, requester key, seed, how many keys are seeded)
 * and one store per node ({@code node-i/keys.sqlite}). A temporary directory is deleted on close; a
 * directory given with {@code --data-dir} is kept and reused, so a million seeded keys are seeded once.
 */
public final class BenchCluster implements AutoCloseable {
    static final String STATE_FILE = "bench.json";
    static final String DOCUMENT_KEY_POOL = "doc";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keys per bulk transaction while seeding. */
    private static final int BATCH = 2000;

    /** What {@code bench.json} records; secrets are in hex (benchmark keys only). */
    public record State(int format, int nodes, int threshold, String seed, List<String> nodeSecrets, String requesterSecret,
                        long documentKeys) {}

    private final Path dir;
    private final boolean temporary;
    private State state;
    private final List<KeyPair> nodeKeys = new ArrayList<>();
    private final KeyPair requester;
    private final List<KeyServerNode> nodes = new ArrayList<>();
    private final PrintStream log;
    private NodeConfig.HttpListeners listeners = NodeConfig.HttpListeners.DEFAULT;
    private java.time.Duration linkDelay; // null: direct links
    private final List<DelayProxy> proxies = new ArrayList<>();

    private BenchCluster(Path dir, boolean temporary, State state, PrintStream log) {
        this.dir = dir;
        this.temporary = temporary;
        this.state = state;
        this.log = log;
        for (String s : state.nodeSecrets()) nodeKeys.add(KeyPair.fromSecretBytes(Hex.decode(s)));
        this.requester = KeyPair.fromSecretBytes(Hex.decode(state.requesterSecret()));
    }

    /**
     * Opens the cluster in {@code dir} (null: a fresh temporary directory), creating its keys on first use.
     * A directory made for another N or t is refused.
     */
    public static BenchCluster open(Path dir, int n, int t, PrintStream log) throws IOException {
        boolean temporary = dir == null;
        Path d = temporary ? Files.createTempDirectory("secretstore-bench-") : dir;
        Files.createDirectories(d);
        Path stateFile = d.resolve(STATE_FILE);
        State state;
        if (Files.exists(stateFile)) {
            state = JSON.readValue(stateFile.toFile(), State.class);
            if (state.nodes() != n || state.threshold() != t) {
                throw new IOException(d + " holds a bench cluster with N = " + state.nodes() + ", t = " + state.threshold()
                        + "; use another --data-dir for N = " + n + ", t = " + t);
            }
        } else {
            SecureRandom rng = new SecureRandom();
            List<String> secrets = new ArrayList<>();
            for (int i = 0; i < n; i++) secrets.add(Hex.encode(KeyPair.random().secret().toBytes()));
            byte[] seed = new byte[32];
            rng.nextBytes(seed);
            state = new State(1, n, t, Hex.encode(seed), secrets, Hex.encode(KeyPair.random().secret().toBytes()), 0);
            write(stateFile, state);
        }
        return new BenchCluster(d, temporary, state, log);
    }

    private static void write(Path file, State state) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public Path dir() {
        return dir;
    }

    public int n() {
        return state.nodes();
    }

    public int threshold() {
        return state.threshold();
    }

    public KeyPair requester() {
        return requester;
    }

    public List<NodeId> nodeIds() {
        return nodeKeys.stream().map(k -> new NodeId(k.publicKey())).toList();
    }

    /** Keys with a document key seeded so far (pool {@value #DOCUMENT_KEY_POOL}, indices 0 … count−1). */
    public long documentKeys() {
        return state.documentKeys();
    }

    public SeededKeys pool(String name, boolean withDocumentKey) {
        return new SeededKeys(Hex.decode(state.seed()), name, nodeIds(), state.threshold(), requester.address(), withDocumentKey);
    }

    private Path nodeDir(int i) {
        return dir.resolve("node-" + i);
    }

    /** Seeds the document-key pool up to {@code count} keys (before {@link #start}). Returns seconds spent. */
    public double seedDocumentKeys(long count) throws IOException {
        long have = state.documentKeys();
        if (count <= have) return 0;
        double seconds = seed(pool(DOCUMENT_KEY_POOL, true), have, count, "keys with a document key");
        state = new State(state.format(), state.nodes(), state.threshold(), state.seed(), state.nodeSecrets(), state.requesterSecret(), count);
        write(dir.resolve(STATE_FILE), state);
        return seconds;
    }

    /** Seeds keys {@code from … to−1} of {@code keys} into every node's store with {@link SqliteKeyStorage#importCommitted}. */
    public double seed(SeededKeys keys, long from, long to, String what) throws IOException {
        if (!nodes.isEmpty()) throw new IllegalStateException("seed before start");
        long started = System.nanoTime();
        int n = n();
        List<SqliteKeyStorage> stores = new ArrayList<>();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "bench-seed");
            th.setDaemon(true);
            return th;
        });
        AtomicLong done = new AtomicLong();
        try {
            for (int j = 0; j < n; j++) stores.add(new SqliteKeyStorage(nodeDir(j), nodeKeys.get(j).secret()));
            List<Future<?>> futures = new ArrayList<>();
            for (long b = from; b < to; b += BATCH) {
                long lo = b;
                long hi = Math.min(to, b + BATCH);
                futures.add(pool.submit(() -> {
                    List<List<KeyShare>> byNode = new ArrayList<>();
                    for (int j = 0; j < n; j++) byNode.add(new ArrayList<>((int) (hi - lo)));
                    for (long i = lo; i < hi; i++) {
                        List<KeyShare> shares = keys.shares(i);
                        for (int j = 0; j < n; j++) byNode.get(j).add(shares.get(j));
                    }
                    for (int j = 0; j < n; j++) {
                        // A batch is all or nothing, so after an interrupted seeding its first key says whether it landed.
                        if (!stores.get(j).contains(keys.keyId(lo))) stores.get(j).importCommitted(byNode.get(j));
                        byNode.get(j).forEach(s -> s.versions().forEach(v -> v.share().destroy()));
                    }
                    long d = done.addAndGet(hi - lo);
                    progress(what, d, to - from, started);
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("seeding failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("seeding interrupted");
        } finally {
            pool.shutdownNow();
            for (SqliteKeyStorage s : stores) s.close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (to - from >= BATCH) log.printf("%nseeded %,d %s into %d stores in %.1f s (%,.0f keys/s)%n", to - from, what, n, seconds, (to - from) / seconds);
        return seconds;
    }

    private synchronized void progress(String what, long done, long total, long started) {
        if (total < BATCH) return;
        double s = (System.nanoTime() - started) / 1e9;
        double rate = done / Math.max(s, 1e-9);
        log.printf("\rseeding %s: %,d / %,d (%.0f%%), %,.0f keys/s, %.0f s left   ", what, done, total, 100.0 * done / total, rate,
                (total - done) / Math.max(rate, 1e-9));
        log.flush();
    }

    /**
     * The HTTP API's connection caps of every node ({@code http_max_connections}, {@code http_max_connections_per_address}),
     * before {@link #start}; the node's defaults otherwise.
     */
    public void httpConnectionLimits(int total, int perAddress) {
        if (!nodes.isEmpty()) throw new IllegalStateException("set the limits before start");
        listeners = new NodeConfig.HttpListeners(listeners.limits().withConnections(total, perAddress), listeners.tls(), listeners.opsTls(),
                listeners.opsClientCa());
    }

    /**
     * WAN mode, before {@link #start}: every member-to-member link goes through a {@link DelayProxy} that holds
     * each byte for {@code oneWay} in each direction (node i knows peer j at a proxy port forwarding to j).
     */
    public void linkDelay(java.time.Duration oneWay) {
        if (!nodes.isEmpty()) throw new IllegalStateException("choose WAN mode before start; then change the delay with relinkDelay");
        linkDelay = oneWay;
    }

    /** WAN mode, after {@link #start}: a new one-way delay on every member link, for bytes read from now on. */
    public void relinkDelay(java.time.Duration oneWay) {
        if (linkDelay == null) throw new IllegalStateException("not in WAN mode");
        linkDelay = oneWay;
        proxies.forEach(p -> p.delay(oneWay));
    }

    /** Transport frames the delaying proxies have forwarded so far (0 without {@link #linkDelay}; a zero delay still goes through the proxies). */
    public long linkFrames() {
        return proxies.stream().mapToLong(DelayProxy::frames).sum();
    }

    /** Starts every node on free loopback ports and waits until all are connected. */
    public void start() throws IOException, InterruptedException {
        int n = n();
        List<Integer> ports = freePorts(n);
        Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < n; i++) members.put(new NodeId(nodeKeys.get(i).publicKey()), new InetSocketAddress(loopback, ports.get(i)));
        try {
            for (int i = 0; i < n; i++) {
                Map<NodeId, InetSocketAddress> view = linkDelay == null ? members : viewThroughProxies(i, members);
                KeyServerNode.Settings settings = new KeyServerNode.Settings(nodeKeys.get(i), new InetSocketAddress(loopback, ports.get(i)),
                        view, new InetSocketAddress(loopback, 0), nodeDir(i), CorsPolicy.none(), false,
                        storage -> new AllowAllAclChecker(), true, NodeSettings.SESSION_TIMEOUT, NodeSettings.MAX_SESSIONS,
                        // no administrator; no per-requester limits (the bench is one requester at hundreds of requests
                        // per second, which SEC-23's defaults would throttle); no ops listener; no admission by cost
                        AdminPolicy.NONE, RequestLimits.Config.NONE, null, TransportConfig.defaults(), Availability.DEFAULTS,
                        HostAllowList.defaults(), Admission.Config.NONE, KeyCreators.anyone(), NodeConfig.RequesterAuthorization.DEFAULT,
                        listeners);
                KeyServerNode node = new KeyServerNode(settings);
                nodes.add(node);
                node.start();
            }
            DevCluster.awaitConnected(nodes);
        } catch (IOException | InterruptedException | RuntimeException e) {
            stopNodes();
            throw e;
        }
    }

    /** Node i's member map in WAN mode: itself at its own address, every peer at a new delaying proxy to that peer. */
    private Map<NodeId, InetSocketAddress> viewThroughProxies(int i, Map<NodeId, InetSocketAddress> members) throws IOException {
        NodeId self = new NodeId(nodeKeys.get(i).publicKey());
        Map<NodeId, InetSocketAddress> view = new LinkedHashMap<>();
        for (Map.Entry<NodeId, InetSocketAddress> e : members.entrySet()) {
            if (e.getKey().equals(self)) {
                view.put(e.getKey(), e.getValue());
            } else {
                DelayProxy proxy = proxyAvoiding(e.getValue(), members);
                proxies.add(proxy);
                view.put(e.getKey(), proxy.address());
            }
        }
        return view;
    }

    /**
     * A proxy to {@code target} whose own port is none of the members' ports: those were free a moment ago but the
     * nodes have not all bound them yet, and a proxy's ephemeral port may be one of them.
     */
    private DelayProxy proxyAvoiding(InetSocketAddress target, Map<NodeId, InetSocketAddress> members) throws IOException {
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        members.values().forEach(a -> taken.add(a.getPort()));
        List<DelayProxy> rejected = new ArrayList<>();
        try {
            while (true) {
                DelayProxy proxy = new DelayProxy(target, linkDelay);
                if (!taken.contains(proxy.port())) return proxy;
                rejected.add(proxy); // held until a good one is found, so the next try gets another port
            }
        } finally {
            rejected.forEach(DelayProxy::close);
        }
    }

    /** Ports that were free a moment ago (the cluster ports must be known before the nodes start). */
    static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : held) s.close();
        }
    }

    /** The nodes' HTTP API base URLs. */
    public List<URI> urls() {
        return nodes.stream().map(node -> URI.create("http://127.0.0.1:" + node.httpPort())).toList();
    }

    private void stopNodes() {
        for (KeyServerNode node : nodes) node.close();
        nodes.clear();
        proxies.forEach(DelayProxy::close);
        proxies.clear();
    }

    @Override
    public void close() {
        stopNodes();
        for (KeyPair k : nodeKeys) k.destroy();
        requester.destroy();
        if (temporary) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
