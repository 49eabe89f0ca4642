package dev.secretstore.node.runtime;

import dev.secretstore.node.acl.AllowAllAclChecker;
import dev.secretstore.node.acl.EthCallAclChecker;
import dev.secretstore.node.acl.PolicyFileAclChecker;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.http.RequestLimits;
import dev.secretstore.node.transport.TransportConfig;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import dev.secretstore.node.eth.EthRpc;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.acl.AclChecker;
import dev.secretstore.protocol.key.KeyStorage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Turns a validated {@link NodeConfig} into the runtime's {@link KeyServerNode.Settings}. */
public final class NodeSettings {
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(60);
    public static final int MAX_SESSIONS = 1024;

    private NodeSettings() {}

    /**
     * @throws IllegalArgumentException when the configuration asks for something this build cannot
     *                                  honour (e.g. an on-chain ACL); the node must not start then
     */
    public static KeyServerNode.Settings from(NodeConfig config) {
        Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        for (NodeConfig.Member m : config.nodes()) {
            members.put(m.id(), new InetSocketAddress(m.host(), m.port()));
        }
        InetSocketAddress http = config.http().map(l -> new InetSocketAddress(l.ip(), l.port())).orElse(null);
        return new KeyServerNode.Settings(config.nodeKey(), new InetSocketAddress(config.cluster().ip(), config.cluster().port()),
                members, http, config.dataDir(), config.cors(), config.parityStrict(), acl(config),
                config.acl().mode() == NodeConfig.AclMode.NONE, SESSION_TIMEOUT, MAX_SESSIONS,
                new AdminPolicy(config.adminPublic(), config.allowKeyLossOnSetChange()),
                new RequestLimits.Config(config.limits().requesterRate(), config.limits().keyRate(), config.limits().requesterConcurrency()),
                new InetSocketAddress(config.ops().ip(), config.ops().port()),
                TransportConfig.defaults().withIdle(config.heartbeat().interval(), config.heartbeat().deadline())
                        .withAdmission(admission(config.clusterPort())),
                config.availability(), config.httpHosts(), config.limits().admission(), config.limits().keyCreators(),
                config.requesters(), config.listeners(), config.audit());
    }

    /** SEC-36: the cluster port's per-address limits and member filter. */
    static TransportConfig.Admission admission(NodeConfig.ClusterPort port) {
        return TransportConfig.Admission.defaults()
                .withPerSource(port.handshakesPerAddress(), port.handshakeRate())
                .withMembersOnly(port.membersOnly());
    }

    /** Fail closed: an ACL mode this build does not implement stops the node from starting (SEC-21, SEC-22). */
    static Function<KeyStorage, AclChecker> acl(NodeConfig config) {
        switch (config.acl().mode()) {
            case NONE:
                return storage -> new AllowAllAclChecker();
            case POLICY: {
                var file = config.acl().policyFile().orElseThrow(() -> new IllegalArgumentException("acl_policy_file is required"));
                PolicyFileAclChecker.load(file); // a policy that does not parse stops the start here
                return storage -> new PolicyFileAclChecker(file, storage);
            }
            case CONTRACT: {
                var eth = config.ethereum();
                var url = eth.url().orElseThrow(() -> new IllegalArgumentException(
                        "acl_contract = <address> needs [secretstore_ext] eth_rpc_url (the Ethereum JSON-RPC endpoint)"));
                var contract = config.acl().contract().orElseThrow();
                var checker = new EthCallAclChecker(new EthRpc(url, eth.timeout()), contract);
                return storage -> checker;
            }
            default:
                throw new IllegalArgumentException("acl_contract = \"" + config.acl().mode().name().toLowerCase()
                        + "\" (the registry lookup) is not supported by this build yet; set acl_contract to the ACL "
                        + "contract address (40 hex digits, with [secretstore_ext] eth_rpc_url), \"policy\" "
                        + "(with acl_policy_file) or, for development only, \"none\"");
        }
    }
}
