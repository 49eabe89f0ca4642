package dev.secretstore.cli;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.http.tls.DevelopmentCa;
import dev.secretstore.keystore.PrivateFiles;
import dev.secretstore.node.config.ConfigException;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code init-cluster} writes (docs/configuration.md, "init-cluster"):
 *
 * <ul>
 *   <li>{@code node-<i>.key}: the node's secp256k1 private key as 64 lower-case hex digits and a
 *       newline, mode 0600; named by {@code [secretstore_ext] self_secret_file}.</li>
 *   <li>{@code node-<i>.toml}: the node's configuration, listing every node; relative paths, so the
 *       directory can be moved as a whole.</li>
 *   <li>{@code acl-policy.toml}: the development ACL ({@code acl_contract = "policy"},
 *       spec/acl-and-config.md §2.6) with no grants: only a key's author may use it.</li>
 *   <li>{@code data/node-<i>/}: empty data directories, mode 0700.</li>
 * </ul>
 */
public final class ClusterInit {
    static final int MAX_NODES = 64;
    static final String POLICY_FILE = "acl-policy.toml";
    /** With {@code --tls}: the directory of the CA certificate and the nodes' certificates and keys. */
    static final String TLS_DIR = "tls";

    private static final Set<PosixFilePermission> FILE_0644 = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> DIR_0700 = PosixFilePermissions.fromString("rwx------");

    private ClusterInit() {}

    /**
     * A validated request: N nodes in {@code dir} (absolute), node i on ports base+i; {@code clusterName}, if given, is
     * written as every node's {@code cluster_id} (docs/auth.md §3).
     */
    public record Plan(int nodes, Path dir, int basePort, int httpBasePort, int opsBasePort, java.util.Optional<String> clusterName,
                       boolean tls) {
        public Plan(int nodes, Path dir, int basePort, int httpBasePort, int opsBasePort, java.util.Optional<String> clusterName) {
            this(nodes, dir, basePort, httpBasePort, opsBasePort, clusterName, false);
        }

        public Plan(int nodes, Path dir, int basePort, int httpBasePort, int opsBasePort) {
            this(nodes, dir, basePort, httpBasePort, opsBasePort, java.util.Optional.empty());
        }

        public Path keyFile(int i) {
            return dir.resolve("node-" + i + ".key");
        }

        public Path configFile(int i) {
            return dir.resolve("node-" + i + ".toml");
        }

        /** The administrator's key (servers set change, endpoint 9); its public half is {@code admin_public}. */
        public Path adminKeyFile() {
            return dir.resolve("admin.key");
        }

        public Path dataDir(int i) {
            return dir.resolve("data").resolve("node-" + i);
        }

        public Path policyFile() {
            return dir.resolve(POLICY_FILE);
        }

        /** With {@code --tls}: the development CA's certificate, what clients trust ({@code curl --cacert}, {@code --ca-file}). */
        public Path caFile() {
            return dir.resolve(TLS_DIR).resolve("ca.pem");
        }

        /** With {@code --tls}: the certificate chain named {@code name} (node i: {@code node-<i>}), leaf first. */
        public Path certificateFile(String name) {
            return dir.resolve(TLS_DIR).resolve(name + ".pem");
        }

        /** With {@code --tls}: the PKCS#8 PEM private key of {@link #certificateFile}, mode 0600. */
        public Path certificateKeyFile(String name) {
            return dir.resolve(TLS_DIR).resolve(name + ".key");
        }
    }

    /** One node as written. */
    public record Written(int index, String nodeId, Path config, Path keyFile, Path dataDir, int clusterPort, int httpPort, int opsPort) {}

    public static Plan plan(int nodes, Path dir, int basePort, int httpBasePort, int opsBasePort) {
        return plan(nodes, dir, basePort, httpBasePort, opsBasePort, java.util.Optional.empty());
    }

    /** As {@link #plan(int, Path, int, int, int)}, with a cluster name (1 to 200 characters, no quote, backslash or control character). */
    public static Plan plan(int nodes, Path dir, int basePort, int httpBasePort, int opsBasePort, java.util.Optional<String> clusterName) {
        return plan(nodes, dir, basePort, httpBasePort, opsBasePort, clusterName, false);
    }

