package dev.secretstore.node.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Hex;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.node.http.Admission;
import dev.secretstore.node.http.KeyCreators;
import dev.secretstore.node.config.NodeConfig.Acl;
import dev.secretstore.node.config.NodeConfig.AclMode;
import dev.secretstore.node.config.NodeConfig.EthereumRpc;
import dev.secretstore.node.config.NodeConfig.Listen;
import dev.secretstore.node.config.NodeConfig.Member;
import dev.secretstore.node.config.NodeConfig.RpcService;
import dev.secretstore.node.config.NodeConfig.SecretSource;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.auth.LegacyPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.secretstore.protocol.Availability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.secretstore.node.config.ConfigException.quote;

/**
 * Loads and validates a node configuration file (spec/acl-and-config.md §4, §5; docs/configuration.md).
 *
 * <p>TOML is read with Jackson's TOML module ({@code jackson-dataformat-toml}): it is maintained in
 * the same release train as the {@code jackson-databind} the node already uses (version from the
 * Jackson BOM in the root pom), implements TOML 1.0 including the duplicate-key and table-redefinition
 * rules, and gives a plain tree that the strict, option-by-option validation below walks. Its
 * error messages carry a position but not the offending text; they are still filtered so that no
 * long hex run (a key) can reach an error message (SEC-07).
 *
 * <p>Rules: an unknown option in {@code [secretstore]} or {@code [secretstore_ext]} is an error
 * naming it; an unknown section is an error; Parity's other sections are ignored with one notice
 * each; options Parity has but the project does not support yet stop start-up with a message
 * (never silently ignored); nothing insecure is ever a default (SEC-22, SEC-30).
 */
public final class ConfigLoader {
    public static final String SECRETSTORE = "secretstore";
    public static final String EXT = "secretstore_ext";

    /** The sections of a Parity Ethereum 2.7 configuration file other than {@code [secretstore]}. */
    static final Set<String> PARITY_SECTIONS = Set.of(
            "parity", "account", "ui", "network", "rpc", "websockets", "ipc", "dapps", "private_tx",
            "ipfs", "mining", "footprint", "snapshots", "misc", "stratum", "whisper", "light");

    /**
     * Parity's sections and options the node reads: where Parity keeps its keystore and the account passwords (a
     * {@code self_secret} given as an account address, docs/migrating-from-parity.md), and the JSON-RPC server's
     * settings (it serves the {@code secretstore} API there, {@link ParityRpcApis}).
     */
    static final Map<String, List<String>> USED_PARITY_OPTIONS = Map.of(
            "parity", List.of("chain", "base_path", "keys_path"),
            "account", List.of("password"),
            "rpc", List.of("disable", "port", "interface", "cors", "apis", "hosts"));

    /** {@code [secretstore]}: Parity's option names, in the order of spec/acl-and-config.md §4. */
    static final List<String> SECRETSTORE_OPTIONS = List.of(
            "disable", "disable_http", "disable_auto_migrate", "cors", "acl_contract", "service_contract",
            "service_contract_srv_gen", "service_contract_srv_retr", "service_contract_doc_store",
            "service_contract_doc_sretr", "self_secret", "admin_public", "nodes", "server_set_contract",
            "interface", "port", "http_interface", "http_port", "path");

    /** {@code [secretstore_ext]}: the project's options (spec/acl-and-config.md §5, plus {@code self_secret_file}). */
    static final List<String> EXT_OPTIONS = List.of(
            "self_secret_file", "eth_rpc_url", "eth_rpc_timeout_ms", "registrar_address", "acl_policy_file",
            "parity_strict", "rpc_enabled", "rpc_interface", "rpc_port", "rpc_cors", "keys_path",
            "http_allowed_hosts", "rpc_allowed_hosts",
            "ops_interface", "ops_port", "allow_key_loss_on_set_change", "requester_rate_limit", "key_rate_limit",
            "requester_concurrency_limit", "peer_heartbeat_ms", "peer_deadline_ms", "generation_min_members",
            "share_repair_interval", "share_refresh_interval",
            "address_rate_limit", "address_concurrency_limit", "generation_rate_limit", "store_rate_limit",
            "retrieval_rate_limit", "signing_rate_limit", "concurrency_limit", "generation_concurrency_limit", "key_creators",
            "cluster_accept_from", "cluster_handshakes_per_address", "cluster_handshake_rate",
            "legacy_requester_signatures", "cluster_id", "authorization_max_lifetime", "authorization_clock_skew",
            "authorization_nonce_capacity",
            "http_header_timeout", "http_body_timeout", "http_idle_timeout", "http_max_header_bytes", "http_max_body_bytes",
            "http_max_connections", "http_max_connections_per_address", "http_threads",
            "tls_certificate", "tls_private_key", "ops_tls", "ops_tls_client_ca",
            "audit_file", "audit_checkpoint_lines", "audit_checkpoint_interval");

    static final int DEFAULT_PORT = 8083;
    static final int DEFAULT_HTTP_PORT = 8082;
    static final int DEFAULT_RPC_PORT = 8545;
    /**
     * The ops listener's default port is the HTTP API's port plus this: 8182 for Parity's default 8082, 8190–8192 for
     * configurations with HTTP on 8090–8092 (as {@code init-cluster} lays nodes out). A fixed port would collide between
     * the nodes of one host, whose unchanged Parity files cannot name an ops port; 8090 itself is a real
     * {@code http_port}. Parity's own ports (8545/8546, 8180, 8082/8083, 30303, 5001, 8008) are never HTTP port + 100
     * for the default HTTP port, and a clash with this node's other listeners is refused at start-up.
     */
    static final int OPS_PORT_OFFSET = 100;
    static final int DEFAULT_ETH_RPC_TIMEOUT_MS = 5000;
    static final String DEFAULT_PATH = "secretstore";

    private static final TomlMapper TOML = new TomlMapper();
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern HEX40 = Pattern.compile("[0-9a-fA-F]{40}");
    private static final Pattern HEX128 = Pattern.compile("[0-9a-fA-F]{128}");
    private static final Pattern LONG_HEX = Pattern.compile("(0x)?[0-9a-fA-F]{16,}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[([^\\]]*)\\]|[^:\\[\\]]*):([0-9]+)");

    private ConfigLoader() {}

