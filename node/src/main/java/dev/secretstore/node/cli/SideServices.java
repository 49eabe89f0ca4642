package dev.secretstore.node.cli;

import dev.secretstore.node.config.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * Services that run beside the key server in one process, started after the configuration is validated and closed
 * when the node stops: the command line's {@code secretstore_*} JSON-RPC service ({@link NodeConfig#rpc()}), which
 * the server jar does not carry.
 */
@FunctionalInterface
public interface SideServices {
    /**
     * Starts what {@code config} asks for; {@code log} takes one line per service started (never a secret).
     *
     * @throws IOException naming the listener and the address when one cannot start (a port in use)
     * @throws UnsupportedOperationException when {@code config} asks for a service this build does not carry
     */
    List<AutoCloseable> start(NodeConfig config, PrintWriter log) throws IOException;

    /** The server jar's: none; a configuration asking for the JSON-RPC service is refused with a message naming it. */
    SideServices NONE = (config, log) -> {
        if (config.rpc().enabled()) {
            throw new UnsupportedOperationException("the configuration starts the secretstore_* JSON-RPC service ("
                    + config.rpc().options() + "), which the server jar does not carry; run this node with ./secretstore "
                    + "(cli/target/secretstore.jar), or turn the service off");
        }
        return List.of();
    };
}
