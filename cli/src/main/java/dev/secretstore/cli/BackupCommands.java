package dev.secretstore.cli;

import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.node.config.ConfigException;
import dev.secretstore.node.config.ConfigLoader;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.storage.BackupSocket;
import dev.secretstore.node.storage.StoreSnapshots;
import dev.secretstore.protocol.SecretStoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code secretstore backup} and {@code secretstore restore}: one member's key store to a snapshot file and back (docs/operations.md). */
final class BackupCommands {
    private BackupCommands() {}

    private static NodeConfig load(Path config, PrintWriter err) {
        try {
            return ConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println("error: invalid configuration: " + e.getMessage());
            return null;
        }
    }

    private static String describe(StoreSnapshots.Info info) {
        return "node 0x" + info.node().toHex() + ", " + info.keys() + " key(s), schema version " + info.schemaVersion()
                + ", taken " + info.created();
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Write a consistent snapshot of this member's key store to a file (docs/operations.md, \"Backup and restore\").",
                "While the node runs, the node itself writes the snapshot (asked on DATA_DIR/" + BackupSocket.SOCKET_NAME
                        + "); while it is stopped, the store is read directly. The shares in it stay sealed under the node's key.",
                "Never keep the backups of t+1 members in one place: together they are the keys."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:the snapshot was written", "1:the snapshot could not be taken or written",
                "2:bad arguments, invalid configuration, or OUT exists"})
    static final class Backup implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "the node's TOML configuration file")
        Path config;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "the snapshot file to write (must not exist)")
        Path out;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            NodeConfig cfg = load(config, err);
            if (cfg == null) return Main.USAGE;
            SecretScalar secret = cfg.nodeKey().secret();
            Path target = out.toAbsolutePath();
            Path partial = target.resolveSibling("." + target.getFileName() + ".partial-" + System.nanoTime());
            try {
                if (Files.exists(target)) {
                    err.println("error: " + target + " exists; refusing to overwrite a snapshot");
                    return Main.USAGE;
                }
                Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                String source = snapshot(cfg.dataDir(), secret, partial);
                StoreSnapshots.Info info = StoreSnapshots.verify(partial, secret);
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                spec.commandLine().getOut().println("wrote " + target + " (" + describe(info) + "; " + source + ")");
                return Main.OK;
            } catch (IOException | SecretStoreException | StoreSnapshots.Refused e) {
                err.println("error: backup failed: " + e.getMessage());
                return Main.FAILURE;
            } finally {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // nothing left to do
                }
                cfg.nodeKey().destroy();
            }
        }

        /** Online through the running node's socket, else offline from the stopped node's store; says which. */
        private static String snapshot(Path dataDir, SecretScalar secret, Path target) throws IOException {
            Path socket = dataDir.resolve(BackupSocket.SOCKET_NAME);
            if (Files.exists(socket)) {
                try {
                    BackupSocket.fetch(dataDir, target);
                    return "written by the running node";
                } catch (ConnectException | NoSuchFileException e) {
                    // a socket file left by a node that died: the node is stopped
                }
            }
            try {
                StoreSnapshots.snapshotStopped(dataDir, secret, target);
            } catch (SecretStoreException e) {
                if (String.valueOf(e.getMessage()).contains("locked")) {
                    throw new IOException(e.getMessage() + " (a running node holds the store, but its backup socket " + socket
                            + " does not answer)", e);
                }
                throw e;
            }
            return "read from the stopped node's store";
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Put a snapshot made by `secretstore backup` back as this member's key store; the node must be stopped.",
                "Refuses a snapshot of another node, one with a newer schema version, and a store a running node holds. "
                        + "A key database already there is moved aside (keys.sqlite.replaced-TIME), never deleted."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:the snapshot was restored", "1:an I/O error while restoring",
                "2:bad arguments, invalid configuration, or the restore was refused (another node's snapshot, "
                        + "a newer schema, not a snapshot, the node is running)"})
    static final class Restore implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "the node's TOML configuration file")
        Path config;

        @Option(names = "--from", required = true, paramLabel = "FILE", description = "the snapshot file")
        Path from;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            NodeConfig cfg = load(config, err);
            if (cfg == null) return Main.USAGE;
            try {
                StoreSnapshots.Restored r = StoreSnapshots.restore(from, cfg.dataDir(), cfg.nodeKey().secret());
                spec.commandLine().getOut().println("restored " + from + " into " + cfg.dataDir() + " (" + describe(r.snapshot()) + ")"
                        + r.replacedDatabase().map(p -> "; the key database that was there is now " + p).orElse(""));
                return Main.OK;
            } catch (StoreSnapshots.Refused e) {
                err.println("error: restore refused: " + e.getMessage());
                return Main.USAGE;
            } catch (IOException | SecretStoreException e) {
                err.println("error: restore failed: " + e.getMessage());
                return Main.FAILURE;
            } finally {
                cfg.nodeKey().destroy();
            }
        }
    }
}
