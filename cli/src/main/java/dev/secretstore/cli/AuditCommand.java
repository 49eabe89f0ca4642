package dev.secretstore.cli;

import dev.secretstore.node.audit.AuditVerifier;
import dev.secretstore.protocol.NodeId;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code secretstore audit verify FILE [--node-id HEX]}: checks a node's audit file (SEC-29, docs/operations.md). */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Check a node's audit file.",
        synopsisSubcommandLabel = "COMMAND", subcommands = {AuditCommand.Verify.class})
public final class AuditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: an audit command is required (verify)");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check an audit file: every line's hash, the chain from the node's genesis value, and every checkpoint's "
                    + "signature by the node. Names the first bad line and exits 1; prints a summary and exits 0 when good."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "the audit file (a node's [secretstore_ext] audit_file)")
        Path file;

        @Option(names = "--node-id", paramLabel = "HEX",
                description = "the node the file must belong to (its 64-byte public key in hex); default: the id in the file's header")
        String nodeId;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<NodeId> expected = Optional.empty();
            if (nodeId != null) {
                try {
                    expected = Optional.of(NodeId.fromHex(ClientCommands.strip(nodeId)));
                } catch (RuntimeException e) {
                    err.println("error: --node-id: not a node id (128 hex digits): " + e.getMessage());
                    return Main.USAGE;
                }
            }
            if (!Files.isRegularFile(file)) {
                err.println("error: " + file + ": no such file");
                return Main.USAGE;
            }
            AuditVerifier.Report r = AuditVerifier.verify(file, expected);
            if (!r.ok()) {
                err.println(file + ": line " + r.badLine() + ": " + r.reason());
                err.println("the " + r.lines() + " line(s) before it check (" + r.checkpoints() + " checkpoint(s))");
                return Main.FAILURE;
            }
            out.println(file + ": OK");
            out.println("node        0x" + r.node().map(NodeId::toHex).orElse("?"));
            out.println("lines       " + r.lines());
            out.println("checkpoints " + r.checkpoints());
            out.println("first time  " + r.firstTime().orElse("-"));
            out.println("last time   " + r.lastTime().orElse("-"));
            if (r.unsignedTail() > 0) {
                out.println("note: the last " + r.unsignedTail() + " line(s) follow the last checkpoint: no signature covers them yet");
            }
            return Main.OK;
        }
    }
}
