package dev.secretstore.node.cli;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The local development cluster started by {@code secretstore dev} (design decision 10), found
 * through {@link java.util.ServiceLoader}; registered in
 * {@code META-INF/services/dev.secretstore.node.cli.DevClusterRunner}.
 */
public interface DevClusterRunner {
    /** The parsed {@code dev} options: the number of nodes and the working directory (absolute). */
    record Options(int nodes, Path dir) {
        public Options {
            Objects.requireNonNull(dir, "dir");
            if (nodes < 1) throw new IllegalArgumentException("nodes must be at least 1");
        }
    }

    /**
     * Runs the cluster until Ctrl-C or SIGTERM.
     *
     * @return the process exit code: 0 after a clean stop, 1 after a failure
     */
    int run(Options options);
}