    /**
     * As {@link #plan(int, Path, int, int, int, java.util.Optional)}; with {@code tls}, a development CA and a certificate per
     * node are written too, and the configurations serve HTTPS with them.
     */
    public static Plan plan(int nodes, Path dir, int basePort, int httpBasePort, int opsBasePort, java.util.Optional<String> clusterName,
                            boolean tls) {
        if (clusterName.isPresent()) {
            String n = clusterName.get();
            if (n.isBlank() || n.length() > 200 || n.chars().anyMatch(c -> Character.isISOControl(c) || c == '"' || c == '\\')) {
                throw new IllegalArgumentException("--cluster-name must be 1 to 200 characters, not blank, without quotes, "
                        + "backslashes or control characters");
            }
        }
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("--nodes must be from 1 to " + MAX_NODES + ", got " + nodes);
        }
        checkRange("--base-port", basePort, nodes);
        checkRange("--http-base-port", httpBasePort, nodes);
        checkRange("--ops-base-port", opsBasePort, nodes);
        checkDisjoint("--base-port", basePort, "--http-base-port", httpBasePort, nodes);
        checkDisjoint("--base-port", basePort, "--ops-base-port", opsBasePort, nodes);
        checkDisjoint("--http-base-port", httpBasePort, "--ops-base-port", opsBasePort, nodes);
        return new Plan(nodes, dir.toAbsolutePath().normalize(), basePort, httpBasePort, opsBasePort, clusterName, tls);
    }

    private static void checkRange(String option, int base, int nodes) {
        if (base < 1 || base + nodes - 1 > 65535) {
            throw new IllegalArgumentException(option + " " + base + " gives ports " + base + " to " + (base + nodes - 1)
                    + "; every port must be from 1 to 65535");
        }
    }

    private static void checkDisjoint(String a, int baseA, String b, int baseB, int nodes) {
        if (baseA < baseB + nodes && baseB < baseA + nodes) {
            throw new IllegalArgumentException(a + " " + baseA + " and " + b + " " + baseB + " give overlapping port "
                    + "ranges for " + nodes + " nodes; choose bases at least " + nodes + " apart");
        }
    }

    /** Why the plan cannot be written: existing files (unless {@code force}) and non-empty data directories (always). */
    public static List<String> blockers(Plan plan, boolean force) {
        List<String> out = new ArrayList<>();
        if (Files.exists(plan.dir()) && !Files.isDirectory(plan.dir())) {
            out.add(plan.dir() + " exists and is not a directory");
            return out;
        }
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < plan.nodes(); i++) {
            files.add(plan.keyFile(i));
            files.add(plan.configFile(i));
        }
        files.add(plan.policyFile());
        files.add(plan.adminKeyFile());
        if (plan.tls()) {
            files.add(plan.caFile());
            for (int i = 0; i < plan.nodes(); i++) {
                files.add(plan.certificateFile(nodeName(i)));
                files.add(plan.certificateKeyFile(nodeName(i)));
            }
        }
        for (Path f : files) {
            if (Files.isDirectory(f)) {
                out.add(f + " exists and is a directory");
            } else if (!force && Files.exists(f)) {
                out.add(f + " exists; use --force to overwrite it");
            }
        }
        for (int i = 0; i < plan.nodes(); i++) {
            Path d = plan.dataDir(i);
            if (Files.exists(d) && !isEmptyDirectory(d)) {
                out.add(d + " exists and is not empty: it may hold key shares of another cluster; init-cluster never "
                        + "deletes key storage, remove it yourself if it is no longer needed");
            }
        }
        return out;
    }

    private static boolean isEmptyDirectory(Path d) {
        if (!Files.isDirectory(d)) return false;
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes every file, then loads each configuration back through {@link ConfigLoader} as a self-check. */
    public static List<Written> write(Plan plan) throws IOException, ConfigException {
        return write(plan, List.of());
    }

    /**
     * As {@link #write(Plan)}; with TLS, the development CA also issues a certificate for each of {@code extraCertificates}
     * (e.g. {@code rpc}: {@code tls/rpc.pem}, {@code tls/rpc.key}) before its key is dropped.
     */
    public static List<Written> write(Plan plan, List<String> extraCertificates) throws IOException, ConfigException {
        createDirectory(plan.dir());
        createDirectory(plan.dir().resolve("data"));
        if (plan.tls()) writeTls(plan, extraCertificates);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < plan.nodes(); i++) {
            KeyPair key = KeyPair.random();
            try {
                writeKeyFile(plan.keyFile(i), key);
                ids.add(key.publicKey().toHex());
            } finally {
                key.destroy();
            }
        }
        KeyPair admin = KeyPair.random(); // SEC-24: the administrator key is not a node key
        String adminPublic;
        try {
            writeKeyFile(plan.adminKeyFile(), admin);
            adminPublic = admin.publicKey().toHex();
        } finally {
            admin.destroy();
        }
        writeFile(plan.policyFile(), policyText().getBytes(StandardCharsets.UTF_8), FILE_0644);
        for (int i = 0; i < plan.nodes(); i++) {
            createDirectory(plan.dataDir(i));
            writeFile(plan.configFile(i), configText(plan, i, ids, adminPublic).getBytes(StandardCharsets.UTF_8), FILE_0644);
        }
        List<Written> out = new ArrayList<>();
        for (int i = 0; i < plan.nodes(); i++) {
            NodeConfig c = ConfigLoader.load(plan.configFile(i));
            try {
                if (!c.self().toHex().equals(ids.get(i)) || c.nodes().size() != plan.nodes()
                        || c.listeners().tls().isPresent() != plan.tls()) {
                    throw new IllegalStateException("configuration " + plan.configFile(i) + " does not describe node " + i);
                }
                out.add(new Written(i, ids.get(i), plan.configFile(i), plan.keyFile(i), c.dataDir(), c.cluster().port(),
                        c.http().orElseThrow().port(), c.ops().port()));
            } finally {
                c.nodeKey().destroy();
            }
        }
        return out;
    }

    /** Node's listening ports as a configuration records them. */
    public record Ports(int cluster, int http, int ops) {
        @Override
        public String toString() {
            return "cluster " + cluster + ", HTTP " + http + ", ops " + ops;
        }
    }

    /** The ports the configuration {@code config} (as init-cluster writes it) listens on: {@code port}, {@code http_port}, {@code ops_port}. */
    public static Ports ports(Path config) throws IOException {
        java.util.Map<String, Integer> found = new java.util.HashMap<>();
        for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (eq < 0) continue;
            String key = l.substring(0, eq).strip();
            if (!key.equals("port") && !key.equals("http_port") && !key.equals("ops_port")) continue;
            try {
                found.putIfAbsent(key, Integer.parseInt(l.substring(eq + 1).strip()));
            } catch (NumberFormatException e) {
                throw new IOException(config + ": " + key + " is not a port number: " + l);
            }
        }
        if (found.size() != 3) throw new IOException(config + " does not set port, http_port and ops_port as init-cluster writes them");
        return new Ports(found.get("port"), found.get("http_port"), found.get("ops_port"));
    }

    /** Whether the configuration {@code config} (as init-cluster writes it) serves HTTPS: it sets {@code tls_certificate}. */
    public static boolean usesTls(Path config) throws IOException {
        try (Stream<String> lines = Files.lines(config, StandardCharsets.UTF_8)) {
            return lines.map(String::strip).anyMatch(l -> l.startsWith("tls_certificate") && l.substring("tls_certificate".length()).strip().startsWith("="));
        }
    }

    public static String nodeName(int i) {
        return "node-" + i;
    }

    /**
     * The development CA (EC P-256, {@link DevelopmentCa}): its certificate in {@code tls/ca.pem}; for each node and each of
     * {@code extra} a certificate for localhost, 127.0.0.1 and ::1 (chain {@code tls/<name>.pem}, PKCS#8 key
     * {@code tls/<name>.key}, mode 0600). The CA's private key is never written: nothing can issue more certificates
     * under this CA later (run init-cluster --force --tls again for new ones).
     */
    static void writeTls(Plan plan, List<String> extra) throws IOException {
        createDirectory(plan.caFile().getParent());
        DevelopmentCa ca = DevelopmentCa.create("Secret Store development CA " + plan.dir().getFileName());
        writeFile(plan.caFile(), ca.certificatePem().getBytes(StandardCharsets.US_ASCII), FILE_0644);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < plan.nodes(); i++) names.add(nodeName(i));
        names.addAll(extra);
        for (String name : names) {
            DevelopmentCa.Issued issued = ca.issueLocal(name);
            writeFile(plan.certificateFile(name), issued.chainPem().getBytes(StandardCharsets.US_ASCII), FILE_0644);
            PrivateFiles.writeString(plan.certificateKeyFile(name), issued.privateKeyPem()); // SEC-39: 0600 from creation
        }
    }

    static String configText(Plan plan, int i, List<String> ids, String adminPublic) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Key server node-").append(i).append(" of a ").append(plan.nodes()).append("-node cluster on this machine,\n");
        sb.append("# written by 'secretstore init-cluster'. Run it with:\n");
        sb.append("#   ./secretstore node --config ").append(plan.configFile(i)).append('\n');
        sb.append("# Every option is described in docs/configuration.md. Relative paths are relative to this file.\n\n");
        sb.append("[secretstore]\n");
        sb.append("# The members are the nodes listed here (a contract-based server set is not supported yet).\n");
        sb.append("server_set_contract = \"none\"\n");
        sb.append("nodes = [\n");
        for (int j = 0; j < ids.size(); j++) {
            sb.append("  \"").append(ids.get(j)).append("@127.0.0.1:").append(plan.basePort() + j).append("\",\n");
        }
        sb.append("]\n");
        sb.append("interface = \"local\"\n");
        sb.append("port = ").append(plan.basePort() + i).append('\n');
        sb.append("http_interface = \"local\"\n");
        sb.append("http_port = ").append(plan.httpBasePort() + i).append('\n');
        sb.append("path = \"data/node-").append(i).append("\"\n");
        sb.append("# Development ACL: the local policy file below (key authors only until you add grants).\n");
        sb.append("# In production use an ACL contract: acl_contract = \"<40 hex address>\" or \"registry\",\n");
        sb.append("# with eth_rpc_url (and registrar_address) in [secretstore_ext].\n");
        sb.append("acl_contract = \"policy\"\n");
        sb.append("# The administrator's public key: servers set changes (endpoint 9) must be signed with admin.key.\n");
        sb.append("admin_public = \"").append(adminPublic).append("\"\n\n");
        sb.append("[secretstore_ext]\n");
        sb.append("# The node key: 64 hex digits in a file readable only by the node's user (mode 0600).\n");
        sb.append("self_secret_file = \"node-").append(i).append(".key\"\n");
        sb.append("acl_policy_file = \"").append(POLICY_FILE).append("\"\n");
        sb.append("ops_port = ").append(plan.opsBasePort() + i).append('\n');
        if (plan.tls()) {
            sb.append("# HTTPS on the HTTP API and the ops listener with a certificate of the development CA; clients trust\n");
            sb.append("# ").append(TLS_DIR).append("/ca.pem (curl --cacert, ./secretstore ... --ca-file). docs/configuration.md, \"TLS\".\n");
            sb.append("tls_certificate = \"").append(TLS_DIR).append('/').append(nodeName(i)).append(".pem\"\n");
            sb.append("tls_private_key = \"").append(TLS_DIR).append('/').append(nodeName(i)).append(".key\"\n");
        }
        plan.clusterName().ifPresent(n -> sb.append("# What fresh authorizations are signed for (docs/auth.md); the same on every node.\n")
                .append("cluster_id = \"").append(n).append("\"\n"));
        return sb.toString();
    }

    static String policyText() {
        return """
                # ACL policy of the development cluster (acl_contract = "policy"; spec/acl-and-config.md 2.6).
                # A key's author may always use it. To let another requester retrieve a document key or sign
                # with a key, add a grant (key_id = "*" means every key):
                #
                # [[grant]]
                # address = "0x<40 hex digits: the requester's address>"
                # key_id  = "0x<64 hex digits: the server key id>"
                """;
    }

    private static void writeKeyFile(Path file, KeyPair key) throws IOException {
        byte[] secret = key.secret().toBytes();
        byte[] text = new byte[65];
        try {
            final byte[] digits = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
            for (int k = 0; k < 32; k++) {
                text[2 * k] = digits[(secret[k] >> 4) & 0xf];
                text[2 * k + 1] = digits[secret[k] & 0xf];
            }
            text[64] = '\n';
            PrivateFiles.write(file, text); // SEC-39: 0600 from creation, replaced atomically
        } finally {
            Arrays.fill(secret, (byte) 0);
            Arrays.fill(text, (byte) 0);
        }
    }

    /** Creates the file afresh (replacing an old one) with {@code perms} from the start, on POSIX file systems. */
    private static void writeFile(Path file, byte[] content, Set<PosixFilePermission> perms) throws IOException {
        Files.deleteIfExists(file);
        boolean posix = supportsPosix(file.getParent());
        FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)} : new FileAttribute<?>[0];
        try (SeekableByteChannel ch = Files.newByteChannel(file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) ch.write(buf);
        }
        if (posix) Files.setPosixFilePermissions(file, perms); // exact mode, whatever the umask
    }

    private static void createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        boolean posix = supportsPosix(dir.getParent() == null ? dir : nearestExisting(dir));
        try {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_0700));
                Files.setPosixFilePermissions(dir, DIR_0700);
            } else {
                Files.createDirectories(dir);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException(dir + " exists and is not a directory", e);
        }
    }

    private static Path nearestExisting(Path p) {
        Path q = p;
        while (q != null && !Files.exists(q)) q = q.getParent();
        return q == null ? p.getRoot() : q;
    }

    private static boolean supportsPosix(Path p) {
        return p != null && Files.exists(p)
                ? Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class) != null
                : p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static void printSummary(Plan plan, List<Written> written, PrintWriter out) {
        out.println("Wrote a " + plan.nodes() + "-node cluster configuration to " + plan.dir() + ":");
        for (Written w : written) {
            out.println();
            out.println("  node-" + w.index() + "  id " + w.nodeId());
            out.println("          cluster 127.0.0.1:" + w.clusterPort() + "   http " + (plan.tls() ? "https" : "http") + "://127.0.0.1:"
                    + w.httpPort() + "   ops " + (plan.tls() ? "https://" : "") + "127.0.0.1:" + w.opsPort());
            out.println("          config " + w.config());
            out.println("          key    " + w.keyFile() + " (mode 0600)");
            if (plan.tls()) {
                out.println("          tls    " + plan.certificateFile(nodeName(w.index())) + ", "
                        + plan.certificateKeyFile(nodeName(w.index())) + " (mode 0600)");
            }
            out.println("          data   " + w.dataDir());
        }
        out.println();
        out.println("ACL: development policy file " + plan.policyFile() + " (key authors only; add [[grant]] entries).");
        if (plan.tls()) {
            out.println("TLS: every node serves HTTPS with a certificate of the development CA " + plan.caFile()
                    + " (its key is not kept). Clients trust that file:");
            out.println("  curl --cacert " + plan.caFile() + " https://127.0.0.1:" + plan.httpBasePort() + "/cluster");
            out.println("  ./secretstore encrypt --id ... --url https://127.0.0.1:" + plan.httpBasePort() + " --ca-file " + plan.caFile());
        }
        out.println("Start each node, one per terminal:");
        for (Written w : written) {
            out.println("  ./secretstore node --config " + w.config());
        }
        out.flush();
    }

    private static String nodes(int k) {
        return k + (k == 1 ? " node" : " nodes");
    }

    static void printThresholdHint(int n, PrintWriter out) {
        out.println();
        out.println("Thresholds: the author of each server key chooses its threshold t when generating it (0 <= t < "
                + n + "). Any t+1 of the " + n + " nodes can then serve the key, and no t of them together learn it.");
        for (int t = 0; t < n; t++) {
            String note = t == 0 ? " (every node alone holds enough to serve the key: no threshold protection)" : "";
            out.println("  t = " + t + ": needs " + nodes(t + 1) + " up, tolerates " + nodes(n - 1 - t) + " down; "
                    + nodes(t + 1) + " together could learn a key" + note);
        }
        if (n >= 3) {
            int balanced = (n - 1) / 2;
            out.println("  A common choice is t = " + balanced + " (a majority is needed, a minority may be down).");
        }
        out.flush();
    }
}
