package dev.secretstore.cli;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The local development cluster started by {@code secretstore dev} (design decision 10), found
 * through {@link java.util.ServiceLoader}; registered in
 * {@code META-INF/services/dev.secretstore.cli.DevClusterRunner}.
 */
public interface DevClusterRunner {
    /**
     * The parsed {@code dev} options: the number of nodes, the working directory (absolute),
     * {@code --chain} (a local anvil with the on-chain ACL instead of the policy file) and {@code --tls} (HTTPS with a
     * development CA).
     */
    record Options(int nodes, Path dir, boolean chain, boolean tls) {
        public Options {
            Objects.requireNonNull(dir, "dir");
            if (nodes < 1) throw new IllegalArgumentException("nodes must be at least 1");
        }

        /** Without TLS. */
        public Options(int nodes, Path dir, boolean chain) {
            this(nodes, dir, chain, false);
        }

        /** Without a chain: the policy-file ACL. */
        public Options(int nodes, Path dir) {
            this(nodes, dir, false);
        }
    }

    /**
     * Runs the cluster until Ctrl-C or SIGTERM.
     *
     * @return the process exit code: 0 after a clean stop, 1 after a failure
     */
    int run(Options options);
}
