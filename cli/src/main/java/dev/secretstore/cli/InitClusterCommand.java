package dev.secretstore.cli;

import dev.secretstore.node.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code secretstore init-cluster}: node keys and one configuration per node, for a cluster on this machine. */
@Command(name = "init-cluster",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
                "Generate N node keys and one configuration per node, for a cluster on 127.0.0.1.",
                "Writes DIR/node-<i>.key (the node key, 64 hex digits, mode 0600), DIR/node-<i>.toml (accepted as-is "
                        + "by 'secretstore node --config'), DIR/acl-policy.toml (the development ACL: key authors only) "
                        + "and creates DIR/data/node-<i> (mode 0700), for i = 0 .. N-1.",
                "Node i listens on cluster port P+i+K, HTTP port H+i+K and ops port O+i+K (K: --ports-shift, default 0).",
                "With --tls also DIR/tls/ca.pem (a development CA's certificate; its key is not kept), DIR/tls/node-<i>.pem "
                        + "(certificate chain) and DIR/tls/node-<i>.key (its private key, mode 0600), and every node serves HTTPS "
                        + "with them (HTTP API and ops)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:files written",
                "1:an I/O error while writing",
                "2:bad arguments, or files exist (see --force)"})
final class InitClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", required = true, paramLabel = "N", description = "number of nodes, 1 to " + ClusterInit.MAX_NODES)
    int nodes;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "output directory (created with mode 0700 if missing)")
    Path dir;

    @Option(names = "--base-port", paramLabel = "P", defaultValue = "12000", description = "first node-to-node port (default: ${DEFAULT-VALUE})")
    int basePort;

    @Option(names = "--http-base-port", paramLabel = "H", defaultValue = "8082", description = "first HTTP API port (default: ${DEFAULT-VALUE})")
    int httpBasePort;

    @Option(names = "--ops-base-port", paramLabel = "O", defaultValue = "8190", description = "first health/metrics port (default: ${DEFAULT-VALUE})")
    int opsBasePort;

    @Option(names = PortsShift.OPTION, paramLabel = "K", defaultValue = "0", description = "add K to every port: cluster P+i+K, "
            + "HTTP H+i+K, ops O+i+K, like Parity's option (default: ${DEFAULT-VALUE})")
    int portsShift;

    @Option(names = "--threshold-hint", description = "also print which key thresholds suit a cluster of N nodes")
    boolean thresholdHint;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "write cluster_id = NAME into every configuration: "
            + "fresh authorizations are signed for the id derived from it (default: the id of the nodes list; docs/auth.md)")
    String clusterName;

    @Option(names = "--tls", description = "write a development CA and a certificate per node; the nodes serve HTTPS "
            + "(clients trust DIR/tls/ca.pem: curl --cacert, --ca-file)")
    boolean tls;

    @Option(names = "--force", description = "overwrite existing key, configuration and policy files (never deletes key storage)")
    boolean force;

    private void shiftable(int port, String what) {
        if (port >= 1 && port <= 65535) PortsShift.shift(portsShift, port, what);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClusterInit.Plan plan;
        try {
            PortsShift.shift(portsShift, 0, "first port");
            if (portsShift > 0) { // a base out of range on its own is the plan's to name
                int last = Math.max(0, nodes - 1);
                shiftable(basePort + last, "cluster port of node " + last + " (--base-port " + basePort + ")");
                shiftable(httpBasePort + last, "HTTP API port of node " + last + " (--http-base-port " + httpBasePort + ")");
                shiftable(opsBasePort + last, "ops port of node " + last + " (--ops-base-port " + opsBasePort + ")");
            }
            plan = ClusterInit.plan(nodes, dir, basePort + portsShift, httpBasePort + portsShift, opsBasePort + portsShift,
                    java.util.Optional.ofNullable(clusterName), tls);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Main.USAGE;
        }
        List<String> blockers = ClusterInit.blockers(plan, force);
        if (!blockers.isEmpty()) {
            blockers.forEach(b -> err.println("error: " + b));
            return Main.USAGE;
        }
        List<ClusterInit.Written> written;
        try {
            written = ClusterInit.write(plan);
        } catch (IOException e) {
            err.println("error: writing the cluster files failed: " + e);
            return Main.FAILURE;
        } catch (ConfigException e) {
            err.println("error: internal error, a written configuration does not load: " + e.getMessage());
            return Main.FAILURE;
        }
        ClusterInit.printSummary(plan, written, out);
        if (thresholdHint) ClusterInit.printThresholdHint(plan.nodes(), out);
        return Main.OK;
    }
}
