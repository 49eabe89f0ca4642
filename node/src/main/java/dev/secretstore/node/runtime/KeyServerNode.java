package dev.secretstore.node.runtime;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.node.audit.AuditTrail;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.acl.AllowAllAclChecker;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.node.http.Admission;
import dev.secretstore.node.http.HttpApi;
import dev.secretstore.node.http.KeyCreators;
import dev.secretstore.node.http.RequestLimits;
import dev.secretstore.node.ops.NodeMetrics;
import dev.secretstore.node.ops.OpsServer;
import dev.secretstore.node.storage.SqliteKeyStorage;
import dev.secretstore.node.transport.ClusterTransport;
import dev.secretstore.node.transport.TransportConfig;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.ClusterKeyServer;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import dev.secretstore.protocol.KeyServer;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.auth.WallClock;
import dev.secretstore.protocol.codec.ClusterMessages;
import dev.secretstore.protocol.codec.MessageCodec;
import dev.secretstore.protocol.key.KeyStorage;
import dev.secretstore.protocol.session.Clock;
import dev.secretstore.protocol.session.ClusterSessions;
import dev.secretstore.protocol.session.ClusterView;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One key server, assembled: SQLite storage, the Noise transport, the message codec, the session
 * manager on a single "cluster loop" thread, the {@link ClusterKeyServer} facade and the HTTP API.
 * Network callbacks and HTTP requests only hand work to the cluster loop, so the protocol layer runs
 * single-threaded as it is designed to.
 */
