package dev.secretstore.cli;

import java.util.Optional;

/**
 * Where the command line finds the runtimes it delegates to: the key server's and the development
 * cluster's; {@link #fromServiceLoader()} in production, fakes in tests.
 */
public interface Components extends dev.secretstore.node.cli.Components {
    Optional<DevClusterRunner> devClusterRunner();

    /** Looks the runtimes up with {@link java.util.ServiceLoader} on the class path of the CLI. */
    static Components fromServiceLoader() {
        dev.secretstore.node.cli.Components node = dev.secretstore.node.cli.Components.fromServiceLoader();
        return new Components() {
            @Override
            public Optional<dev.secretstore.node.cli.NodeRunner> nodeRunner() {
                return node.nodeRunner();
            }

            @Override
            public Optional<DevClusterRunner> devClusterRunner() {
                return dev.secretstore.node.cli.Components.single(DevClusterRunner.class);
            }
        };
    }
}
