package dev.secretstore.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code secretstore dev [--nodes N] [--dir DIR] [--chain] [--tls] [--ports-shift K]}: parse, then hand over to the {@link DevClusterRunner}. */
@Command(name = "dev",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
                "Run a local development cluster: N key servers in one process on 127.0.0.1, each with its own "
                        + "cluster port (12000+i), HTTP port (8082+i) and store under DIR; writes DIR/dev.json.",
                "With --tls every listener serves HTTPS with certificates of a development CA (DIR/tls/ca.pem).",
                "--ports-shift K adds K to every port (HTTP, cluster, ops, JSON-RPC 8545, chain 8546), like Parity's option; "
                        + "a DIR keeps the ports it was made with.",
                "Stops cleanly on Ctrl-C or SIGTERM."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the cluster stopped cleanly",
                "1:the cluster failed while running",
                "2:bad arguments",
                "3:the development cluster is not assembled in this build"})
final class DevCommand implements Callable<Integer> {
    static final String NOT_ASSEMBLED = "the development cluster is not assembled in this build yet";
    static final int MAX_NODES = 64;

    private final Components components;

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "number of nodes, 1 to " + MAX_NODES + " (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "dev-cluster", description = "working directory for keys, configurations, stores and dev.json (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--chain", description = "start a local Ethereum dev chain (anvil from .tools/anvil), deploy the ACL contract "
            + "and use it on every node instead of the policy file; dev.json gains \"chain\"")
    boolean chain;

    @Option(names = "--tls", description = "serve HTTPS (HTTP API, ops, JSON-RPC) with certificates of a development CA written to "
            + "DIR/tls; dev.json gains \"ca\" (the CA certificate clients trust: curl --cacert, --ca-file)")
    boolean tls;

    @Option(names = PortsShift.OPTION, paramLabel = "K", defaultValue = "0", description = "add K to every port the cluster uses: "
            + "node i's HTTP API 8082+i+K, cluster 12000+i+K, ops 8190+i+K, JSON-RPC 8545+K, with --chain anvil 8546+K "
            + "(default: ${DEFAULT-VALUE}); an existing DIR must be run with the K it was made with")
    int portsShift;

    DevCommand(Components components) {
        this.components = components;
    }

    @Override
    public Integer call() {
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new ParameterException(spec.commandLine(), "--nodes must be from 1 to " + MAX_NODES + ", got " + nodes);
        }
        DevClusterRunner.Options options;
        try {
            options = new DevClusterRunner.Options(nodes, dir.toAbsolutePath().normalize(), chain, tls, portsShift);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Optional<DevClusterRunner> runner = components.devClusterRunner();
        if (runner.isEmpty()) {
            spec.commandLine().getErr().println(NOT_ASSEMBLED);
            return Main.NOT_ASSEMBLED;
        }
        return runner.get().run(options);
    }
}
