package dev.secretstore.node.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The key server's command line, the main class of the server jar (node/target/secretstore-server.jar):
 * only {@code node}. The full {@code secretstore} command line (dev cluster, cluster set-up, client,
 * JSON-RPC and ACL tools) is the cli module's, which reuses {@link NodeCommand} and {@link #run}.
 *
 * <p>Built on picocli (pinned in the root pom) rather than a hand-rolled parser: it gives typed
 * options, per-subcommand {@code --help} generated from the same declarations that parse, and
 * consistent usage errors, in one dependency-free jar.
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
        subcommands = {NodeCommand.class},
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
        return commandRequired(spec);
    }

    /** A root command run without a subcommand: says so, prints the usage on stderr, {@link #USAGE}. */
    public static int commandRequired(CommandSpec spec) {
        spec.commandLine().getErr().println("error: a command is required");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    public static void main(String[] args) {
        exit(args, (out, err) -> execute(args, out, err, Components.fromServiceLoader()));
    }

    /** Runs the command line in-process and returns the exit code (for {@link #main} and tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, Components components) {
        return run(new Main(), factory(components), args, out, err);
    }

    /**
     * The process entry of a command line: sets the log format (one line per record: time, level,
     * logger, message; an operator's own setting wins), runs {@code commandLine} on UTF-8 standard
     * output and error, and exits with its code.
     */
    public static void exit(String[] args, BiFunction<PrintWriter, PrintWriter, Integer> commandLine) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$-7s %3$s: %5$s%6$s%n");
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(commandLine.apply(out, err));
    }

    /**
     * Runs the picocli command {@code root} (its subcommands created by {@code factory}) with this
     * command line's rules: a usage error prints the message and a hint and returns {@link #USAGE};
     * an exception while running prints one line and returns {@link #FAILURE}.
     */
    public static int run(Object root, CommandLine.IFactory factory, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(root, factory);
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

    /** Creates {@link NodeCommand} with the components it delegates to, everything else with picocli's default factory. */
    public static CommandLine.IFactory factory(Components components) {
        CommandLine.IFactory fallback = CommandLine.defaultFactory();
        return new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == NodeCommand.class) return cls.cast(new NodeCommand(components));
                return fallback.create(cls);
            }
        };
    }

    /** The version from the jar manifest (set by the shaded jar), or "development build". */
    public static class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"secretstore " + (v == null ? "(development build)" : v)};
        }
    }
}