public final class KeyServerNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KeyServerNode.class.getName());

    /**
     * What a node needs to run. {@code httpAddress} null disables the HTTP API. {@code admission} and
     * {@code keyCreators}: the HTTP API's admission by cost and who may create keys (SEC-35). {@code requesters}: how
     * requesters authorize requests (legacy policy, cluster id, clock and nonce rules; SEC-32). {@code listeners}: the
     * HTTP API's and the ops listener's limits and TLS (SEC-34).
     */
    public record Settings(KeyPair nodeKey, InetSocketAddress clusterAddress, Map<NodeId, InetSocketAddress> members,
                           InetSocketAddress httpAddress, Path dataDir, CorsPolicy cors, boolean strict,
                           Function<KeyStorage, AclChecker> acl, boolean aclDisabled, Duration sessionTimeout, int maxSessions,
                           AdminPolicy admin, RequestLimits.Config httpLimits, InetSocketAddress opsAddress,
                           TransportConfig transport, Availability availability, HostAllowList httpHosts,
                           Admission.Config admission, KeyCreators keyCreators, NodeConfig.RequesterAuthorization requesters,
                           NodeConfig.HttpListeners listeners, AuditTrail.Config audit) {
        /** With the audit file in its default place ({@code <data dir>/audit.jsonl}, SEC-29). */
        public Settings(KeyPair nodeKey, InetSocketAddress clusterAddress, Map<NodeId, InetSocketAddress> members,
                        InetSocketAddress httpAddress, Path dataDir, CorsPolicy cors, boolean strict,
                        Function<KeyStorage, AclChecker> acl, boolean aclDisabled, Duration sessionTimeout, int maxSessions,
                        AdminPolicy admin, RequestLimits.Config httpLimits, InetSocketAddress opsAddress,
                        TransportConfig transport, Availability availability, HostAllowList httpHosts,
                        Admission.Config admission, KeyCreators keyCreators, NodeConfig.RequesterAuthorization requesters,
                        NodeConfig.HttpListeners listeners) {
            this(nodeKey, clusterAddress, members, httpAddress, dataDir, cors, strict, acl, aclDisabled, sessionTimeout, maxSessions,
                    admin, httpLimits, opsAddress, transport, availability, httpHosts, admission, keyCreators, requesters, listeners,
                    AuditTrail.Config.defaults(dataDir));
        }

        /** With the HTTP listeners' default limits, in plain HTTP. */
        public Settings(KeyPair nodeKey, InetSocketAddress clusterAddress, Map<NodeId, InetSocketAddress> members,
                        InetSocketAddress httpAddress, Path dataDir, CorsPolicy cors, boolean strict,
                        Function<KeyStorage, AclChecker> acl, boolean aclDisabled, Duration sessionTimeout, int maxSessions,
                        AdminPolicy admin, RequestLimits.Config httpLimits, InetSocketAddress opsAddress,
                        TransportConfig transport, Availability availability, HostAllowList httpHosts,
                        Admission.Config admission, KeyCreators keyCreators, NodeConfig.RequesterAuthorization requesters) {
            this(nodeKey, clusterAddress, members, httpAddress, dataDir, cors, strict, acl, aclDisabled, sessionTimeout, maxSessions,
                    admin, httpLimits, opsAddress, transport, availability, httpHosts, admission, keyCreators, requesters,
                    NodeConfig.HttpListeners.DEFAULT);
        }

        /** With Parity's requester rules (static signatures do everything, cluster id from the members). */
        public Settings(KeyPair nodeKey, InetSocketAddress clusterAddress, Map<NodeId, InetSocketAddress> members,
                        InetSocketAddress httpAddress, Path dataDir, CorsPolicy cors, boolean strict,
                        Function<KeyStorage, AclChecker> acl, boolean aclDisabled, Duration sessionTimeout, int maxSessions,
                        AdminPolicy admin, RequestLimits.Config httpLimits, InetSocketAddress opsAddress,
                        TransportConfig transport, Availability availability, HostAllowList httpHosts,
                        Admission.Config admission, KeyCreators keyCreators) {
            this(nodeKey, clusterAddress, members, httpAddress, dataDir, cors, strict, acl, aclDisabled, sessionTimeout, maxSessions,
                    admin, httpLimits, opsAddress, transport, availability, httpHosts, admission, keyCreators,
                    NodeConfig.RequesterAuthorization.DEFAULT);
        }

        /** Without admission limits (programmatic clusters: tests, the benchmark); anyone may create keys. */
        public Settings(KeyPair nodeKey, InetSocketAddress clusterAddress, Map<NodeId, InetSocketAddress> members,
                        InetSocketAddress httpAddress, Path dataDir, CorsPolicy cors, boolean strict,
                        Function<KeyStorage, AclChecker> acl, boolean aclDisabled, Duration sessionTimeout, int maxSessions,
                        AdminPolicy admin, RequestLimits.Config httpLimits, InetSocketAddress opsAddress,
                        TransportConfig transport, Availability availability, HostAllowList httpHosts) {
            this(nodeKey, clusterAddress, members, httpAddress, dataDir, cors, strict, acl, aclDisabled, sessionTimeout, maxSessions,
                    admin, httpLimits, opsAddress, transport, availability, httpHosts, Admission.Config.NONE, KeyCreators.anyone());
        }

        /** With the default Host allow-list (SEC-37). */
        public Settings(KeyPair nodeKey, InetSocketAddress clusterAddress, Map<NodeId, InetSocketAddress> members,
                        InetSocketAddress httpAddress, Path dataDir, CorsPolicy cors, boolean strict,
                        Function<KeyStorage, AclChecker> acl, boolean aclDisabled, Duration sessionTimeout, int maxSessions,
                        AdminPolicy admin, RequestLimits.Config httpLimits, InetSocketAddress opsAddress,
                        TransportConfig transport, Availability availability) {
            this(nodeKey, clusterAddress, members, httpAddress, dataDir, cors, strict, acl, aclDisabled, sessionTimeout, maxSessions,
                    admin, httpLimits, opsAddress, transport, availability, HostAllowList.defaults());
        }

        /** With the transport's default settings (heartbeat 2 s, peer deadline 6 s). */
        public Settings(KeyPair nodeKey, InetSocketAddress clusterAddress, Map<NodeId, InetSocketAddress> members,
                        InetSocketAddress httpAddress, Path dataDir, CorsPolicy cors, boolean strict,
                        Function<KeyStorage, AclChecker> acl, boolean aclDisabled, Duration sessionTimeout, int maxSessions,
                        AdminPolicy admin, RequestLimits.Config httpLimits, InetSocketAddress opsAddress) {
            this(nodeKey, clusterAddress, members, httpAddress, dataDir, cors, strict, acl, aclDisabled, sessionTimeout, maxSessions,
                    admin, httpLimits, opsAddress, TransportConfig.defaults(), Availability.DEFAULTS);
        }

        public Settings {
            Objects.requireNonNull(admission, "admission");
            Objects.requireNonNull(keyCreators, "keyCreators");
            Objects.requireNonNull(httpHosts, "httpHosts");
            Objects.requireNonNull(requesters, "requesters");
            Objects.requireNonNull(listeners, "listeners");
            Objects.requireNonNull(audit, "audit");
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(availability, "availability");
            Objects.requireNonNull(httpLimits, "httpLimits");
            Objects.requireNonNull(admin, "admin");
            Objects.requireNonNull(nodeKey, "nodeKey");
            Objects.requireNonNull(clusterAddress, "clusterAddress");
            members = Map.copyOf(members);
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(cors, "cors");
            Objects.requireNonNull(acl, "acl");
            Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        }
    }

    private final Settings settings;
    private final NodeId self;
    private final ScheduledExecutorService loop;
    private final MessageCodec codec = ClusterMessages.codec();
    private KeyStorage storage;
    private dev.secretstore.node.storage.BackupSocket backupSocket;
    private ClusterTransport transport;
    private ClusterSessions sessions;
    private ClusterKeyServer keyServer;
    private HttpApi http;
    private OpsServer ops;
    private final NodeMetrics metrics = new NodeMetrics();
    private AclChecker acl;
    private RequesterCheck requesters;
    private AuditTrail audit;
    private boolean closed;

    public KeyServerNode(Settings settings) {
        this.settings = settings;
        this.self = new NodeId(settings.nodeKey().publicKey());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-loop-" + self.shortId());
            t.setDaemon(true);
            return t;
        });
    }

    public NodeId id() {
        return self;
    }

    /**
     * Opens storage, starts the transport and the HTTP API.
     *
     * @throws PortTakenException when the cluster, HTTP API or ops port is held by another process (the caller closes the node)
     */
    public synchronized void start() throws IOException {
        NodeConfig.HttpListeners listeners = settings.listeners();
        // the TLS material first: a certificate that does not load stops the start before anything listens
        ReloadingTls apiTls = settings.httpAddress() == null || listeners.tls().isEmpty() ? null
                : loadTls(listeners.tls().get(), "tls_certificate / tls_private_key");
        ReloadingTls opsTls = settings.opsAddress() == null || listeners.opsTlsFiles().isEmpty() ? null
                : loadTls(listeners.opsTlsFiles().get(), "tls_certificate / tls_private_key / ops_tls_client_ca");
        SqliteKeyStorage sqlite = new SqliteKeyStorage(settings.dataDir(), settings.nodeKey().secret());
        storage = sqlite;
        try {
            backupSocket = dev.secretstore.node.storage.BackupSocket.start(settings.dataDir(), sqlite);
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "no online backup: cannot listen on " + settings.dataDir().resolve(
                    dev.secretstore.node.storage.BackupSocket.SOCKET_NAME) + ": " + e.getMessage());
        }
        audit = AuditTrail.open(settings.audit(), settings.nodeKey()); // SEC-29: a trail that cannot be opened stops the start
        acl = settings.acl().apply(storage);
        if (settings.aclDisabled()) {
            // SEC-22: loudly, at start-up and every 10 minutes.
            LOG.warning(AllowAllAclChecker.WARNING);
            loop.scheduleAtFixedRate(() -> LOG.warning(AllowAllAclChecker.WARNING), 10, 10, TimeUnit.MINUTES);
        }
        ClusterView view = new ClusterView() {
            private final SortedSet<NodeId> members = Collections.unmodifiableSortedSet(membersWithSelf());

            @Override
            public NodeId self() {
                return self;
            }

            @Override
            public SortedSet<NodeId> members() {
                return members;
            }

            @Override
            public Set<NodeId> connected() {
                return transport.connectedPeers();
            }
        };
        TransportNetwork network = new TransportNetwork(this::transmit, codec::encode,
                (to, key, reason) -> sessions.onSendFailed(to, key, reason));
        sessions = new ClusterSessions(self, network, loop, Clock.SYSTEM, settings.sessionTimeout(), settings.maxSessions());
        sessions.observe((session, nanos) -> {
            String type = session.key().type().name().toLowerCase(java.util.Locale.ROOT);
            boolean master = session.key().master().equals(self);
            metrics.session(type, master, session.failure().map(f -> f.kind().name()).orElse("ok"),
                    session.blamed().stream().map(id -> "0x" + id.toHex()).sorted().toList());
            if (master && session instanceof dev.secretstore.protocol.session.consensus.KeyUseSession<?>) {
                metrics.roundTrips(type, session.roundTrips()); // issue #18: round trips per key-use request
            }
        });
        sessions.record(audit); // one line per client request on every member taking part (SEC-29)
        requesters = requesterCheck();
        keyServer = new ClusterKeyServer(sessions, view, storage, acl, settings.admin(), settings.availability(), requesters, loop,
                new SecureRandom(), Clock.SYSTEM);
        transport = new ClusterTransport(settings.nodeKey(), settings.clusterAddress(), settings.members(), new ClusterTransport.Listener() {
            @Override
            public void onMessage(NodeId from, byte[] message) {
                loop.execute(() -> deliver(from, message));
            }

            @Override
            public void onDisconnected(NodeId peer) {
                loop.execute(() -> sessions.onNodeDisconnected(peer));
            }
        }, settings.transport());
        try {
            transport.start();
        } catch (Exception e) { // Netty rethrows the bind failure undeclared
            if (e instanceof java.net.BindException) {
                throw new PortTakenException("cluster", settings.clusterAddress(), "[secretstore] interface/port", e);
            }
            throw e;
        }
        loop.scheduleAtFixedRate(() -> {
            try {
                sessions.tick();
                keyServer.maintain();
                audit.maybeCheckpoint();
            } catch (RuntimeException e) { // SEC-19: the maintenance task never dies
                LOG.log(Level.WARNING, "session maintenance failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        if (settings.httpAddress() != null) {
            try {
                http = new HttpApi(keyServer, settings.httpAddress(), settings.cors(), settings.httpHosts(), settings.strict(),
                        new RequestLimits(settings.httpLimits()), new Admission(settings.admission()), keyCreators(settings.keyCreators(), acl),
                        metrics::request, requesters, listeners.limits(), apiTls);
            } catch (java.net.BindException e) {
                throw new PortTakenException("HTTP API", settings.httpAddress(), "[secretstore] http_interface/http_port", e);
            }
            metrics.listener(HttpApi.LISTENER, http::stats);
            warnIfPlainBeyondLoopback(HttpApi.LISTENER, http.address(), http.secure(), "set tls_certificate and tls_private_key");
        }
        if (settings.opsAddress() != null) {
            metrics.cluster("0x" + self.toHex(), membersWithSelf().stream().map(id -> "0x" + id.toHex()).toList(),
                    () -> storage.keyIds().size());
            try {
                ops = new OpsServer(settings.opsAddress(), metrics, this::gauges, clusterId(), OpsServer.limits(listeners.limits()), opsTls);
            } catch (java.net.BindException e) {
                throw new PortTakenException("ops", settings.opsAddress(), "[secretstore_ext] ops_interface/ops_port", e);
            }
            metrics.listener(OpsServer.LISTENER, ops::stats);
            warnIfPlainBeyondLoopback(OpsServer.LISTENER, ops.address(), ops.secure(), listeners.tls().isPresent()
                    ? "set ops_tls = true" : "set tls_certificate and tls_private_key");
        }
    }

    /** The listener's TLS material, loaded now; a failure names the options and the file at fault. */
    private static ReloadingTls loadTls(TlsFiles files, String options) throws IOException {
        try {
            return ReloadingTls.load(files);
        } catch (IOException e) {
            throw new IOException("[secretstore_ext] " + options + ": " + e.getMessage(), e);
        }
    }

    /** SEC-30, SEC-34: a listener reachable beyond this machine in plain HTTP is one WARNING line at start. */
    static void warnIfPlainBeyondLoopback(String listener, InetSocketAddress address, boolean secure, String fix) {
        if (secure || address.getAddress().isLoopbackAddress()) return;
        String ip = address.getAddress().getHostAddress();
        String shown = (address.getAddress() instanceof java.net.Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
        LOG.warning(() -> listener + ": plain HTTP on a non-loopback address " + shown + "; " + fix + " in [secretstore_ext] to serve HTTPS (SEC-30, SEC-34)");
    }

    /** This member's requester check (SEC-31, SEC-32), logged once: the cluster id and the legacy policy. */
    private RequesterCheck requesterCheck() {
        NodeConfig.RequesterAuthorization r = settings.requesters();
        RequesterCheck.Settings s = r.checkSettings(memberKeys());
        LOG.info(() -> "cluster id 0x" + s.clusterId().toHex() + " (" + r.clusterName().map(n -> "cluster_id \"" + n + "\"")
                .orElse("from the " + membersWithSelf().size() + " members") + "), legacy_requester_signatures = " + s.legacy().configName()
                + ", authorization lifetime " + s.maxLifetime().toSeconds() + " s, clock skew " + s.clockSkew().toSeconds() + " s");
        return new RequesterCheck(s, WallClock.SYSTEM, new ReplayGuard(r.nonceCapacity()));
    }

    private java.util.List<PublicPoint> memberKeys() {
        return membersWithSelf().stream().map(NodeId::publicKey).toList();
    }

    /** This cluster's id in fresh authorizations (docs/auth.md §3), as configured; known before {@link #start()}. */
    public H256 clusterId() {
        return settings.requesters().clusterId(memberKeys());
    }

    /**
     * {@code key_creators}, and with an ACL policy file also its {@code [[creator]]} entries; with
     * {@code key_creators = "contract"} the ACL contract's {@code canCreateKeys} (SEC-35).
     */
    static KeyCreators keyCreators(KeyCreators configured, AclChecker acl) {
        if (configured.asksContract()) {
            if (!(acl instanceof dev.secretstore.node.acl.EthCallAclChecker contract)) {
                throw new IllegalStateException("key_creators = \"contract\" needs acl_contract = <address>");
            }
            return configured.and(contract::mayCreateKeys);
        }
        return acl instanceof dev.secretstore.node.acl.PolicyFileAclChecker policy ? configured.and(policy::mayCreate) : configured;
    }

    /**
     * The encoded envelopes of the session manager's network ({@link TransportNetwork}, which encodes before
     * calling this, so a session may wipe the secrets it sent right after): to peers through the transport;
     * to this node itself later on the loop like any peer's message, never re-entrantly (the self-delivery
     * rule of ClusterSessions.Network).
     */
    private java.util.concurrent.CompletionStage<Void> transmit(NodeId to, byte[] message) {
        if (!to.equals(self)) return transport.send(to, message);
        try {
            loop.execute(() -> deliver(self, message));
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        } catch (java.util.concurrent.RejectedExecutionException e) { // shutting down
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /** On the loop: one authenticated message into the session manager. */
    private void deliver(NodeId from, byte[] message) {
        try {
            sessions.onEnvelope(from, codec.decode(message));
        } catch (MessageCodec.CodecException e) {
            LOG.warning(() -> "dropped undecodable message from " + from.shortId() + ": " + e.getMessage());
        }
    }

    /** Point-in-time values for /health and /metrics; the loop must answer within 2 s to count as responsive. */
    private NodeMetrics.Gauges gauges() {
        int members = membersWithSelf().size();
        java.util.Set<NodeId> peerIds = transport.connectedPeers();
        int peers = peerIds.size();
        SortedSet<NodeId> connectedIds = new TreeSet<>(peerIds);
        connectedIds.add(self);
        java.util.List<String> connected = connectedIds.stream().map(id -> "0x" + id.toHex()).toList();
        String storageState = storage instanceof SqliteKeyStorage sqlite ? sqlite.health()
                : dev.secretstore.node.storage.StorageHealth.probe(settings.dataDir());
        java.util.concurrent.Future<NodeMetrics.Gauges> active = null;
        try {
            active = loop.submit(() -> new NodeMetrics.Gauges(members, peers, sessions.activeSessions().size(), true,
                    keyServer.availabilityStatus(), connected, storageState));
            return active.get(2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            if (active != null) active.cancel(false);
            return unresponsive(members, peers, connected, storageState);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unresponsive(members, peers, connected, storageState);
        }
    }

    private static NodeMetrics.Gauges unresponsive(int members, int peers, java.util.List<String> connected, String storage) {
        return new NodeMetrics.Gauges(members, peers, 0, false, new dev.secretstore.protocol.AvailabilityStatus().snapshot(),
                connected, storage);
    }

    /** The ops port actually bound, or -1 without an ops listener. */
    public int opsPort() {
        return ops == null ? -1 : ops.port();
    }

    private SortedSet<NodeId> membersWithSelf() {
        SortedSet<NodeId> all = new TreeSet<>(settings.members().keySet());
        all.add(self);
        return all;
    }

    /** The ACL checker built for this node's storage (for wiring sessions that need it). */
    AclChecker acl() {
        return acl;
    }

    /** This node's audit file (SEC-29). */
    public Path auditFile() {
        return settings.audit().file();
    }

    public KeyServer keyServer() {
        return keyServer;
    }

    /** The HTTP port actually bound (the configured one, or the ephemeral one for port 0). */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** Started and not closed. */
    public synchronized boolean isRunning() {
        return transport != null && !closed;
    }

    public boolean isConnectedTo(NodeId peer) {
        return transport != null && transport.isConnected(peer);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (ops != null) ops.close();
        if (http != null) http.close();
        if (transport != null) transport.close();
        loop.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (audit != null) audit.close(); // the final signed checkpoint
        if (backupSocket != null) backupSocket.close();
        if (storage != null) storage.close();
    }
}