    /**
     * Reads and validates {@code file}. Relative paths inside it resolve against its directory.
     *
     * @throws ConfigException naming the file, section and option, for anything that stops start-up
     */
    public static NodeConfig load(Path file) throws ConfigException {
        Path abs = file.toAbsolutePath().normalize();
        if (!Files.exists(abs)) throw new ConfigException(abs, null, null, "the configuration file does not exist");
        if (!Files.isRegularFile(abs)) throw new ConfigException(abs, null, null, "not a regular file; expected a TOML configuration file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(abs);
        } catch (IOException e) {
            throw new ConfigException(abs, null, null, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(abs, null, null, "is not valid UTF-8; TOML files are UTF-8");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        return parse(text, abs);
    }

    /** Parses TOML text as if it were the file {@code file} (absolute; used for messages and relative paths). */
    static NodeConfig parse(String toml, Path file) throws ConfigException {
        return parse(toml, file, ParityAccounts.Environment.current());
    }

    /** As {@link #parse(String, Path)}, resolving Parity's account paths ({@link ParityAccounts}) in {@code env}. */
    static NodeConfig parse(String toml, Path file, ParityAccounts.Environment env) throws ConfigException {
        JsonNode root;
        try {
            root = TOML.readTree(toml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, null, null, "not valid TOML: " + sanitize(e));
        } catch (IOException e) {
            throw new ConfigException(file, null, null, "cannot be parsed (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file, null, null, "is empty; expected a [secretstore] section");
        }
        return new Builder(file, (ObjectNode) root, env).build();
    }

    private static String sanitize(JsonProcessingException e) {
        String msg = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage();
        msg = LONG_HEX.matcher(msg).replaceAll("<redacted>");
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) {
            msg = msg + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        }
        return msg;
    }

    /** One pass over one file. */
    private static final class Builder {
        private final Path file;
        private final Path baseDir;
        private final ObjectNode root;
        private final List<String> notices = new ArrayList<>();
        private final ParityAccounts.Environment env;
        /** Parity's sections the node reads ({@link #USED_PARITY_OPTIONS}); empty tables when absent. */
        private final Map<String, Section> parity = new java.util.HashMap<>();

        Builder(Path file, ObjectNode root, ParityAccounts.Environment env) {
            this.file = file;
            this.baseDir = file.getParent() == null ? Path.of("").toAbsolutePath() : file.getParent();
            this.root = root;
            this.env = env;
        }

        NodeConfig build() throws ConfigException {
            Section ss = null;
            Section ext = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (!e.getValue().isObject() && (name.equals(SECRETSTORE) || name.equals(EXT) || PARITY_SECTIONS.contains(name))) {
                    throw new ConfigException(file, name, null, "must be a single table [" + name + "], not an option "
                            + "or an array of tables");
                }
                if (!e.getValue().isObject()) {
                    throw new ConfigException(file, null, name,
                            "option outside any section; options go under [" + SECRETSTORE + "] or [" + EXT + "]");
                }
                if (name.equals(SECRETSTORE)) {
                    ss = new Section(file, name, (ObjectNode) e.getValue());
                } else if (name.equals(EXT)) {
                    ext = new Section(file, name, (ObjectNode) e.getValue());
                } else if (USED_PARITY_OPTIONS.containsKey(name)) {
                    Section used = new Section(file, name, (ObjectNode) e.getValue());
                    parity.put(name, used);
                    List<String> ignored = new ArrayList<>();
                    used.keys().forEachRemaining(k -> {
                        if (!USED_PARITY_OPTIONS.get(name).contains(k)) ignored.add(k);
                    });
                    if (!ignored.isEmpty()) {
                        notices.add(file + ": [" + name + "] is read for " + String.join(", ", USED_PARITY_OPTIONS.get(name))
                                + " only; ignored: " + String.join(", ", ignored));
                    }
                } else if (PARITY_SECTIONS.contains(name)) {
                    notices.add(file + ": [" + name + "] is a Parity Ethereum section the key server does not use; ignored");
                    if (name.equals("misc")) {
                        for (String opt : List.of("ports_shift", "unsafe_expose")) {
                            if (e.getValue().has(opt)) {
                                notices.add(file + ": [misc] " + opt + " is not applied: the key server listens exactly "
                                        + "on the interfaces and ports of [secretstore]");
                            }
                        }
                    }
                } else {
                    throw new ConfigException(file, name, null,
                            "unknown section; expected [" + SECRETSTORE + "] and optionally [" + EXT + "]");
                }
            }
            if (ss == null) {
                throw new ConfigException(file, SECRETSTORE, null, "section missing; a key server needs a [secretstore] section");
            }
            if (ext == null) {
                ext = new Section(file, EXT, TOML.createObjectNode());
            }
            for (String name : USED_PARITY_OPTIONS.keySet()) parity.putIfAbsent(name, new Section(file, name, TOML.createObjectNode()));
            checkKnown(ss, SECRETSTORE_OPTIONS, EXT, EXT_OPTIONS);
            checkKnown(ext, EXT_OPTIONS, SECRETSTORE, SECRETSTORE_OPTIONS);

            boolean disabled = ss.bool("disable", false);
            boolean disableHttp = ss.bool("disable_http", false);
            boolean disableAutoMigrate = ss.bool("disable_auto_migrate", false);
            if (ss.has("disable_auto_migrate")) {
                notices.add("[secretstore] disable_auto_migrate is accepted but has no effect: auto-migration needs a "
                        + "contract-based server set, which is not supported yet");
            }

            refuseServerSetContract(ss);
            for (String opt : List.of("service_contract", "service_contract_srv_gen", "service_contract_srv_retr",
                    "service_contract_doc_store", "service_contract_doc_sretr")) {
                refuseServiceContract(ss, opt);
            }

            KeyPair nodeKey = null;
            try {
                SecretSource source = secretSource(ss, ext);
                nodeKey = readNodeKey(ss, ext, source);
                NodeId self = new NodeId(nodeKey.publicKey());

                Listen cluster = new Listen(listenIp(ss, "interface"), ss.port("port", DEFAULT_PORT));
                List<Member> members = members(ss, self, cluster);
                Listen http = new Listen(listenIp(ss, "http_interface"), ss.port("http_port", DEFAULT_HTTP_PORT));
                CorsPolicy cors = cors(ss, "cors");
                Path dataDir = path(ss, "path").orElse(baseDir.resolve(DEFAULT_PATH).normalize());
                Optional<PublicPoint> admin = adminPublic(ss, members);

                EthereumRpc eth = ethereum(ext);
                Acl acl = acl(ss, ext, eth);

                RpcService rpc = rpcService(ext);
                boolean rpcEnabled = rpc.enabled();
                HostAllowList httpHosts = allowedHosts(ext, "http_allowed_hosts");
                if (!ext.has("ops_port") && http.port() + OPS_PORT_OFFSET > 65535) {
                    throw ext.error("ops_port", "not set, and its default (http_port + " + OPS_PORT_OFFSET + ") is beyond 65535; "
                            + "set ops_port");
                }
                Listen ops = new Listen(listenIp(ext, "ops_interface"), ext.port("ops_port", http.port() + OPS_PORT_OFFSET));
                boolean parityStrict = ext.bool("parity_strict", false);
                Optional<Path> keysPath = ext.has("keys_path") || rpcEnabled || source instanceof SecretSource.KeystoreAccount
                        ? Optional.of(keysDirectory(ext)) : Optional.empty();
                boolean allowKeyLoss = ext.bool("allow_key_loss_on_set_change", false);
                NodeConfig.Limits limits = new NodeConfig.Limits(
                        ext.integer("requester_rate_limit", 0, 1_000_000, "requests per second from 0 (no limit) to 1000000")
                                .orElse(NodeConfig.Limits.DEFAULT.requesterRate()),
                        ext.integer("key_rate_limit", 0, 1_000_000, "requests per second from 0 (no limit) to 1000000")
                                .orElse(NodeConfig.Limits.DEFAULT.keyRate()),
                        ext.integer("requester_concurrency_limit", 0, 1_000_000, "requests from 0 (no limit) to 1000000")
                                .orElse(NodeConfig.Limits.DEFAULT.requesterConcurrency()),
                        admission(ext), keyCreators(ext, acl));

                NodeConfig.Heartbeat heartbeat = heartbeat(ext);
                Availability availability = availability(ext, members.size());
                NodeConfig.ClusterPort clusterPort = clusterPort(ext);
                NodeConfig.RequesterAuthorization requesters = requesters(ext);
                NodeConfig.HttpListeners listeners = listeners(ext);

                checkListenersDistinct(ss, rpc.options(), cluster, disableHttp ? null : http, rpcEnabled ? rpc.listen() : null, ops);
                exposureNotices(disableHttp ? null : http, rpcEnabled ? rpc.listen() : null, ops, listeners);
                if (acl.mode() == AclMode.NONE) {
                    notices.add("[secretstore] acl_contract = \"none\": the ACL check is DISABLED, every requester may "
                            + "retrieve every document key; for local development only (SEC-22)");
                }
                if (allowKeyLoss) {
                    notices.add("[secretstore_ext] allow_key_loss_on_set_change = true: a servers set change may leave "
                            + "keys below threshold + 1 holders (SEC-26)");
                }

                return new NodeConfig(file, disabled, nodeKey, source, members, cluster,
                        disableHttp ? Optional.empty() : Optional.of(http), cors, httpHosts, dataDir, acl, admin,
                        disableAutoMigrate, eth, rpc, ops, parityStrict, keysPath, allowKeyLoss, limits, heartbeat, availability, clusterPort,
                        requesters, notices, listeners, audit(ext, dataDir));
            } catch (ConfigException | RuntimeException e) {
                if (nodeKey != null) nodeKey.destroy();
                throw e;
            }
        }

        private void checkKnown(Section s, List<String> known, String otherName, List<String> otherKnown) throws ConfigException {
            for (Iterator<String> it = s.keys(); it.hasNext(); ) {
                String key = it.next();
                if (known.contains(key)) continue;
                if (otherKnown.contains(key)) {
                    throw s.error(key, "unknown option in this section; it belongs in [" + otherName + "]");
                }
                throw s.error(key, "unknown option; the options of [" + s.name() + "] are " + String.join(", ", known));
            }
        }

        private void refuseServerSetContract(Section ss) throws ConfigException {
            Optional<String> v = ss.string("server_set_contract");
            if (v.isEmpty()) {
                throw ss.error("server_set_contract", "not set, so Parity's default \"registry\" applies, and a "
                        + "contract-based server set is not supported yet; write server_set_contract = \"none\" to use "
                        + "the nodes list");
            }
            String value = v.get();
            if (value.equals("none")) return;
            if (value.equals("registry") || isAddress(value)) {
                throw ss.error("server_set_contract", quote(value) + ": a contract-based server set is not supported "
                        + "yet; write server_set_contract = \"none\" to use the nodes list");
            }
            throw ss.error("server_set_contract", quote(value) + " is not valid; expected \"none\", \"registry\" or a "
                    + "contract address (40 hex digits)");
        }

        private void refuseServiceContract(Section ss, String option) throws ConfigException {
            Optional<String> v = ss.string(option);
            if (v.isEmpty() || v.get().equals("none")) return;
            String value = v.get();
            if (value.equals("registry") || isAddress(value)) {
                throw ss.error(option, quote(value) + ": service contracts (on-chain request queues) are not supported "
                        + "yet; remove the option or set it to \"none\" and use the HTTP API");
            }
            throw ss.error(option, quote(value) + " is not valid; expected \"none\", \"registry\" or a contract address "
                    + "(40 hex digits)");
        }

        private static boolean isAddress(String s) {
            return HEX40.matcher(s).matches();
        }

        private SecretSource secretSource(Section ss, Section ext) throws ConfigException {
            boolean inline = ss.has("self_secret");
            boolean keyFile = ext.has("self_secret_file");
            if (inline && keyFile) {
                throw ss.error("self_secret", "set together with [" + EXT + "] self_secret_file; give the node key one way only");
            }
            if (!inline && !keyFile) {
                throw ss.error("self_secret", "missing; the node key is required, as 64 hex digits in "
                        + "[secretstore] self_secret or as a key file named by [" + EXT + "] self_secret_file");
            }
            if (inline && ss.isString("self_secret") && HEX40.matcher(ss.string("self_secret").orElseThrow()).matches()) {
                Address account = Address.fromHex(ss.string("self_secret").orElseThrow());
                Path dir = keysDirectory(ext);
                Path f = new dev.secretstore.keystore.Keystore(dir).fileOf(account).orElseThrow(() -> ss.error("self_secret",
                        "account " + account.toHex() + " passed as the node key is not found: no keystore file for it in "
                                + dir + keysDirectoryOrigin(ext)));
                return new SecretSource.KeystoreAccount(account, f);
            }
            if (inline) return new SecretSource.InConfigFile();
            Path p = path(ext, "self_secret_file").orElseThrow();
            return new SecretSource.KeyFile(p);
        }

        private KeyPair readNodeKey(Section ss, Section ext, SecretSource source) throws ConfigException {
            if (source instanceof SecretSource.KeyFile kf) {
                Path p = kf.path();
                if (!Files.isRegularFile(p)) {
                    throw ext.error("self_secret_file", p + " does not exist or is not a regular file");
                }
                byte[] raw;
                try {
                    raw = Files.readAllBytes(p);
                } catch (IOException e) {
                    throw ext.error("self_secret_file", p + " cannot be read (" + e.getClass().getSimpleName() + ")");
                }
                char[] chars = new char[raw.length];
                try {
                    int n = 0;
                    for (byte b : raw) chars[n++] = (char) (b & 0xff);
                    int start = 0;
                    int end = n;
                    while (start < end && Character.isWhitespace(chars[start])) start++;
                    while (end > start && Character.isWhitespace(chars[end - 1])) end--;
                    CharBuffer hex = CharBuffer.wrap(chars, start, end - start);
                    if (!HEX64.matcher(hex).matches()) {
                        throw ext.error("self_secret_file", p + " does not hold a node key; expected exactly 64 hex "
                                + "digits (the raw secp256k1 private key) and an optional newline, found "
                                + (end - start) + " characters");
                    }
                    return keyFromHex(hex, ext, "self_secret_file");
                } finally {
                    Arrays.fill(raw, (byte) 0);
                    Arrays.fill(chars, '\0');
                }
            }
            if (source instanceof SecretSource.KeystoreAccount ka) {
                return unlockAccount(ss, ka);
            }
            String value = ss.string("self_secret").orElseThrow();
            if (HEX64.matcher(value).matches()) {
                return keyFromHex(value, ss, "self_secret");
            }
            String hint = value.startsWith("0x") || value.startsWith("0X") ? " (without a 0x prefix)" : "";
            throw ss.error("self_secret", "expected 64 hex digits" + hint + " (the raw secp256k1 private key), got a "
                    + "value of " + value.length() + " characters");
        }

        private static KeyPair keyFromHex(CharSequence hex, Section s, String option) throws ConfigException {
            byte[] bytes = Hex.decode(hex);
            try {
                return KeyPair.fromSecretBytes(bytes);
            } catch (CryptoException e) {
                throw s.error(option, "not a valid secp256k1 private key (zero, or not below the group order)");
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }

        /**
         * The keystore directory: {@code [secretstore_ext] keys_path} as written, else Parity's ({@link ParityAccounts}:
         * {@code [parity] base_path}, {@code keys_path} and {@code chain}).
         */
        private Path keysDirectory(Section ext) throws ConfigException {
            Optional<Path> own = path(ext, "keys_path");
            if (own.isPresent()) return own.get();
            Section p = parity.get("parity");
            Optional<String> base = p.string("base_path");
            Optional<String> keys = p.string("keys_path");
            String chain = p.string("chain").orElse(ParityAccounts.DEFAULT_CHAIN);
            for (String option : List.of("base_path", "keys_path")) {
                if (p.string(option).map(String::isBlank).orElse(false)) throw p.error(option, "is empty; expected a path");
            }
            try {
                return ParityAccounts.keysDirectory(base, keys, chain, env);
            } catch (java.nio.file.InvalidPathException e) {
                throw p.error(p.has("keys_path") ? "keys_path" : "base_path", "is not a valid path");
            } catch (IllegalArgumentException e) {
                throw p.error("chain", e.getMessage());
            }
        }

        /** How {@link #keysDirectory} came about, for messages. */
        private String keysDirectoryOrigin(Section ext) {
            if (ext.has("keys_path")) return " ([" + EXT + "] keys_path)";
            return " (Parity's keys directory: [parity] base_path, keys_path and chain"
                    + (parity.get("parity").has("base_path") ? "" : "; base_path not set, so Parity's default") + ")";
        }

        /** SEC-07: the passwords go to the keystore only; messages name files and the account, never a password. */
        private KeyPair unlockAccount(Section ss, SecretSource.KeystoreAccount ka) throws ConfigException {
            Section account = parity.get("account");
            List<String> files = account.strings("password", false).orElse(List.of());
            List<String> passwords;
            try {
                List<Path> paths = ParityAccounts.passwordFiles(files, parity.get("parity").string("base_path"), env);
                for (int i = 0; i < files.size(); i++) {
                    if (!Path.of(files.get(i)).isAbsolute() && !files.get(i).startsWith("$")) {
                        notices.add("[account] password: " + quote(files.get(i)) + " is relative, so it is read, as Parity "
                                + "reads it, from the working directory: " + paths.get(i));
                    }
                    FilePermissionChecks.secretFileWarning(paths.get(i), true).ifPresent(w -> notices.add(
                            "[account] password: " + w.replace("holds the node key", "unlocks the node key")));
                }
                passwords = ParityAccounts.passwords(paths);
            } catch (IOException e) {
                throw account.error("password", e.getMessage());
            } catch (java.nio.file.InvalidPathException e) {
                throw account.error("password", "an entry is not a valid path");
            }
            try {
                return ParityAccounts.unlock(new dev.secretstore.keystore.Keystore(ka.file().getParent()), ka.account(), passwords);
            } catch (IllegalArgumentException e) {
                throw ss.error("self_secret", e.getMessage());
            }
        }

        /**
         * The {@code secretstore_*} JSON-RPC service: from Parity's {@code [rpc]} when it is enabled (Parity's default;
         * {@code disable = true} turns it off) and its {@code apis} include the secretstore API ({@link ParityRpcApis});
         * else from {@code [secretstore_ext] rpc_enabled}. Both at once is an error: one service, configured once.
         */
        private RpcService rpcService(Section ext) throws ConfigException {
            Section r = parity.get("rpc");
            boolean parityServes = false;
            if (r.keys().hasNext()) {
                List<String> apis = r.strings("apis", false).orElse(ParityRpcApis.DEFAULT);
                boolean serves;
                try {
                    serves = ParityRpcApis.servesSecretStore(apis);
                } catch (IllegalArgumentException e) {
                    throw r.error("apis", e.getMessage());
                }
                parityServes = serves && !r.bool("disable", false);
                if (!parityServes) {
                    notices.add("[rpc]: " + (serves ? "disable = true" : "its apis do not include the secretstore API")
                            + ", so the node serves no JSON-RPC there (it serves only secretstore_*)");
                }
            }
            if (!parityServes) {
                return new RpcService(ext.bool("rpc_enabled", false),
                        new Listen(listenIp(ext, "rpc_interface"), ext.port("rpc_port", DEFAULT_RPC_PORT)),
                        cors(ext, "rpc_cors"), allowedHosts(ext, "rpc_allowed_hosts"));
            }
            if (ext.bool("rpc_enabled", false)) {
                throw ext.error("rpc_enabled", "true, and Parity's [rpc] section serves the secretstore API too; the node runs "
                        + "one JSON-RPC service: remove rpc_enabled (and rpc_*) or take \"secretstore\" out of [rpc] apis");
            }
            Listen listen = new Listen(listenIp(r, "interface"), r.port("port", DEFAULT_RPC_PORT));
            List<String> hosts = r.strings("hosts", false).orElse(List.of("none"));
            HostAllowList allowed;
            if (hosts.equals(List.of("none"))) {
                // Parity (configuration.rs hosts()): on 0.0.0.0 "none" means any Host header
                allowed = listen.ip().equals("0.0.0.0") ? HostAllowList.anyHost() : HostAllowList.defaults();
            } else if (hosts.size() == 1 && List.of("*", "all", "any").contains(hosts.get(0))) {
                allowed = HostAllowList.anyHost();
            } else {
                try {
                    allowed = HostAllowList.of(hosts);
                } catch (IllegalArgumentException e) {
                    throw r.error("hosts", ConfigException.redact(e.getMessage()));
                }
            }
            notices.add("[rpc] serves the secretstore_* JSON-RPC on " + listen + " with the accounts of the keystore "
                    + "directory; Parity's other methods answer \"Method not found\"");
            return new RpcService(true, listen, cors(r, "cors"), allowed, RpcService.PARITY_OPTIONS);
        }

        private List<Member> members(Section ss, NodeId self, Listen cluster) throws ConfigException {
            List<String> entries = ss.strings("nodes", false).orElse(List.of());
            List<Member> out = new ArrayList<>();
            Map<NodeId, Integer> seenIds = new HashMap<>();
            Map<String, Integer> seenAddrs = new HashMap<>();
            for (int i = 0; i < entries.size(); i++) {
                Member m = member(ss, i + 1, entries.get(i));
                Integer prev = seenIds.putIfAbsent(m.id(), i + 1);
                if (prev != null) {
                    throw ss.error("nodes", "entry " + (i + 1) + " repeats the node id of entry " + prev + " ("
                            + m.id().shortId() + "…); every node id must appear once");
                }
                String addr = m.host().toLowerCase(java.util.Locale.ROOT) + ":" + m.port();
                prev = seenAddrs.putIfAbsent(addr, i + 1);
                if (prev != null) {
                    throw ss.error("nodes", "entry " + (i + 1) + " repeats the address " + m.host() + ":" + m.port()
                            + " of entry " + prev + "; every node needs its own address");
                }
                out.add(m);
            }
            if (!seenIds.containsKey(self)) {
                // Parity adds the node itself with its listen address (spec/acl-and-config.md §4).
                Member me = new Member(self, cluster.ip(), cluster.port());
                if (seenAddrs.containsKey(cluster.ip() + ":" + cluster.port())) {
                    throw ss.error("nodes", "this node's id (" + self.shortId() + "…, from the node key) is not in the "
                            + "list and its listen address " + cluster + " belongs to another entry; check the node key");
                }
                out.add(me);
                notices.add("[secretstore] nodes does not list this node (" + self.shortId() + "…); added with its "
                        + "listen address " + cluster + " as Parity does; the other members must list it with an "
                        + "address they can reach");
            }
            return out;
        }

        private Member member(Section ss, int index, String entry) throws ConfigException {
            String where = "entry " + index + " " + quote(entry);
            String expected = "; expected \"<128 hex digit node id>@<host>:<port>\"";
            int at = entry.indexOf('@');
            if (at < 0) throw ss.error("nodes", where + " has no '@'" + expected);
            String idHex = entry.substring(0, at);
            if (!HEX128.matcher(idHex).matches()) {
                throw ss.error("nodes", where + ": the node id must be exactly 128 hex digits without 0x, got "
                        + idHex.length() + " characters" + expected);
            }
            NodeId id;
            try {
                id = NodeId.fromHex(idHex);
            } catch (CryptoException e) {
                throw ss.error("nodes", where + ": the node id is not a valid secp256k1 public key (" + e.getMessage() + ")");
            }
            Matcher m = HOST_PORT.matcher(entry.substring(at + 1));
            if (!m.matches()) {
                throw ss.error("nodes", where + ": the address must be host:port ([IPv6]:port for IPv6)" + expected);
            }
            boolean bracketed = m.group(2) != null;
            String host = bracketed ? m.group(2) : m.group(1);
            if (bracketed ? !Hosts.isIpv6(host) : !(Hosts.isIpv4(host) || Hosts.isHostName(host))) {
                throw ss.error("nodes", where + ": " + quote(host) + " is not an IP address or host name");
            }
            String portText = m.group(3);
            int port = portText.length() > 5 ? -1 : Integer.parseInt(portText);
            if (port < 1 || port > 65535) {
                throw ss.error("nodes", where + ": port " + portText + " is out of range; expected 1 to 65535");
            }
            return new Member(id, host, port);
        }

        private String listenIp(Section s, String option) throws ConfigException {
            String v = s.string(option).orElse("local");
            if (v.equals("local")) return "127.0.0.1";
            if (v.equals("all")) return "0.0.0.0";
            if (Hosts.isIpLiteral(v)) return v;
            throw s.error(option, quote(v) + " is not valid; expected \"local\" (127.0.0.1), \"all\" (0.0.0.0) or an IP address");
        }

        private CorsPolicy cors(Section s, String option) throws ConfigException {
            List<String> entries = s.strings(option, true).orElse(List.of("none"));
            try {
                return CorsPolicy.of(entries);
            } catch (IllegalArgumentException e) {
                throw s.error(option, ConfigException.redact(e.getMessage()));
            }
        }

        /** SEC-37: host names or IP literals (optionally with a port) beyond the defaults, or "*" alone for any. */
        private HostAllowList allowedHosts(Section s, String option) throws ConfigException {
            List<String> entries = s.strings(option, true).orElse(List.of());
            try {
                return HostAllowList.of(entries);
            } catch (IllegalArgumentException e) {
                throw s.error(option, ConfigException.redact(e.getMessage()));
            }
        }

        /** SEC-29: {@code audit_file} (default {@code <data dir>/audit.jsonl}) and its checkpoint interval. */
        private dev.secretstore.node.audit.AuditTrail.Config audit(Section ext, Path dataDir) throws ConfigException {
            Path file = path(ext, "audit_file").orElse(dataDir.resolve(dev.secretstore.node.audit.AuditTrail.Config.DEFAULT_NAME));
            int lines = ext.integer("audit_checkpoint_lines", 1, 1_000_000, "lines from 1 to 1000000")
                    .orElse(dev.secretstore.node.audit.AuditTrail.Config.DEFAULT_CHECKPOINT_LINES);
            int seconds = ext.integer("audit_checkpoint_interval", 1, 86_400, "seconds from 1 to 86400")
                    .orElse((int) dev.secretstore.node.audit.AuditTrail.Config.DEFAULT_CHECKPOINT_INTERVAL.toSeconds());
            return new dev.secretstore.node.audit.AuditTrail.Config(file, lines, java.time.Duration.ofSeconds(seconds));
        }

        private Optional<Path> path(Section s, String option) throws ConfigException {
            Optional<String> v = s.string(option);
            if (v.isEmpty()) return Optional.empty();
            if (v.get().isBlank()) throw s.error(option, "is empty; expected a path");
            try {
                return Optional.of(baseDir.resolve(v.get()).normalize());
            } catch (java.nio.file.InvalidPathException e) {
                throw s.error(option, quote(v.get()) + " is not a valid path");
            }
        }

        private Optional<PublicPoint> adminPublic(Section ss, List<Member> members) throws ConfigException {
            Optional<String> v = ss.string("admin_public");
            if (v.isEmpty()) return Optional.empty();
            String hex = v.get();
            if (!HEX128.matcher(hex).matches()) {
                throw ss.error("admin_public", "expected 128 hex digits without 0x (the administrator's public key), got "
                        + hex.length() + " characters");
            }
            PublicPoint p;
            try {
                p = PublicPoint.fromHex(hex);
            } catch (CryptoException e) {
                throw ss.error("admin_public", "not a valid secp256k1 public key (" + e.getMessage() + ")");
            }
            for (Member m : members) {
                if (m.id().publicKey().equals(p)) {
                    throw ss.error("admin_public", "equals the key of node " + m.id().shortId() + "…; the administrator "
                            + "key must not be a node key (SEC-16, SEC-24)");
                }
            }
            return Optional.of(p);
        }

        /**
         * {@code generation_min_members} (0 to the number of members; 0 = {@code t+1}), {@code share_repair_interval}
         * (seconds, 1 to 86400) and {@code share_refresh_interval} (seconds; 0 = never on a schedule, else 60 to
         * 31536000): docs/availability.md.
         */
        private Availability availability(Section ext, int members) throws ConfigException {
            Availability d = Availability.DEFAULTS;
            int floor = ext.integer("generation_min_members", 0, members, "a number of members from 0 (t+1) to " + members)
                    .orElse(d.generationFloor());
            int repair = ext.integer("share_repair_interval", 1, 86_400, "seconds from 1 to 86400")
                    .orElse((int) d.repairInterval().toSeconds());
            int refresh = ext.integer("share_refresh_interval", 0, 31_536_000, "seconds: 0 (off) or 60 to 31536000")
                    .orElse((int) d.refreshInterval().toSeconds());
            if (refresh > 0 && refresh < 60) {
                throw ext.error("share_refresh_interval", refresh + " is shorter than 60 seconds; 0 turns the schedule off");
            }
            return d.withGenerationFloor(floor).withRepairInterval(Duration.ofSeconds(repair))
                    .withRefreshInterval(Duration.ofSeconds(refresh));
        }

        /** {@code cluster_accept_from}, {@code cluster_handshakes_per_address}, {@code cluster_handshake_rate} (SEC-36). */
        private NodeConfig.ClusterPort clusterPort(Section ext) throws ConfigException {
            String from = ext.string("cluster_accept_from").orElse("any");
            if (!from.equals("any") && !from.equals("members")) {
                throw ext.error("cluster_accept_from", quote(from) + " is not \"any\" or \"members\"");
            }
            NodeConfig.ClusterPort d = NodeConfig.ClusterPort.DEFAULT;
            int pending = ext.integer("cluster_handshakes_per_address", 1, 1024, "handshakes from 1 to 1024")
                    .orElse(d.handshakesPerAddress());
            int rate = ext.integer("cluster_handshake_rate", 1, 10_000, "handshakes per second from 1 to 10000")
                    .orElse(d.handshakeRate());
            return new NodeConfig.ClusterPort(from.equals("members"), pending, rate);
        }

        /**
         * {@code legacy_requester_signatures} ({@code "all"}, {@code "shadow-only"}, {@code "none"}), {@code cluster_id} (a
         * name, 1 to 200 characters, not blank, no control characters), {@code authorization_max_lifetime} (seconds, 1 to
         * 86400), {@code authorization_clock_skew} (seconds, 0 to 3600), {@code authorization_nonce_capacity} (1 to
         * 10000000): SEC-32, docs/auth.md.
         */
        private NodeConfig.RequesterAuthorization requesters(Section ext) throws ConfigException {
            NodeConfig.RequesterAuthorization d = NodeConfig.RequesterAuthorization.DEFAULT;
            LegacyPolicy legacy = d.legacy();
            Optional<String> policy = ext.string("legacy_requester_signatures");
            if (policy.isPresent()) {
                try {
                    legacy = LegacyPolicy.parse(policy.get());
                } catch (IllegalArgumentException e) {
                    throw ext.error("legacy_requester_signatures", quote(policy.get()) + " is not valid; expected \"all\" "
                            + "(Parity's behaviour), \"shadow-only\" or \"none\"");
                }
            }
            Optional<String> name = ext.string("cluster_id");
            if (name.isPresent()) {
                String n = name.get();
                if (n.isBlank() || n.length() > 200 || n.chars().anyMatch(Character::isISOControl)) {
                    throw ext.error("cluster_id", "expected a name of 1 to 200 characters, not blank, without control characters "
                            + "(the cluster id is derived from it; leave it out to derive the id from the nodes list)");
                }
            }
            int lifetime = ext.integer("authorization_max_lifetime", 1, 86_400, "seconds from 1 to 86400")
                    .orElse((int) d.maxLifetime().toSeconds());
            int skew = ext.integer("authorization_clock_skew", 0, 3_600, "seconds from 0 to 3600")
                    .orElse((int) d.clockSkew().toSeconds());
            int capacity = ext.integer("authorization_nonce_capacity", 1, 10_000_000, "a number of nonces from 1 to 10000000")
                    .orElse(d.nonceCapacity());
            return new NodeConfig.RequesterAuthorization(name, legacy, Duration.ofSeconds(lifetime), Duration.ofSeconds(skew), capacity);
        }

        /** {@code peer_heartbeat_ms} and {@code peer_deadline_ms}: the transport's heartbeat (docs/transport.md §6.1). */
        private NodeConfig.Heartbeat heartbeat(Section ext) throws ConfigException {
            int interval = ext.integer("peer_heartbeat_ms", 100, 60_000, "milliseconds from 100 to 60000")
                    .orElse((int) NodeConfig.Heartbeat.DEFAULT.interval().toMillis());
            int deadline = ext.integer("peer_deadline_ms", 300, 600_000, "milliseconds from 300 to 600000")
                    .orElse((int) NodeConfig.Heartbeat.DEFAULT.deadline().toMillis());
            if (deadline <= interval) {
                throw ext.error("peer_deadline_ms", deadline + " is not longer than peer_heartbeat_ms = " + interval
                        + "; a peer would be dropped between two heartbeats");
            }
            return new NodeConfig.Heartbeat(Duration.ofMillis(interval), Duration.ofMillis(deadline));
        }

        private EthereumRpc ethereum(Section ext) throws ConfigException {
            Optional<URI> url = Optional.empty();
            Optional<String> u = ext.string("eth_rpc_url");
            if (u.isPresent()) {
                try {
                    URI uri = new URI(u.get());
                    String scheme = uri.getScheme();
                    if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                        throw ext.error("eth_rpc_url", quote(u.get()) + " is not an http:// or https:// URL with a host");
                    }
                    url = Optional.of(uri);
                } catch (URISyntaxException e) {
                    throw ext.error("eth_rpc_url", quote(u.get()) + " is not a valid URL");
                }
            }
            int timeout = ext.integer("eth_rpc_timeout_ms", 1, 600_000, "milliseconds from 1 to 600000")
                    .orElse(DEFAULT_ETH_RPC_TIMEOUT_MS);
            Optional<Address> registrar = Optional.empty();
            Optional<String> r = ext.string("registrar_address");
            if (r.isPresent()) registrar = Optional.of(address(ext, "registrar_address", r.get()));
            return new EthereumRpc(url, Duration.ofMillis(timeout), registrar);
        }

        /** SEC-35: the limits per source address and per operation class (docs/admission.md); 0 turns one off. */
        private static Admission.Config admission(Section ext) throws ConfigException {
            Admission.Config d = Admission.Config.DEFAULT;
            String rate = "per second from 0 (no limit) to 1000000";
            String count = "requests from 0 (no limit) to 1000000";
            Admission.Config c = new Admission.Config(
                    ext.integer("address_rate_limit", 0, 1_000_000, "cost units " + rate).orElse(d.perAddressPerSecond()),
                    ext.integer("address_concurrency_limit", 0, 1_000_000, count).orElse(d.perAddressMaxInFlight()),
                    ext.integer("generation_rate_limit", 0, 1_000_000, "generations " + rate).orElse(d.generationsPerSecond()),
                    ext.integer("store_rate_limit", 0, 1_000_000, "stores " + rate).orElse(d.storesPerSecond()),
                    ext.integer("retrieval_rate_limit", 0, 1_000_000, "retrievals " + rate).orElse(d.retrievalsPerSecond()),
                    ext.integer("signing_rate_limit", 0, 1_000_000, "signings " + rate).orElse(d.signingsPerSecond()),
                    ext.integer("concurrency_limit", 0, 1_000_000, count).orElse(d.maxInFlight()),
                    ext.integer("generation_concurrency_limit", 0, 1_000_000, count).orElse(d.generationMaxInFlight()));
            if (c.maxInFlight() > 0 && c.generationMaxInFlight() > c.maxInFlight()) {
                throw ext.error("generation_concurrency_limit", c.generationMaxInFlight() + " is above concurrency_limit ("
                        + c.maxInFlight() + "); generations get a share of the requests in flight");
            }
            return c;
        }

        /**
         * SEC-35: {@code key_creators}, the requesters that may generate keys; absent: anyone (Parity's behaviour);
         * {@code "contract"}: the ACL contract's {@code canCreateKeys} (needs {@code acl_contract = <address>}).
         */
        private static KeyCreators keyCreators(Section ext, Acl acl) throws ConfigException {
            if (ext.isString("key_creators")) {
                String v = ext.string("key_creators").orElseThrow();
                if (!v.equals("contract")) {
                    throw ext.error("key_creators", quote(v) + " is not valid; expected an array of addresses or \"contract\"");
                }
                if (acl.mode() != AclMode.CONTRACT) {
                    throw ext.error("key_creators", "\"contract\" asks the ACL contract's canCreateKeys, so it needs ["
                            + SECRETSTORE + "] acl_contract = \"<contract address>\"");
                }
                return KeyCreators.fromContract();
            }
            Optional<List<String>> list = ext.strings("key_creators", false);
            if (list.isEmpty()) return KeyCreators.anyone();
            Set<Address> out = new LinkedHashSet<>();
            for (String v : list.get()) {
                String hex = v.startsWith("0x") ? v.substring(2) : v;
                if (!isAddress(hex)) throw ext.error("key_creators", quote(v) + " is not an address; expected 40 hex digits");
                out.add(Address.fromHex(hex));
            }
            return KeyCreators.only(out);
        }

        private static Address address(Section s, String option, String value) throws ConfigException {
            String hex = value.startsWith("0x") ? value.substring(2) : value;
            if (!isAddress(hex)) {
                throw s.error(option, quote(value) + " is not a contract address; expected 40 hex digits");
            }
            Address a = Address.fromHex(hex);
            if (Arrays.equals(a.toBytes(), new byte[Address.LENGTH])) {
                throw s.error(option, "the zero address is not a contract");
            }
            return a;
        }

        private Acl acl(Section ss, Section ext, EthereumRpc eth) throws ConfigException {
            Optional<String> v = ss.string("acl_contract");
            boolean hasPolicyFile = ext.has("acl_policy_file");
            if (v.isEmpty()) {
                // Parity's default is "registry"; the project applies it only when it can work (SEC-22).
                if (eth.registrar().isEmpty() || eth.url().isEmpty()) {
                    throw ss.error("acl_contract", "not set, and Parity's default \"registry\" needs [" + EXT
                            + "] registrar_address and eth_rpc_url, which are not both set; the node does not start "
                            + "without an ACL (SEC-22). Set acl_contract to a contract address (40 hex digits), "
                            + "\"registry\", \"policy\" (with [" + EXT + "] acl_policy_file) or, for local "
                            + "development only, \"none\"");
                }
                if (hasPolicyFile) throw policyFileWithoutPolicy(ext, "registry (the default)");
                return new Acl(AclMode.REGISTRY, Optional.empty(), Optional.empty());
            }
            String value = v.get();
            switch (value) {
                case "none" -> {
                    if (hasPolicyFile) throw policyFileWithoutPolicy(ext, "\"none\"");
                    return new Acl(AclMode.NONE, Optional.empty(), Optional.empty());
                }
                case "registry" -> {
                    if (eth.registrar().isEmpty()) {
                        throw ss.error("acl_contract", "\"registry\" needs [" + EXT + "] registrar_address (the "
                                + "registrar contract; Parity took it from the chain spec)");
                    }
                    requireEthUrl(ss, eth, "\"registry\"");
                    if (hasPolicyFile) throw policyFileWithoutPolicy(ext, "\"registry\"");
                    return new Acl(AclMode.REGISTRY, Optional.empty(), Optional.empty());
                }
                case "policy" -> {
                    Path p = path(ext, "acl_policy_file").orElseThrow(() -> ss.error("acl_contract",
                            "\"policy\" needs [" + EXT + "] acl_policy_file (a TOML file of grants)"));
                    if (!Files.isRegularFile(p)) {
                        throw ext.error("acl_policy_file", p + " does not exist or is not a regular file");
                    }
                    return new Acl(AclMode.POLICY, Optional.empty(), Optional.of(p));
                }
                default -> {
                    if (!isAddress(value)) {
                        throw ss.error("acl_contract", quote(value) + " is not valid; expected \"registry\", a contract "
                                + "address (40 hex digits, no 0x), \"policy\" or \"none\"");
                    }
                    Address a = address(ss, "acl_contract", value);
                    requireEthUrl(ss, eth, "a contract address");
                    if (hasPolicyFile) throw policyFileWithoutPolicy(ext, "a contract address");
                    return new Acl(AclMode.CONTRACT, Optional.of(a), Optional.empty());
                }
            }
        }

        private static void requireEthUrl(Section ss, EthereumRpc eth, String what) throws ConfigException {
            if (eth.url().isEmpty()) {
                throw ss.error("acl_contract", what + " needs [" + EXT + "] eth_rpc_url (the Ethereum JSON-RPC "
                        + "endpoint the ACL is read through)");
            }
        }

        private static ConfigException policyFileWithoutPolicy(Section ext, String mode) {
            return ext.error("acl_policy_file", "set, but [" + SECRETSTORE + "] acl_contract is " + mode
                    + ", so the policy file would be ignored; set acl_contract = \"policy\" or remove the option");
        }

        private static void checkListenersDistinct(Section ss, String rpcOptions, Listen... listeners) throws ConfigException {
            String[] names = {"[secretstore] interface/port", "[secretstore] http_interface/http_port",
                    rpcOptions, "[secretstore_ext] ops_interface/ops_port"};
            for (int i = 0; i < listeners.length; i++) {
                for (int j = i + 1; j < listeners.length; j++) {
                    Listen a = listeners[i];
                    Listen b = listeners[j];
                    if (a == null || b == null || a.port() != b.port()) continue;
                    if (overlap(a.ip(), b.ip())) {
                        throw ss.error(null, names[i] + " and " + names[j] + " both use " + b
                                + "; every listener needs its own port");
                    }
                }
            }
        }

        private static boolean overlap(String a, String b) {
            return a.equals(b) || Hosts.literal(a).isAnyLocalAddress() || Hosts.literal(b).isAnyLocalAddress()
                    || Hosts.literal(a).equals(Hosts.literal(b));
        }

        private void exposureNotices(Listen http, Listen rpc, Listen ops, NodeConfig.HttpListeners listeners) {
            if (http != null && !http.isLoopback() && listeners.tls().isEmpty()) {
                notices.add("HTTP API listens on " + http + ", beyond this machine, in plain HTTP; set [" + EXT
                        + "] tls_certificate and tls_private_key (or put a TLS proxy in front of it) (SEC-30)");
            }
            if (rpc != null && !rpc.isLoopback()) {
                notices.add("JSON-RPC service listens on " + rpc + ", beyond this machine; it receives passwords and "
                        + "must only be reached through TLS (SEC-30)");
            }
            if (!ops.isLoopback()) {
                notices.add("health and metrics listener on " + ops + " is reachable beyond this machine"
                        + (listeners.opsTls() ? "" : ", in plain HTTP; set [" + EXT + "] tls_certificate and tls_private_key"));
            }
        }

        /**
         * The HTTP listeners' limits ({@code http_*}) and TLS files ({@code tls_certificate}, {@code tls_private_key},
         * {@code ops_tls}, {@code ops_tls_client_ca}): SEC-34, docs/configuration.md. Files are resolved against the
         * configuration file's directory and must be readable now; their content is checked when the node starts.
         */
        private NodeConfig.HttpListeners listeners(Section ext) throws ConfigException {
            ServerLimits d = NodeConfig.HttpListeners.DEFAULT.limits();
            int header = ext.integer("http_header_timeout", 1, 3_600, "seconds from 1 to 3600").orElse((int) d.headerTimeout().toSeconds());
            int body = ext.integer("http_body_timeout", 1, 3_600, "seconds from 1 to 3600").orElse((int) d.bodyTimeout().toSeconds());
            int idle = ext.integer("http_idle_timeout", 1, 86_400, "seconds from 1 to 86400").orElse((int) d.idleTimeout().toSeconds());
            int headerBytes = ext.integer("http_max_header_bytes", 1024, 1 << 20, "bytes from 1024 to 1048576")
                    .orElse(d.maxHeaderBytes());
            int bodyBytes = ext.integer("http_max_body_bytes", 1024, dev.secretstore.node.http.RequestParser.MAX_BODY_BYTES,
                    "bytes from 1024 to " + dev.secretstore.node.http.RequestParser.MAX_BODY_BYTES + " (the API's largest body)")
                    .orElse(d.maxBodyBytes());
            int connections = ext.integer("http_max_connections", 1, 1_000_000, "connections from 1 to 1000000")
                    .orElse(d.maxConnections());
            int perAddress = ext.integer("http_max_connections_per_address", 1, 1_000_000, "connections from 1 to 1000000")
                    .orElse(d.maxConnectionsPerSource());
            if (perAddress > connections) {
                throw ext.error("http_max_connections_per_address", perAddress + " is more than http_max_connections ("
                        + connections + "); expected at most that");
            }
            int threads = ext.integer("http_threads", 1, 256, "threads from 1 to 256").orElse(d.handlerThreads());
            ServerLimits limits = new ServerLimits(Duration.ofSeconds(header), Duration.ofSeconds(body), Duration.ofSeconds(idle),
                    headerBytes, bodyBytes, connections, perAddress, threads, d.handlerQueue());

            Optional<Path> certificate = readableFile(ext, "tls_certificate");
            Optional<Path> key = readableFile(ext, "tls_private_key");
            if (certificate.isPresent() != key.isPresent()) {
                String missing = certificate.isPresent() ? "tls_private_key" : "tls_certificate";
                String given = certificate.isPresent() ? "tls_certificate" : "tls_private_key";
                throw ext.error(missing, "not set, but " + given + " is; TLS needs both a PEM certificate chain "
                        + "(tls_certificate) and its PEM private key (tls_private_key), or neither");
            }
            Optional<TlsFiles> tls = certificate.map(c -> new TlsFiles(c, key.orElseThrow()));
            if (ext.has("ops_tls") && tls.isEmpty() && ext.bool("ops_tls", false)) {
                throw ext.error("ops_tls", "true, but tls_certificate and tls_private_key are not set; the ops listener "
                        + "serves HTTPS with the HTTP API's certificate, so set them too, or remove ops_tls");
            }
            boolean opsTls = ext.bool("ops_tls", tls.isPresent());
            Optional<Path> clientCa = readableFile(ext, "ops_tls_client_ca");
            if (clientCa.isPresent() && !opsTls) {
                throw ext.error("ops_tls_client_ca", "set, but the ops listener does not serve TLS ("
                        + (tls.isEmpty() ? "tls_certificate and tls_private_key are not set" : "ops_tls = false")
                        + "); client certificates need ops_tls with tls_certificate and tls_private_key");
            }
            return new NodeConfig.HttpListeners(limits, tls, opsTls, clientCa);
        }

        /** A path option naming a file that must exist and be readable now, resolved against the configuration file. */
        private Optional<Path> readableFile(Section ext, String option) throws ConfigException {
            Optional<Path> p = path(ext, option);
            if (p.isEmpty()) return p;
            if (!Files.isRegularFile(p.get())) {
                throw ext.error(option, p.get() + " does not exist or is not a regular file; expected a PEM file");
            }
            if (!Files.isReadable(p.get())) {
                throw ext.error(option, p.get() + " cannot be read; expected a PEM file readable by the node");
            }
            return p;
        }
    }
}
