package dev.secretstore.cli;

import dev.secretstore.node.cli.NodeCommand;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code secretstore} command line run by {@code ./secretstore} (cli/target/secretstore.jar):
 * the key server ({@code node}, the server jar's one command), and the tools around it:
 * {@code init-cluster}, {@code dev}, the client commands, {@code servers-set-change}, {@code refresh-shares}, {@code rpc},
 * {@code account}, {@code acl}, {@code backup}, {@code restore} and {@code audit}. Parsing and exit-code rules are the server's
 * ({@link dev.secretstore.node.cli.Main#run}).
 *
 * <p>Exit codes (also in {@code --help} and docs/configuration.md):
 * 0 success; 1 failure at run time or internal error; 2 bad arguments, invalid configuration or a
 * refused start-up; 3 the requested runtime is not assembled in this build.
 */
@Command(name = "secretstore",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Threshold Secret Store key server (Parity Secret Store compatible).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {NodeCommand.class, InitClusterCommand.class, DevCommand.class, ClientCommands.RandomKeyId.class,
            ClientCommands.Sign.class, AuthorizeCommand.class, ClientCommands.MakeDocumentKey.class, ClientCommands.Encrypt.class,
            ClientCommands.Decrypt.class, ClientCommands.CombineShadows.class, ServersSetChangeCommand.class, RefreshSharesCommand.class, RpcCommands.Rpc.class, RpcCommands.Account.class, AclCommand.class,
            BackupCommands.Backup.class, BackupCommands.Restore.class, AuditCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:failure while running, or an internal error",
                "2:bad arguments, invalid configuration, or start-up refused",
                "3:the requested runtime is not assembled in this build"})
public final class Main implements Callable<Integer> {
    public static final int OK = dev.secretstore.node.cli.Main.OK;
    public static final int FAILURE = dev.secretstore.node.cli.Main.FAILURE;
    public static final int USAGE = dev.secretstore.node.cli.Main.USAGE;
    public static final int NOT_ASSEMBLED = dev.secretstore.node.cli.Main.NOT_ASSEMBLED;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return dev.secretstore.node.cli.Main.commandRequired(spec);
    }

    public static void main(String[] args) {
        dev.secretstore.node.cli.Main.exit(args, (out, err) -> execute(args, out, err, Components.fromServiceLoader()));
    }

    /** Runs the command line in-process and returns the exit code (for {@link #main} and tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, Components components) {
        return dev.secretstore.node.cli.Main.run(new Main(), new Factory(components), args, out, err);
    }

    /** Creates the subcommands with the components they delegate to: {@code dev} here, the rest as the server does. */
    private static final class Factory implements CommandLine.IFactory {
        private final Components components;
        private final CommandLine.IFactory server;

        Factory(Components components) {
            this.components = components;
            this.server = dev.secretstore.node.cli.Main.factory(components);
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == DevCommand.class) return cls.cast(new DevCommand(components));
            if (cls == NodeCommand.class) return cls.cast(new NodeCommand(components, new NodeRpcService()));
            return server.create(cls);
        }
    }

    /** The version from the jar manifest (set by the shaded jar), or "development build". */
    static final class Version extends dev.secretstore.node.cli.Main.Version {}
}
