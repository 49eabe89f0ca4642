package dev.secretstore.node.cli;

import dev.secretstore.node.config.ConfigException;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.FilePermissionChecks;
import dev.secretstore.node.config.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code secretstore node --config FILE}: validate the configuration, then hand it to the {@link NodeRunner}. */
@Command(name = "node",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
                "Run one key server.",
                "The configuration is a TOML file whose [secretstore] section takes Parity's option names "
                        + "(see docs/configuration.md). It is validated completely before anything starts."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the node stopped cleanly, or [secretstore] disable = true",
                "1:the node failed while running",
                "2:bad arguments, invalid configuration, or start-up refused (file permissions)",
                "3:the node runtime is not assembled in this build"})
public final class NodeCommand implements Callable<Integer> {
    static final String NOT_ASSEMBLED = "the node runtime is not assembled in this build yet";

    private final Components components;
    private final SideServices sideServices;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the node's TOML configuration file")
    Path config;

    public NodeCommand(Components components) {
        this(components, SideServices.NONE);
    }

    /** With {@code sideServices} started beside the key server (the command line's JSON-RPC service). */
    public NodeCommand(Components components, SideServices sideServices) {
        this.components = components;
        this.sideServices = sideServices;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println("error: invalid configuration: " + e.getMessage());
            return Main.USAGE;
        }
        try {
            for (String n : cfg.notices()) err.println("notice: " + n);
            for (String w : FilePermissionChecks.warnings(cfg)) err.println("warning: " + w);
            if (cfg.insecureNoAcl()) {
                err.println("WARNING: Running SecretStore with disabled ACL check: every requester may retrieve every "
                        + "document key (acl_contract = \"none\"). For local development only.");
            }
            Optional<String> refusal = FilePermissionChecks.dataDirectoryRefusal(cfg.dataDir());
            if (refusal.isPresent()) {
                err.println("error: " + refusal.get());
                return Main.USAGE;
            }
            if (cfg.disabled()) {
                err.println("the secret store is disabled by the configuration ([secretstore] disable = true in "
                        + cfg.source() + "); nothing to run");
                return Main.OK;
            }
            Optional<NodeRunner> runner = components.nodeRunner();
            if (runner.isEmpty()) {
                err.println(NOT_ASSEMBLED);
                return Main.NOT_ASSEMBLED;
            }
            List<AutoCloseable> started;
            try {
                started = sideServices.start(cfg, err);
            } catch (UnsupportedOperationException e) {
                err.println("error: " + e.getMessage());
                return Main.NOT_ASSEMBLED;
            } catch (IOException e) {
                err.println("error: " + e.getMessage());
                return Main.FAILURE;
            }
            try {
                return runner.get().run(cfg);
            } finally {
                for (AutoCloseable service : started) {
                    try {
                        service.close();
                    } catch (Exception e) {
                        err.println("warning: a side service did not close cleanly: " + e.getClass().getSimpleName());
                    }
                }
            }
        } finally {
            cfg.nodeKey().destroy();
        }
    }
}
