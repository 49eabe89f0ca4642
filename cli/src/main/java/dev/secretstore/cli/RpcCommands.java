package dev.secretstore.cli;

import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.rpc.SecretStoreRpc;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.http.server.TlsFiles;
import dev.secretstore.rpc.http.RpcHttpServer;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.keystore.KeystoreFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secretstore rpc} (the JSON-RPC service of docs/rpc.md) and {@code secretstore account
 * new|import|list} (its keystore files). Passwords come from a file or an environment variable,
 * never from the command line, and are never printed.
 */
final class RpcCommands {
    /** Environment variable read for a keystore password when no --password-file is given. */
    static final String PASSWORD_ENV = "SECRETSTORE_PASSWORD";

    private RpcCommands() {}

    /** The password from {@code file} (first line, without its line ending) or {@link #PASSWORD_ENV}; null if neither. */
    static String password(Path file) throws IOException {
        if (file != null) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String line = nl < 0 ? text : text.substring(0, nl);
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        }
        return System.getenv(PASSWORD_ENV); // null if unset
    }

    @Command(name = "rpc", mixinStandardHelpOptions = true,
            description = {"Run the secretstore_* JSON-RPC service (the 'parity URL' of the Ocean clients) on keystore accounts.",
                "Binds to 127.0.0.1 by default: every call carries an account password."})
    static final class Rpc implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--keystore", required = true, paramLabel = "DIR", description = "directory of keystore v3 files")
        Path keystore;

        @Option(names = "--port", paramLabel = "P", defaultValue = "8545", description = "TCP port (default: ${DEFAULT-VALUE})")
        int port;

        @Option(names = "--interface", paramLabel = "IP", defaultValue = "127.0.0.1", description = "interface to bind (default: ${DEFAULT-VALUE})")
        String iface;

        @Option(names = "--cors", paramLabel = "ORIGINS", defaultValue = "none",
                description = "allowed browser origins: none, *, or a comma-separated list (default: ${DEFAULT-VALUE})")
        String cors;

        @Option(names = "--allowed-hosts", paramLabel = "HOSTS",
                description = {"Host header values served besides localhost, the loopback literals and the bound address:",
                    "a comma-separated list of host names or IP literals ([v6]), each optionally :port, or * for any (SEC-37)"})
        String allowedHosts;

        @Option(names = "--tls-certificate", paramLabel = "FILE",
                description = "PEM certificate chain (leaf first): serve HTTPS; needs --tls-private-key. Reloaded when the file changes")
        Path tlsCertificate;

        @Option(names = "--tls-private-key", paramLabel = "FILE", description = "PEM private key of --tls-certificate (unencrypted)")
        Path tlsPrivateKey;

        @Option(names = "--header-timeout", paramLabel = "S", defaultValue = "10",
                description = "seconds a client has to send a request's line and headers (default: ${DEFAULT-VALUE})")
        int headerTimeout;

        @Option(names = "--body-timeout", paramLabel = "S", defaultValue = "30",
                description = "seconds a client has to send a request body, and to take a response (default: ${DEFAULT-VALUE})")
        int bodyTimeout;

        @Option(names = "--idle-timeout", paramLabel = "S", defaultValue = "60",
                description = "seconds a keep-alive connection may wait between requests (default: ${DEFAULT-VALUE})")
        int idleTimeout;

        @Option(names = "--max-connections", paramLabel = "N", defaultValue = "1024",
                description = "open connections in total (default: ${DEFAULT-VALUE})")
        int maxConnections;

        @Option(names = "--max-connections-per-address", paramLabel = "N", defaultValue = "64",
                description = "open connections from one address, IPv6 by /64 (default: ${DEFAULT-VALUE})")
        int maxConnectionsPerAddress;

        /** A message naming the first limit option out of range, or null when all are valid. */
        String limitsError() {
            if (headerTimeout < 1) return "--header-timeout must be at least 1 (seconds), not " + headerTimeout;
            if (bodyTimeout < 1) return "--body-timeout must be at least 1 (seconds), not " + bodyTimeout;
            if (idleTimeout < 1) return "--idle-timeout must be at least 1 (seconds), not " + idleTimeout;
            if (maxConnections < 1) return "--max-connections must be at least 1, not " + maxConnections;
            if (maxConnectionsPerAddress < 1) return "--max-connections-per-address must be at least 1, not " + maxConnectionsPerAddress;
            return null;
        }

        /** The listener's limits (valid options: see {@link #limitsError()}); the body limit stays {@link RpcHttpServer#MAX_BODY}. */
        ServerLimits limits() {
            return ServerLimits.defaults(RpcHttpServer.MAX_BODY)
                    .withTimeouts(Duration.ofSeconds(headerTimeout), Duration.ofSeconds(bodyTimeout), Duration.ofSeconds(idleTimeout))
                    .withConnections(maxConnections, maxConnectionsPerAddress);
        }

        /** The TLS files, or null for plain HTTP; both options or neither. */
        TlsFiles tlsFiles() {
            if (tlsCertificate == null && tlsPrivateKey == null) return null;
            if (tlsCertificate == null || tlsPrivateKey == null) {
                throw new IllegalArgumentException("--tls-certificate and --tls-private-key go together: give both or neither");
            }
            return new TlsFiles(tlsCertificate, tlsPrivateKey);
        }

        @Override
        public Integer call() throws Exception {
            HostAllowList hosts;
            try {
                hosts = HostAllowList.parse(allowedHosts);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("error: --allowed-hosts: " + e.getMessage());
                return Main.USAGE;
            }
            String limitsError = limitsError();
            if (limitsError != null) {
                spec.commandLine().getErr().println("error: " + limitsError);
                return Main.USAGE;
            }
            ReloadingTls tls;
            try {
                TlsFiles files = tlsFiles();
                tls = files == null ? null : ReloadingTls.load(files);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return Main.USAGE;
            } catch (IOException e) {
                spec.commandLine().getErr().println("error: --tls-certificate/--tls-private-key: " + e.getMessage());
                return Main.USAGE;
            }
            Keystore ks = new Keystore(keystore);
            if (!Files.isDirectory(keystore)) {
                spec.commandLine().getErr().println("error: keystore directory " + keystore + " does not exist");
                return Main.USAGE;
            }
            CountDownLatch stop = new CountDownLatch(1);
            try (RpcHttpServer server = RpcHttpServer.start(new SecretStoreRpc(ks), iface, port, CorsPolicy.parse(cors), hosts,
                    limits(), tls)) {
                if (tls == null && !server.address().getAddress().isLoopbackAddress()) {
                    // every call carries an account password: loud, on every start (SEC-30, SEC-34)
                    spec.commandLine().getErr().println("WARNING: rpc: plain HTTP on a non-loopback address: "
                            + (iface.indexOf(':') >= 0 ? "[" + iface + "]" : iface) + ":" + server.address().getPort()
                            + "; every call carries an account password in clear text: set --tls-certificate and --tls-private-key");
                    spec.commandLine().getErr().flush();
                }
                spec.commandLine().getOut().println("rpc: listening on " + server.uri() + " with "
                        + ks.accounts().size() + " account(s) from " + keystore);
                spec.commandLine().getOut().flush();
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                stop.await();
            }
            return Main.OK;
        }
    }

    @Command(name = "account", mixinStandardHelpOptions = true,
            description = "Manage the keystore v3 accounts of the rpc service.",
            subcommands = {AccountNew.class, AccountImport.class, AccountList.class})
    static final class Account implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("error: new, import or list is required");
            spec.commandLine().usage(spec.commandLine().getErr());
            return Main.USAGE;
        }
    }

    abstract static class WithPassword {
        @Spec
        CommandSpec spec;

        @Option(names = "--keystore", required = true, paramLabel = "DIR", description = "directory of keystore v3 files")
        Path keystore;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "file whose first line is the password (default: the " + PASSWORD_ENV + " environment variable)")
        Path passwordFile;

        @Option(names = "--light", description = "light scrypt parameters (n = 4096): fast, for development only")
        boolean light;

        int store(KeyPair kp) throws IOException {
            String password = password(passwordFile);
            if (password == null) {
                spec.commandLine().getErr().println("error: a password is required: --password-file FILE or the "
                        + PASSWORD_ENV + " environment variable");
                return Main.USAGE;
            }
            Path f = new Keystore(keystore).store(kp, password,
                    light ? KeystoreFile.ScryptParams.LIGHT : KeystoreFile.ScryptParams.STANDARD);
            spec.commandLine().getOut().println(kp.address().toHex() + " " + f);
            kp.destroy();
            return Main.OK;
        }
    }

    @Command(name = "new", mixinStandardHelpOptions = true, description = "Create an account with a random key; prints its address and file.")
    static final class AccountNew extends WithPassword implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            return store(KeyPair.random());
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import a secret key file (64 hex digits) as a keystore account; prints its address and file.")
    static final class AccountImport extends WithPassword implements Callable<Integer> {
        @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "the secret key file to import")
        Path keyFile;

        @Override
        public Integer call() throws IOException {
            SecretScalar s = ClientCommands.readKeyFile(keyFile);
            try {
                return store(KeyPair.fromSecret(s.copy()));
            } finally {
                s.destroy();
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the accounts of a keystore directory: address and file.")
    static final class AccountList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--keystore", required = true, paramLabel = "DIR", description = "directory of keystore v3 files")
        Path keystore;

        @Override
        public Integer call() {
            for (Map.Entry<Address, Path> e : new Keystore(keystore).accounts().entrySet()) {
                spec.commandLine().getOut().println(e.getKey().toHex() + " " + e.getValue());
            }
            return Main.OK;
        }
    }
}
