package dev.secretstore.node.config;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.auth.LegacyPolicy;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import dev.secretstore.protocol.Availability;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated node configuration, as loaded by {@link ConfigLoader#load(Path)} from a TOML file
 * whose {@code [secretstore]} section takes Parity's option names and whose
 * {@code [secretstore_ext]} section holds the project's own options (spec/acl-and-config.md §4, §5).
 *
 * <p>Every value here has passed validation: node ids and {@code admin_public} are valid points,
 * ports are in range, paths are absolute. The node key is held as a {@link KeyPair}, whose
 * {@code toString} shows only the public half, so printing a {@code NodeConfig} never shows the
 * secret (SEC-07).
 *
 * @param source            the configuration file, absolute
 * @param disabled          {@code [secretstore] disable}: the node must exit with a message
 * @param nodeKey           the node key (from {@code self_secret} or {@code self_secret_file})
 * @param secret            where the node key came from (for the SEC-27 permission checks)
 * @param nodes             every cluster member including this node, in file order (self appended
 *                          with the listen address if the file did not list it, as Parity does)
 * @param cluster           node-to-node listen address ({@code interface}, {@code port})
 * @param http              HTTP API listen address; empty when {@code disable_http = true}
 * @param cors              HTTP CORS setting ({@code cors})
 * @param httpHosts         the HTTP API's {@code Host} allow-list ({@code http_allowed_hosts}, SEC-37)
 * @param dataDir           {@code path}, resolved against the configuration file's directory
 * @param acl               {@code acl_contract} and what it needs
 * @param adminPublic       {@code admin_public}, if set (never equal to a node id)
 * @param disableAutoMigrate {@code disable_auto_migrate} (accepted, no effect yet)
 * @param ethereum          Ethereum JSON-RPC endpoint settings for ACL and registry calls
 * @param rpc               the {@code secretstore_*} JSON-RPC service settings ({@code [secretstore_ext] rpc_*}, or
 *                          Parity's {@code [rpc]} when its {@code apis} include secretstore)
 * @param ops               health and metrics listener
 * @param parityStrict      {@code parity_strict}: turn off every HTTP extension
 * @param keysPath          the keystore directory: {@code [secretstore_ext] keys_path}, resolved, if set; otherwise
 *                          Parity's ({@link ParityAccounts}) when the node key or the JSON-RPC service needs one
 * @param allowKeyLossOnSetChange {@code allow_key_loss_on_set_change} (SEC-26)
 * @param limits            HTTP request limits per requester and per key (SEC-23, SEC-28), per source address and
 *                          operation class, and who may create keys (SEC-35)
 * @param heartbeat         node-to-node heartbeat and peer deadline ({@code peer_heartbeat_ms}, {@code peer_deadline_ms})
 * @param availability      generation floor, share repair and refresh ({@code generation_min_members},
 *                          {@code share_repair_interval}, {@code share_refresh_interval}; docs/availability.md)
 * @param clusterPort       the cluster port before authentication ({@code cluster_accept_from},
 *                          {@code cluster_handshakes_per_address}, {@code cluster_handshake_rate}; SEC-36)
 * @param requesters        how requesters authorize requests ({@code legacy_requester_signatures}, {@code cluster_id},
 *                          {@code authorization_*}; SEC-32, docs/auth.md)
 * @param notices           things the node must log at start-up (ignored sections, accepted but
 *                          inactive options, insecure settings); never contains a secret
 * @param listeners         the HTTP API's and the ops listener's limits and TLS ({@code http_*}, {@code tls_*},
 *                          {@code ops_tls*}; SEC-34, docs/configuration.md "HTTP listeners" and "TLS")
 */
public record NodeConfig(
        Path source,
        boolean disabled,
        KeyPair nodeKey,
        SecretSource secret,
        List<Member> nodes,
        Listen cluster,
        Optional<Listen> http,
        CorsPolicy cors,
        HostAllowList httpHosts,
        Path dataDir,
        Acl acl,
        Optional<PublicPoint> adminPublic,
        boolean disableAutoMigrate,
        EthereumRpc ethereum,
        RpcService rpc,
        Listen ops,
        boolean parityStrict,
        Optional<Path> keysPath,
        boolean allowKeyLossOnSetChange,
        Limits limits,
        Heartbeat heartbeat,
        Availability availability,
        ClusterPort clusterPort,
        RequesterAuthorization requesters,
        List<String> notices,
        HttpListeners listeners,
        dev.secretstore.node.audit.AuditTrail.Config audit) {

    /** Without audit options: the audit file in its default place, {@code <data dir>/audit.jsonl} (SEC-29). */
    public NodeConfig(Path source, boolean disabled, KeyPair nodeKey, SecretSource secret, List<Member> nodes, Listen cluster,
                      Optional<Listen> http, CorsPolicy cors, HostAllowList httpHosts, Path dataDir, Acl acl,
                      Optional<PublicPoint> adminPublic, boolean disableAutoMigrate, EthereumRpc ethereum, RpcService rpc, Listen ops,
                      boolean parityStrict, Optional<Path> keysPath, boolean allowKeyLossOnSetChange, Limits limits,
                      Heartbeat heartbeat, Availability availability, ClusterPort clusterPort, RequesterAuthorization requesters,
                      List<String> notices, HttpListeners listeners) {
        this(source, disabled, nodeKey, secret, nodes, cluster, http, cors, httpHosts, dataDir, acl, adminPublic, disableAutoMigrate,
                ethereum, rpc, ops, parityStrict, keysPath, allowKeyLossOnSetChange, limits, heartbeat, availability, clusterPort,
                requesters, notices, listeners, dev.secretstore.node.audit.AuditTrail.Config.defaults(dataDir));
    }

    /**
     * The HTTP listeners' limits and TLS (SEC-34, docs/configuration.md).
     *
     * @param limits      the HTTP API's deadlines, sizes, connection caps and handler threads ({@code http_*}); the ops
     *                    listener takes its deadlines and header size, with its own small fixed caps
     * @param tls         {@code tls_certificate} and {@code tls_private_key}, resolved and readable: the HTTP API serves HTTPS
     * @param opsTls      {@code ops_tls}: the ops listener serves HTTPS with the same certificate (needs {@code tls})
     * @param opsClientCa {@code ops_tls_client_ca}, resolved and readable: the ops listener requires client certificates
     *                    this CA issued (needs {@code opsTls})
     */
    public record HttpListeners(ServerLimits limits, Optional<TlsFiles> tls, boolean opsTls, Optional<Path> opsClientCa) {
        /** No option set: {@link dev.secretstore.node.http.HttpApi#defaultLimits()}, plain HTTP everywhere. */
        public static final HttpListeners DEFAULT = new HttpListeners(dev.secretstore.node.http.HttpApi.defaultLimits(),
                Optional.empty(), false, Optional.empty());

        public HttpListeners {
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(opsClientCa, "opsClientCa");
            if (opsTls && tls.isEmpty()) throw new IllegalArgumentException("ops TLS needs a certificate");
            if (opsClientCa.isPresent() && !opsTls) throw new IllegalArgumentException("client certificates need ops TLS");
        }

        /** The ops listener's TLS files (with the client CA when set), if it serves HTTPS. */
        public Optional<TlsFiles> opsTlsFiles() {
            if (!opsTls) return Optional.empty();
            TlsFiles files = tls.orElseThrow();
            return Optional.of(opsClientCa.map(files::requiringClientCertificates).orElse(files));
        }
    }

    /** The configuration before the HTTP listener options existed: {@link HttpListeners#DEFAULT}. */
    public NodeConfig(Path source, boolean disabled, KeyPair nodeKey, SecretSource secret, List<Member> nodes, Listen cluster,
                      Optional<Listen> http, CorsPolicy cors, HostAllowList httpHosts, Path dataDir, Acl acl,
                      Optional<PublicPoint> adminPublic, boolean disableAutoMigrate, EthereumRpc ethereum, RpcService rpc, Listen ops,
                      boolean parityStrict, Optional<Path> keysPath, boolean allowKeyLossOnSetChange, Limits limits,
                      Heartbeat heartbeat, Availability availability, ClusterPort clusterPort, RequesterAuthorization requesters,
                      List<String> notices) {
        this(source, disabled, nodeKey, secret, nodes, cluster, http, cors, httpHosts, dataDir, acl, adminPublic, disableAutoMigrate,
                ethereum, rpc, ops, parityStrict, keysPath, allowKeyLossOnSetChange, limits, heartbeat, availability, clusterPort,
                requesters, notices, HttpListeners.DEFAULT);
    }

    /**
     * The fresh-authorization settings (SEC-32, docs/auth.md §3–§5).
     *
     * @param clusterName   {@code cluster_id}: a name the cluster id is derived from; empty = derived from the members
     * @param legacy        {@code legacy_requester_signatures}
     * @param maxLifetime   {@code authorization_max_lifetime}: how far ahead an expiry may lie (plus the skew)
     * @param clockSkew     {@code authorization_clock_skew}: tolerated clock difference with a requester
     * @param nonceCapacity {@code authorization_nonce_capacity}: unexpired nonces remembered at once
     */
    public record RequesterAuthorization(Optional<String> clusterName, LegacyPolicy legacy, Duration maxLifetime, Duration clockSkew,
                                         int nonceCapacity) {
        /** Parity's behaviour: static signatures do everything; the cluster is identified by its members. */
        public static final RequesterAuthorization DEFAULT = new RequesterAuthorization(Optional.empty(), LegacyPolicy.ALL,
                RequesterCheck.Settings.DEFAULT_MAX_LIFETIME, RequesterCheck.Settings.DEFAULT_CLOCK_SKEW, ReplayGuard.DEFAULT_CAPACITY);

        public RequesterAuthorization {
            Objects.requireNonNull(clusterName, "clusterName");
            Objects.requireNonNull(legacy, "legacy");
            Objects.requireNonNull(maxLifetime, "maxLifetime");
            Objects.requireNonNull(clockSkew, "clockSkew");
            if (nonceCapacity < 1) throw new IllegalArgumentException("nonce capacity " + nonceCapacity);
        }

        /** The cluster id: {@code ClusterId.ofName(cluster_id)} if named, else {@code ClusterId.ofMembers(members)}. */
        public H256 clusterId(Collection<PublicPoint> members) {
            return clusterName.map(dev.secretstore.crypto.auth.ClusterId::ofName)
                    .orElseGet(() -> dev.secretstore.crypto.auth.ClusterId.ofMembers(members));
        }

        /** The settings of this member's {@link RequesterCheck} for {@code members} (this node included). */
        public RequesterCheck.Settings checkSettings(Collection<PublicPoint> members) {
            return new RequesterCheck.Settings(clusterId(members), legacy, clockSkew, maxLifetime);
        }
    }

    /**
     * {@code requester_rate_limit}, {@code key_rate_limit} (requests per second, burst twice that) and
     * {@code requester_concurrency_limit}; 0 turns a limit off. {@code admission}: the limits per source address
     * and per operation class, {@code keyCreators}: who may generate keys (SEC-35, docs/admission.md).
     */
    public record Limits(int requesterRate, int keyRate, int requesterConcurrency,
                         dev.secretstore.node.http.Admission.Config admission, dev.secretstore.node.http.KeyCreators keyCreators) {
        public static final Limits DEFAULT = new Limits(50, 100, 16);

        /** With the default admission limits, and anyone may create keys. */
        public Limits(int requesterRate, int keyRate, int requesterConcurrency) {
            this(requesterRate, keyRate, requesterConcurrency, dev.secretstore.node.http.Admission.Config.DEFAULT,
                    dev.secretstore.node.http.KeyCreators.anyone());
        }

        public Limits {
            Objects.requireNonNull(admission, "admission");
            Objects.requireNonNull(keyCreators, "keyCreators");
        }
    }

    /**
     * The transport's heartbeat (docs/transport.md §6.1): a keep-alive after {@code interval} without writing,
     * and a peer that sent nothing for {@code deadline} counts as disconnected. {@code interval < deadline}.
     */
    public record Heartbeat(Duration interval, Duration deadline) {
        public static final Heartbeat DEFAULT = new Heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(6));

        public Heartbeat {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(deadline, "deadline");
            if (interval.compareTo(deadline) >= 0) throw new IllegalArgumentException("heartbeat interval must be shorter than the deadline");
        }
    }

    /**
     * The cluster port before authentication (SEC-36, docs/transport.md §8.1).
     *
     * @param membersOnly          {@code cluster_accept_from = "members"}: refuse, at accept, connections
     *                             from addresses the member list does not resolve to
     * @param handshakesPerAddress {@code cluster_handshakes_per_address}: pending handshakes per source address
     * @param handshakeRate        {@code cluster_handshake_rate}: handshakes per second per source address
     *                             (burst four times that)
     */
    public record ClusterPort(boolean membersOnly, int handshakesPerAddress, int handshakeRate) {
        public static final ClusterPort DEFAULT = new ClusterPort(false, 4, 2);
    }

    public NodeConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(nodeKey, "nodeKey");
        Objects.requireNonNull(secret, "secret");
        nodes = List.copyOf(nodes);
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(cors, "cors");
        Objects.requireNonNull(httpHosts, "httpHosts");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(acl, "acl");
        Objects.requireNonNull(adminPublic, "adminPublic");
        Objects.requireNonNull(ethereum, "ethereum");
        Objects.requireNonNull(rpc, "rpc");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(availability, "availability");
        Objects.requireNonNull(clusterPort, "clusterPort");
        Objects.requireNonNull(requesters, "requesters");
        Objects.requireNonNull(ops, "ops");
        Objects.requireNonNull(keysPath, "keysPath");
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(audit, "audit");
        notices = List.copyOf(notices);
    }

    /** This node's id: the public half of {@link #nodeKey()}. */
    public NodeId self() {
        return new NodeId(nodeKey.publicKey());
    }

    /** This cluster's id in fresh authorizations (docs/auth.md §3): from {@code cluster_id}, else from {@link #nodes()}. */
    public H256 clusterId() {
        return requesters.clusterId(nodes.stream().map(m -> m.id().publicKey()).toList());
    }

    /** The member ids, in file order. */
    public List<NodeId> nodeIds() {
        return nodes.stream().map(Member::id).toList();
    }

    /** True when the configuration disables the ACL ({@code acl_contract = "none"}, written explicitly). */
    public boolean insecureNoAcl() {
        return acl.mode() == AclMode.NONE;
    }

    /** One cluster member: {@code "<128 hex id>@<host>:<port>"}. */
    public record Member(NodeId id, String host, int port) {
        public Member {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(host, "host");
        }

        /** An unresolved socket address (resolution is the transport's business). */
        public InetSocketAddress socketAddress() {
            return InetSocketAddress.createUnresolved(host, port);
        }

        /** The {@code nodes} entry form. */
        @Override
        public String toString() {
            return id.toHex() + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** A listen address: an IP literal ({@code local} = 127.0.0.1, {@code all} = 0.0.0.0) and a port. */
    public record Listen(String ip, int port) {
        public Listen {
            Objects.requireNonNull(ip, "ip");
        }

        public InetSocketAddress socketAddress() {
            return new InetSocketAddress(Hosts.literal(ip), port);
        }

        /** True when only this machine can connect (127.0.0.0/8 or ::1). */
        public boolean isLoopback() {
            return Hosts.literal(ip).isLoopbackAddress();
        }

        @Override
        public String toString() {
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
        }
    }

    /** Where the node key came from. */
    public sealed interface SecretSource {
        /** {@code [secretstore] self_secret} holds the raw key: the configuration file is secret. */
        record InConfigFile() implements SecretSource {}

        /** {@code [secretstore_ext] self_secret_file}: a key file holding 64 hex digits. */
        record KeyFile(Path path) implements SecretSource {
            public KeyFile {
                Objects.requireNonNull(path, "path");
            }
        }

        /**
         * {@code [secretstore] self_secret} names an account (40 hex digits) whose keystore file {@code file} holds
         * the key, unlocked with a password from the {@code [account] password} files.
         */
        record KeystoreAccount(Address account, Path file) implements SecretSource {
            public KeystoreAccount {
                Objects.requireNonNull(account, "account");
                Objects.requireNonNull(file, "file");
            }
        }
    }

    /** The {@code acl_contract} modes (spec/acl-and-config.md §2.5). */
    public enum AclMode {
        /** Contract address from the registry entry {@code secretstore_acl_checker}. */
        REGISTRY,
        /** A fixed contract address. */
        CONTRACT,
        /** A local policy file ({@code [secretstore_ext] acl_policy_file}) [ext]. */
        POLICY,
        /** No ACL: every requester is allowed. Only when written explicitly; logged loudly. */
        NONE
    }

    /**
     * @param mode       the mode
     * @param contract   the contract address for {@link AclMode#CONTRACT}
     * @param policyFile the policy file for {@link AclMode#POLICY}, resolved
     */
    public record Acl(AclMode mode, Optional<Address> contract, Optional<Path> policyFile) {
        public Acl {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(policyFile, "policyFile");
            if ((mode == AclMode.CONTRACT) != contract.isPresent()) {
                throw new IllegalArgumentException("a contract address goes with mode CONTRACT only");
            }
            if ((mode == AclMode.POLICY) != policyFile.isPresent()) {
                throw new IllegalArgumentException("a policy file goes with mode POLICY only");
            }
        }
    }

    /**
     * The Ethereum JSON-RPC endpoint for ACL and registry calls ({@code [secretstore_ext]}).
     *
     * @param url       {@code eth_rpc_url}
     * @param timeout   {@code eth_rpc_timeout_ms}
     * @param registrar {@code registrar_address}
     */
    public record EthereumRpc(Optional<URI> url, Duration timeout, Optional<Address> registrar) {
        public EthereumRpc {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(registrar, "registrar");
        }
    }

    /**
     * The {@code secretstore_*} JSON-RPC service ({@code rpc_enabled}, {@code rpc_interface}, {@code rpc_port},
     * {@code rpc_cors}, {@code rpc_allowed_hosts}).
     */
    public record RpcService(boolean enabled, Listen listen, CorsPolicy cors, HostAllowList hosts, String options) {
        /** The options of {@code [secretstore_ext]}. */
        public static final String EXT_OPTIONS = "[secretstore_ext] rpc_interface/rpc_port";
        /** Parity's {@code [rpc]} section, whose {@code apis} include the secretstore API. */
        public static final String PARITY_OPTIONS = "[rpc] interface/port";

        public RpcService {
            Objects.requireNonNull(listen, "listen");
            Objects.requireNonNull(cors, "cors");
            Objects.requireNonNull(hosts, "hosts");
            Objects.requireNonNull(options, "options");
        }

        /** Configured by {@code [secretstore_ext]} ({@link #EXT_OPTIONS}). */
        public RpcService(boolean enabled, Listen listen, CorsPolicy cors, HostAllowList hosts) {
            this(enabled, listen, cors, hosts, EXT_OPTIONS);
        }
    }
}
