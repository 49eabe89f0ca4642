package dev.secretstore.node.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code secretstore} command line: {@code node}, {@code init-cluster}, {@code dev}.
 *
 * <p>Built on picocli (pinned in the root pom) rather than a hand-rolled parser: it gives typed
 * options, per-subcommand {@code --help} generated from the same declarations that parse, and
 * consistent usage errors, in one dependency-free jar; the node's commands will grow (client-side
 * helpers of issue #3), and a hand-rolled parser would grow with them.
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
            ClientCommands.Sign.class, ClientCommands.MakeDocumentKey.class, ClientCommands.Encrypt.class,
            ClientCommands.Decrypt.class, ClientCommands.CombineShadows.class, ServersSetChangeCommand.class, RpcCommands.Rpc.class, RpcCommands.Account.class, AclCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:failure while running, or an internal error",
                "2:bad arguments, invalid configuration, or start-up refused",
                "3:the requested runtime is not assembled in this build"})
public final class Main implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int NOT_ASSEMBLED = 3;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: a command is required");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    public static void main(String[] args) {
        // One line per log record: time, level, logger (short), message. An operator's own setting wins.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$-7s %3$s: %5$s%6$s%n");
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(execute(args, out, err, Components.fromServiceLoader()));
    }

    /** Runs the command line in-process and returns the exit code (for {@link #main} and tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, Components components) {
        CommandLine cl = new CommandLine(new Main(), new Factory(components));
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            if (ex instanceof CommandLine.ParameterException pe) {
                return c.getParameterExceptionHandler().handleParseException(pe, args);
            }
            c.getErr().println("error: " + ex.getClass().getSimpleName()
                    + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
            return FAILURE;
        });
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Creates the subcommands with the components they delegate to. */
    private static final class Factory implements CommandLine.IFactory {
        private final Components components;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Components components) {
            this.components = components;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == NodeCommand.class) return cls.cast(new NodeCommand(components));
            if (cls == DevCommand.class) return cls.cast(new DevCommand(components));
            return fallback.create(cls);
        }
    }

    /** The version from the jar manifest (set by the shaded jar), or "development build". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"secretstore " + (v == null ? "(development build)" : v)};
        }
    }
}
