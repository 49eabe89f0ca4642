package dev.secretstore.cli.eth;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.node.eth.EthRpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A local anvil dev chain (Foundry), installed from npm into the project by the build
 * ({@code .tools/anvil}, see node/pom.xml). Used by the on-chain ACL integration tests and by
 * {@code secretstore dev --chain}. The chain state lives in a file, so a stopped and restarted anvil
 * keeps its contracts and grants.
 */
public final class Anvil implements AutoCloseable {
    /** Anvil's first well-known development account (public test mnemonic; never use it on a real chain). */
    public static final String DEV_ACCOUNT_SECRET = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    /** Anvil's second well-known (funded) development account. */
    public static final String DEV_ACCOUNT_1_SECRET = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    private final Path executable;
    private final int port;
    private final Path stateFile;
    private final Path logFile;
    private Process process;

    private Anvil(Path executable, int port, Path stateFile, Path logFile) {
        this.executable = executable;
        this.port = port;
        this.stateFile = stateFile;
        this.logFile = logFile;
    }

    /**
     * Finds the anvil binary: {@code anvil.bin} system property, else {@code .tools/anvil} in or above the
     * working directory. Prefers the platform binary over npm's node wrapper, so stopping reaches anvil itself.
     */
    public static Optional<Path> locate() {
        List<Path> candidates = new ArrayList<>();
        String prop = System.getProperty("anvil.bin");
        if (prop != null && !prop.isBlank()) candidates.add(Path.of(prop));
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            candidates.add(d.resolve(".tools/anvil/node_modules/.bin/anvil"));
        }
        try { // the project that built this jar (node/target/secretstore.jar → project root)
            Path jar = Path.of(Anvil.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = jar.getParent(); d != null; d = d.getParent()) {
                candidates.add(d.resolve(".tools/anvil/node_modules/.bin/anvil"));
            }
        } catch (Exception ignored) {
            // no code source: the working directory candidates remain
        }
        for (Path c : candidates) {
            if (!Files.isExecutable(c)) continue;
            Path modules = c.toAbsolutePath().getParent().getParent().resolve("@foundry-rs");
            if (Files.isDirectory(modules)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(modules, "anvil-*")) {
                    for (Path platform : ds) {
                        Path bin = platform.resolve("bin/anvil");
                        if (Files.isExecutable(bin)) return Optional.of(bin);
                    }
                } catch (IOException ignored) {
                    // fall back to the wrapper
                }
            }
            return Optional.of(c);
        }
        return Optional.empty();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts anvil on {@code port} with its state in {@code dir}, and waits until it answers. */
    public static Anvil start(Path executable, int port, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Anvil a = new Anvil(executable, port, dir.resolve("anvil-state.json"), dir.resolve("anvil.log"));
        a.startProcess();
        return a;
    }

    private void startProcess() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(executable.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--state", stateFile.toString(), "--chain-id", "31337");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        process = pb.start();
        EthRpc rpc = new EthRpc(url(), Duration.ofSeconds(1));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) throw new IOException("anvil exited with " + process.exitValue() + "; see " + logFile);
            try {
                rpc.callSync("eth_chainId");
                return;
            } catch (RuntimeException notYet) {
                Thread.sleep(100);
            }
        }
        stop();
        throw new IOException("anvil did not answer on port " + port + " within 30 s; see " + logFile);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public KeyPair devAccount() {
        return KeyPair.fromSecretBytes(dev.secretstore.crypto.Hex.decode(DEV_ACCOUNT_SECRET));
    }

    /** Stops anvil (it writes its state file on the way out). */
    public void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Starts anvil again on the same port from its saved state. */
    public void restart() throws IOException, InterruptedException {
        stop();
        startProcess();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
