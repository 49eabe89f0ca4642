package dev.secretstore.node.cli;

import dev.secretstore.node.config.NodeConfig;

/**
 * The key server runtime, found through {@link java.util.ServiceLoader} by {@code secretstore node}.
 * An implementation is registered in {@code META-INF/services/dev.secretstore.node.cli.NodeRunner}.
 *
 * <p>The command has already validated the configuration, printed its notices and run the SEC-27
 * permission checks; the runner logs the insecure-mode warnings periodically, starts the node and
 * returns when it has stopped.
 */
public interface NodeRunner {
    /**
     * Runs one key server until it is stopped.
     *
     * @return the process exit code: 0 after a clean stop, 1 after a failure
     */
    int run(NodeConfig config);
}
