package dev.secretstore.cli.dev;

import dev.secretstore.cli.ClusterInit;
import dev.secretstore.cli.DevClusterRunner;
import dev.secretstore.cli.PortsShift;
import dev.secretstore.crypto.Hex;
import dev.secretstore.keystore.PrivateFiles;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import dev.secretstore.node.config.ConfigException;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.runtime.KeyServerNode;
import dev.secretstore.node.runtime.NodeSettings;
import dev.secretstore.node.runtime.PortTakenException;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.rpc.SecretStoreRpc;
import dev.secretstore.rpc.http.RpcHttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code secretstore dev}: N key servers in one process on loopback, each with its own cluster port,
 * HTTP port and store (node i: HTTP 8082+i, cluster 12000+i). Creates the keys and configurations
 * in DIR on first use and reuses them afterwards, so keys survive restarts. Writes {@code DIR/dev.json}
 * and prints the endpoints and a ready-to-paste example.
 */
public final class DevCluster implements DevClusterRunner {
    public static final int CLUSTER_BASE_PORT = DevClusterRunner.CLUSTER_BASE_PORT;
    public static final int HTTP_BASE_PORT = DevClusterRunner.HTTP_BASE_PORT;
    public static final int OPS_BASE_PORT = DevClusterRunner.OPS_BASE_PORT;
    public static final String REQUESTER_KEY = "requester.key";
    /** Port of the development JSON-RPC service ({@code secretstore dev}); tests pass 0 for a free port. */
    public static final int RPC_PORT = DevClusterRunner.RPC_PORT;
    /** Under the dev dir: the rpc service's keystore directory and its accounts' passwords. */
    public static final String RPC_KEYSTORE = "rpc/keystore";
    public static final String RPC_ACCOUNTS = "rpc/accounts.json";
    /** Number of development accounts of the rpc service. */
    public static final int RPC_ACCOUNT_COUNT = 2;

    /** A development account of the rpc service: address ({@code 0x}…), password, keystore file relative to the dev dir. */
    public record RpcAccount(String address, String password, String keystore) {
        @Override
        public String toString() {
            return "RpcAccount[" + address + ", " + keystore + "]";
        }
    }

    /** A started cluster. */
    public static final class Running implements AutoCloseable {
        private final List<KeyServerNode> nodes;
        private final List<NodeConfig> configs;
        private final Path devJson;
        private final Path caFile;
        private RpcHttpServer rpc;
        private List<RpcAccount> rpcAccounts = List.of();

        Running(List<KeyServerNode> nodes, List<NodeConfig> configs, Path devJson, Path caFile) {
            this.nodes = new ArrayList<>(nodes);
            this.configs = configs;
            this.devJson = devJson;
            this.caFile = caFile;
        }

        /** With {@code --tls}: the development CA's certificate (absolute), which clients trust; null without TLS. */
        public Path caFile() {
            return caFile;
        }

        /** {@code curl -s}, with {@code --cacert} of the development CA under TLS: the banner's commands. */
        public String curl() {
            return caFile == null ? "curl -s" : "curl -s --cacert " + caFile;
        }

        private String scheme() {
            return caFile == null ? "http://" : "https://";
        }

        public List<KeyServerNode> nodes() {
            return nodes;
        }

        /** Stops node i (its store stays on disk). */
        public void stop(int i) {
            nodes.get(i).close();
        }

        /** Starts node i again from its configuration and store, and waits until it is connected to every running node. */
        public void restart(int i) throws IOException, InterruptedException {
            KeyServerNode fresh = new KeyServerNode(NodeSettings.from(configs.get(i)));
            fresh.start();
            nodes.set(i, fresh);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() - deadline < 0) {
                boolean all = true;
                for (KeyServerNode other : nodes) {
                    if (other != fresh && other.isRunning() && !fresh.isConnectedTo(other.id())) all = false;
                }
                if (all) return;
                Thread.sleep(50);
            }
            throw new IOException("node " + i + " did not reconnect within 20 s");
        }

        public Path devJson() {
            return devJson;
        }

        /** The nodes as the terminal's {@code stop N} / {@code start N} commands see them. */
        public DevControl.Nodes control() {
            return new DevControl.Nodes() {
                @Override
                public int size() {
                    return nodes.size();
                }

                @Override
                public boolean isRunning(int node) {
                    return nodes.get(node).isRunning();
                }

                @Override
                public void stop(int node) {
                    Running.this.stop(node);
                }

                @Override
                public void start(int node) throws Exception {
                    restart(node);
                }
            };
        }

