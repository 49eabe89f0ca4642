package dev.secretstore.cli;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The local development cluster started by {@code secretstore dev} (design decision 10), found
 * through {@link java.util.ServiceLoader}; registered in
 * {@code META-INF/services/dev.secretstore.cli.DevClusterRunner}.
 */
public interface DevClusterRunner {
    /** The development cluster's default ports: node i listens on cluster 12000+i, HTTP 8082+i and ops 8190+i. */
    int CLUSTER_BASE_PORT = 12000;
    int HTTP_BASE_PORT = 8082;
    int OPS_BASE_PORT = 8190;
    /** The development JSON-RPC service ({@code secretstore_*}), where Ocean clients expect a Parity node. */
    int RPC_PORT = 8545;
    /** The local chain of {@code --chain} (anvil): 8546, so that 8545 stays with the JSON-RPC service. */
    int CHAIN_PORT = 8546;

    /**
     * The parsed {@code dev} options: the number of nodes, the working directory (absolute),
     * {@code --chain} (a local anvil with the on-chain ACL instead of the policy file), {@code --tls} (HTTPS with a
     * development CA) and {@code --ports-shift} (added to every default port).
     */
    record Options(int nodes, Path dir, boolean chain, boolean tls, int portsShift) {
        public Options {
            Objects.requireNonNull(dir, "dir");
            if (nodes < 1) throw new IllegalArgumentException("nodes must be at least 1");
            PortsShift.shift(portsShift, CLUSTER_BASE_PORT + nodes - 1, "cluster port of node " + (nodes - 1));
            PortsShift.shift(portsShift, OPS_BASE_PORT + nodes - 1, "ops port of node " + (nodes - 1));
            PortsShift.shift(portsShift, HTTP_BASE_PORT + nodes - 1, "HTTP API port of node " + (nodes - 1));
            PortsShift.shift(portsShift, CHAIN_PORT, "chain port");
        }

        /** Default ports. */
        public Options(int nodes, Path dir, boolean chain, boolean tls) {
            this(nodes, dir, chain, tls, 0);
        }

        /** Without TLS. */
        public Options(int nodes, Path dir, boolean chain) {
            this(nodes, dir, chain, false);
        }

        /** Without a chain: the policy-file ACL. */
        public Options(int nodes, Path dir) {
            this(nodes, dir, false);
        }

        public int clusterBasePort() {
            return CLUSTER_BASE_PORT + portsShift;
        }

        public int httpBasePort() {
            return HTTP_BASE_PORT + portsShift;
        }

        public int opsBasePort() {
            return OPS_BASE_PORT + portsShift;
        }

        public int rpcPort() {
            return RPC_PORT + portsShift;
        }

        public int chainPort() {
            return CHAIN_PORT + portsShift;
        }
    }

    /**
     * Runs the cluster until Ctrl-C or SIGTERM.
     *
     * @return the process exit code: 0 after a clean stop, 1 after a failure
     */
    int run(Options options);
}