        /** The ops listener of node i; HTTPS under TLS ({@code ops_tls} is on with a certificate). */
        public String opsUrl(int i) {
            return scheme() + "127.0.0.1:" + nodes.get(i).opsPort();
        }

        public String httpUrl(int i) {
            return scheme() + "127.0.0.1:" + nodes.get(i).httpPort();
        }

        /** URL of the development JSON-RPC service, or null if it was not started. */
        public String rpcUrl() {
            return rpc == null ? null : rpc.uri().toString();
        }

        /** The development accounts of the rpc service (with their passwords: development only). */
        public List<RpcAccount> rpcAccounts() {
            return rpcAccounts;
        }

        @Override
        public void close() {
            if (rpc != null) rpc.close();
            for (KeyServerNode n : nodes) n.close();
            for (NodeConfig c : configs) c.nodeKey().destroy();
        }
    }

    @Override
    public int run(Options options) {
        Running running;
        DevChain chain = null;
        try {
            if (options.chain()) {
                chain = DevChain.setUp(options.nodes(), options.dir(), options.clusterBasePort(), options.httpBasePort(),
                        options.opsBasePort(), options.chainPort(), options.tls(), System.out);
            }
            running = start(options.nodes(), options.dir(), options.clusterBasePort(), options.httpBasePort(), options.opsBasePort(),
                    options.rpcPort(), options.tls(), System.out);
            if (chain != null) chain.describeIn(running.devJson());
        } catch (PortTakenException e) {
            if (chain != null) chain.close();
            System.err.println("secretstore dev: " + portTaken(e, options));
            return 1;
        } catch (Exception e) {
            if (chain != null) chain.close();
            System.err.println("secretstore dev: " + e.getMessage());
            return 1;
        }
        DevChain devChain = chain;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping the development cluster");
            running.close();
            if (devChain != null) devChain.close();
            stopped.countDown();
        }, "dev-shutdown"));
        printBanner(running, options.dir(), System.out);
        if (devChain != null) DevChain.printBanner(devChain, running, options.dir(), System.out);
        Thread control = new Thread(() -> new DevControl(running.control(), System.out).run(System.in), "dev-control");
        control.setDaemon(true);
        control.start();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * The line {@code dev} prints when a node's port is taken: the port, the listener, and {@code --ports-shift} with a K that
     * moves every port (a directory keeps the ports it was made with, so a new K needs a new --dir).
     */
    static String portTaken(PortTakenException e, Options options) {
        int k = options.portsShift() + 100;
        return e.getMessage() + "; stop the process that holds it, or move every port of the development cluster with "
                + PortsShift.OPTION + " K and a directory for it (e.g. " + PortsShift.OPTION + " " + k + " --dir " + options.dir() + "-" + k + ")";
    }

    /** {@link #start(int, Path, int, int, int, int, PrintStream)} with the rpc service on a free port. */
    public static Running start(int n, Path dir, int clusterBase, int httpBase, int opsBase, PrintStream out)
            throws IOException, ConfigException, InterruptedException {
        return start(n, dir, clusterBase, httpBase, opsBase, 0, out);
    }

    /**
     * Creates (first time) or reuses the cluster files in {@code dir}, starts every node and waits until all are
     * connected, then starts the JSON-RPC service on 127.0.0.1:{@code rpcPort} (0: a free port) with the
     * development accounts (created on first use).
     */
    public static Running start(int n, Path dir, int clusterBase, int httpBase, int opsBase, int rpcPort, PrintStream out)
            throws IOException, ConfigException, InterruptedException {
        return start(n, dir, clusterBase, httpBase, opsBase, rpcPort, false, out);
    }

    /**
     * As {@link #start(int, Path, int, int, int, int, PrintStream)}; with {@code tls} ({@code dev --tls}) every listener serves
     * HTTPS with a certificate of the development CA in {@code DIR/tls}, and dev.json names the CA ({@code "ca"}).
     */
    public static Running start(int n, Path dir, int clusterBase, int httpBase, int opsBase, int rpcPort, boolean tls, PrintStream out)
            throws IOException, ConfigException, InterruptedException {
        ClusterInit.Plan plan = prepare(n, dir, clusterBase, httpBase, opsBase, tls, out);
        Path requesterKey = dir.resolve(REQUESTER_KEY);
        if (!Files.exists(requesterKey)) {
            KeyPair demo = KeyPair.random();
            try {
                byte[] secret = demo.secret().toBytes();
                PrivateFiles.writeString(requesterKey, Hex.encode(secret) + "\n"); // SEC-39
                java.util.Arrays.fill(secret, (byte) 0);
            } finally {
                demo.destroy();
            }
        }
        List<NodeConfig> configs = new ArrayList<>();
        List<KeyServerNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                NodeConfig c = ConfigLoader.load(plan.configFile(i));
                configs.add(c);
                KeyServerNode node = new KeyServerNode(NodeSettings.from(c));
                nodes.add(node);
                node.start();
            }
            awaitConnected(nodes);
        } catch (IOException | ConfigException | InterruptedException | RuntimeException e) {
            for (KeyServerNode node : nodes) node.close();
            throw e;
        }
        Path devJson = dir.resolve("dev.json");
        Running running = new Running(nodes, configs, devJson, tls ? plan.caFile() : null);
        try {
            running.rpcAccounts = rpcAccounts(dir);
            SecretStoreRpc service = new SecretStoreRpc(new Keystore(dir.resolve(RPC_KEYSTORE)));
            ReloadingTls rpcTls = tls ? ReloadingTls.load(rpcTlsFiles(plan)) : null;
            try {
                running.rpc = startRpc(service, rpcPort, rpcTls);
            } catch (java.net.BindException e) {
                running.rpc = startRpc(service, 0, rpcTls);
                out.println("port " + rpcPort + " is taken: the JSON-RPC service listens on " + running.rpc.uri() + " instead (dev.json "
                        + "\"rpc\"); " + PortsShift.OPTION + " K moves it to " + rpcPort + "+K");
            }
        } catch (IOException | RuntimeException e) {
            running.close();
            throw e;
        }
        PrivateFiles.writeString(devJson, devJson(running)); // SEC-39: passwords
        return running;
    }

    /** The certificate of the development JSON-RPC service under TLS: tls/rpc.pem, written with the nodes' by {@link #prepare}. */
    static final String RPC_CERTIFICATE = "rpc";

    /** The development JSON-RPC service on 127.0.0.1:{@code port}: default limits and Host allow-list, HTTPS with {@code tls}. */
    private static RpcHttpServer startRpc(SecretStoreRpc service, int port, ReloadingTls tls) throws IOException {
        return RpcHttpServer.start(service, "127.0.0.1", port, CorsPolicy.none(), HostAllowList.defaults(),
                ServerLimits.defaults(RpcHttpServer.MAX_BODY), tls);
    }

    /**
     * The rpc service's certificate: {@code tls/rpc.pem}, or node 0's in a directory made by {@code init-cluster --tls}
     * (which issues none for it; both name 127.0.0.1 and localhost, and the CA's key is gone).
     */
    static TlsFiles rpcTlsFiles(ClusterInit.Plan plan) {
        String name = Files.exists(plan.certificateFile(RPC_CERTIFICATE)) ? RPC_CERTIFICATE : ClusterInit.nodeName(0);
        return new TlsFiles(plan.certificateFile(name), plan.certificateKeyFile(name));
    }

    /**
     * The cluster files in {@code dir}: written on first use (with {@code tls}: the development CA, a certificate per node and
     * one for the JSON-RPC service), else checked to be a cluster of {@code n} nodes made with the same {@code tls} choice.
     */
    public static ClusterInit.Plan prepare(int n, Path dir, int clusterBase, int httpBase, int opsBase, boolean tls, PrintStream out)
            throws IOException, ConfigException {
        ClusterInit.Plan plan = ClusterInit.plan(n, dir, clusterBase, httpBase, opsBase, java.util.Optional.empty(), tls);
        if (!Files.exists(plan.configFile(0))) {
            List<String> blockers = ClusterInit.blockers(plan, false);
            if (!blockers.isEmpty()) throw new IOException(String.join("; ", blockers));
            ClusterInit.write(plan, tls ? List.of(RPC_CERTIFICATE) : List.of());
            out.println("created a " + n + "-node development cluster in " + dir + (tls ? " (HTTPS, CA " + plan.caFile() + ")" : ""));
            return plan;
        }
        if (!Files.exists(plan.configFile(n - 1)) || Files.exists(plan.configFile(n))) {
            throw new IOException(dir + " holds a cluster of a different size; use another --dir or --nodes");
        }
        ClusterInit.Ports recorded = ClusterInit.ports(plan.configFile(0));
        ClusterInit.Ports asked = new ClusterInit.Ports(clusterBase, httpBase, opsBase);
        if (!recorded.equals(asked)) throw new IOException(portsDiffer(dir, recorded, asked));
        boolean made = ClusterInit.usesTls(plan.configFile(0));
        if (made != tls) {
            throw new IOException(dir + " holds a development cluster made " + (made ? "with" : "without") + " --tls; run "
                    + (made ? "with" : "without") + " --tls, or use another --dir");
        }
        return plan;
    }

    /** Why {@code dir}'s node 0, made with ports {@code recorded}, is not run on {@code asked}: the shift it was made with. */
    static String portsDiffer(Path dir, ClusterInit.Ports recorded, ClusterInit.Ports asked) {
        int k = recorded.cluster() - CLUSTER_BASE_PORT;
        boolean shifted = k >= 0 && recorded.equals(new ClusterInit.Ports(CLUSTER_BASE_PORT + k, HTTP_BASE_PORT + k, OPS_BASE_PORT + k));
        int askedK = asked.cluster() - CLUSTER_BASE_PORT;
        return dir + " holds a development cluster made " + (shifted ? "with " + PortsShift.OPTION + " " + k : "with other ports")
                + " (node 0: " + recorded + "), not " + asked + "; its configurations keep their ports: run with "
                + (shifted ? PortsShift.OPTION + " " + k : "the ports it was made with") + ", or use another --dir for "
                + PortsShift.OPTION + " " + askedK;
    }

    /** Reads the development accounts, or creates them (keystore files, light scrypt, random passwords) on first use. */
    static List<RpcAccount> rpcAccounts(Path dir) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Path file = dir.resolve(RPC_ACCOUNTS);
        if (Files.exists(file)) {
            return List.of(json.readValue(file.toFile(), RpcAccount[].class));
        }
        Keystore ks = new Keystore(dir.resolve(RPC_KEYSTORE));
        List<RpcAccount> accounts = new ArrayList<>();
        java.security.SecureRandom rng = new java.security.SecureRandom();
        for (int i = 0; i < RPC_ACCOUNT_COUNT; i++) {
            byte[] pw = new byte[12];
            rng.nextBytes(pw);
            String password = "dev-" + Hex.encode(pw);
            KeyPair kp = KeyPair.random();
            try {
                Path f = ks.store(kp, password, KeystoreFile.ScryptParams.LIGHT);
                accounts.add(new RpcAccount(kp.address().toHex(), password, dir.relativize(f).toString()));
            } finally {
                kp.destroy();
            }
        }
        PrivateFiles.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(accounts)); // SEC-39: passwords
        return accounts;
    }

    /** Waits until every node is connected to every other (20 s at most); also used by the cluster benchmark. */
    public static void awaitConnected(List<KeyServerNode> nodes) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            boolean all = true;
            for (KeyServerNode a : nodes) {
                for (KeyServerNode b : nodes) {
                    if (a != b && !a.isConnectedTo(b.id())) all = false;
                }
            }
            if (all) return;
            Thread.sleep(50);
        }
        throw new IOException("the development nodes did not connect to each other within 20 s");
    }

    /**
     * {@code {"nodes":[{"id","http","ops","cluster","audit"},…],"requester_key_file":…,"cluster_id":"0x…"}} ({@code cluster_id}: what fresh
     * authorizations are signed for, docs/auth.md §3), under TLS {@code "ca"} (the absolute path of the development CA's certificate)
     * and {@code https://} URLs, then {@code "rpc": {"url", "accounts": [{"address", "password", "keystore"}, …]}} when the rpc
     * service runs; later issues add fields, never rename these.
     */
    static String devJson(Running running) {
        List<KeyServerNode> nodes = running.nodes;
        StringBuilder sb = new StringBuilder("{\n  \"nodes\": [\n");
        for (int i = 0; i < nodes.size(); i++) {
            NodeConfig c = running.configs.get(i);
            NodeId id = nodes.get(i).id();
            sb.append("    {\"id\": \"").append(id.toHex()).append("\", \"http\": \"").append(running.httpUrl(i))
                    .append("\", \"ops\": \"").append(running.opsUrl(i))
                    .append("\", \"cluster\": \"").append(c.cluster().ip()).append(':').append(c.cluster().port())
                    .append("\", \"audit\": \"").append(jsonString(nodes.get(i).auditFile().toAbsolutePath().toString()))
                    .append("\"}")
                    .append(i + 1 < nodes.size() ? ",\n" : "\n");
        }
        sb.append("  ],\n  \"requester_key_file\": \"").append(REQUESTER_KEY).append("\",\n");
        if (running.caFile() != null) sb.append("  \"ca\": \"").append(jsonString(running.caFile().toString())).append("\",\n");
        sb.append("  \"cluster_id\": \"0x").append(nodes.get(0).clusterId().toHex()).append('"');
        if (running.rpcUrl() != null) {
            sb.append(",\n  \"rpc\": {\"url\": \"").append(running.rpcUrl()).append("\", \"accounts\": [\n");
            List<RpcAccount> accounts = running.rpcAccounts;
            for (int i = 0; i < accounts.size(); i++) {
                RpcAccount a = accounts.get(i);
                sb.append("    {\"address\": \"").append(a.address()).append("\", \"password\": \"").append(a.password())
                        .append("\", \"keystore\": \"").append(a.keystore()).append("\"}").append(i + 1 < accounts.size() ? ",\n" : "\n");
            }
            sb.append("  ]}");
        }
        sb.append("\n}\n");
        return sb.toString();
    }

    /** {@code s} escaped for a JSON string (a directory name may hold quotes or backslashes). */
    private static String jsonString(String s) {
        try {
            String quoted = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
            return quoted.substring(1, quoted.length() - 1);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void printBanner(Running running, Path dir, PrintStream out) {
        out.println();
        out.println("Secret Store development cluster is running (" + running.nodes().size() + " nodes). Ctrl-C stops it;");
        out.println("type `stop N` or `start N` here to stop or restart node N, `status` to list them.");
        for (int i = 0; i < running.nodes().size(); i++) {
            out.println("  node " + i + "  " + running.httpUrl(i) + "  id " + running.nodes().get(i).id().shortId() + "…");
        }
        if (running.rpcUrl() != null) {
            out.println("  JSON-RPC (parity URL)  " + running.rpcUrl() + "  accounts "
                    + running.rpcAccounts().stream().map(RpcAccount::address).toList() + " (passwords in dev.json)");
        }
        out.println("  cluster id 0x" + running.nodes().get(0).clusterId().toHex() + " (fresh authorizations are signed for it; GET /cluster)");
        out.println("  endpoints for scripts: " + running.devJson());
        if (running.caFile() != null) {
            out.println("  HTTPS with the development CA " + running.caFile() + " (\"ca\" in dev.json): curl --cacert "
                    + running.caFile() + ", ./secretstore encrypt/decrypt --id ... --url " + running.httpUrl(0) + " --ca-file " + running.caFile());
        }
        out.println();
        String d = dir.toString();
        int t = Math.max(0, (running.nodes().size() - 1) / 2);
        out.println("Try it (a publisher stores a document key, then retrieves it as shadows and decrypts):");
        out.println();
        out.println("  KEY_ID=$(./secretstore random-key-id)");
        out.println("  SIG=$(./secretstore sign --key-file " + d + "/" + REQUESTER_KEY + " --key-id $KEY_ID)");
        out.println("  SERVER_KEY=$(" + running.curl() + " -X POST " + running.httpUrl(0) + "/shadow/$KEY_ID/$SIG/" + t + " | tr -d '\"')");
        out.println("  eval \"$(./secretstore document-key --server-key $SERVER_KEY)\"   # sets DOCUMENT_KEY, COMMON_POINT, ENCRYPTED_POINT");
        out.println("  " + running.curl() + " -X POST " + running.httpUrl(0) + "/shadow/$KEY_ID/$SIG/$COMMON_POINT/$ENCRYPTED_POINT");
        out.println("  CIPHERTEXT=$(./secretstore encrypt --document-key $DOCUMENT_KEY --text 'hello, secret store')");
        out.println("  " + running.curl() + " " + running.httpUrl(running.nodes().size() - 1) + "/shadow/$KEY_ID/$SIG > shadows.json");
        out.println("  ./secretstore decrypt --key-file " + d + "/" + REQUESTER_KEY + " --shadows shadows.json --data $CIPHERTEXT");
        out.println();
        if (Files.exists(dir.resolve("admin.key")) && running.nodes().size() > 1) {
            String others = java.util.stream.IntStream.range(0, running.nodes().size() - 1).mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(","));
            out.println("Move every key off node " + (running.nodes().size() - 1) + " and back (servers set change, signed with "
                    + d + "/admin.key):");
            out.println();
            out.println("  ./secretstore servers-set-change --dev " + d + " --new-set " + others);
            out.println("  ./secretstore servers-set-change --dev " + d + " --new-set " + others + "," + (running.nodes().size() - 1));
            out.println();
        }
        out.println("Health and metrics: " + running.opsUrl(0) + "/health, " + running.opsUrl(0) + "/metrics"
                + (running.caFile() == null ? "" : " (curl --cacert " + running.caFile() + ")"));
        out.println();
    }
}
