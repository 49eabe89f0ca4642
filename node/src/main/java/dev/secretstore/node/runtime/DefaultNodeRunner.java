package dev.secretstore.node.runtime;

import dev.secretstore.node.cli.NodeRunner;
import dev.secretstore.node.config.NodeConfig;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code secretstore node --config FILE}: runs one key server until SIGINT/SIGTERM. */
public final class DefaultNodeRunner implements NodeRunner {
    private static final Logger LOG = Logger.getLogger(DefaultNodeRunner.class.getName());

    /** The one line {@code node} prints when a listener's port is taken: port, listener, and the options that move it. */
    static String portTaken(PortTakenException e, NodeConfig config) {
        return e.getMessage() + "; stop the process that holds it, or move the " + e.listener() + " listener with " + e.options()
                + " in " + config.source();
    }

    @Override
    public int run(NodeConfig config) {
        KeyServerNode.Settings settings;
        try {
            settings = NodeSettings.from(config);
        } catch (IllegalArgumentException e) {
            System.err.println("secretstore: " + e.getMessage());
            return 2;
        }
        KeyServerNode node = new KeyServerNode(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "shutdown");
        try {
            node.start();
            Runtime.getRuntime().addShutdownHook(hook);
            LOG.info(() -> "key server " + node.id().toHex() + " started; cluster " + settings.clusterAddress()
                    + (settings.httpAddress() == null ? ", HTTP disabled" : ", HTTP http://" + settings.httpAddress().getHostString() + ":" + node.httpPort()));
            stopped.await();
            return 0;
        } catch (PortTakenException e) {
            node.close();
            System.err.println("secretstore: " + portTaken(e, config));
            return 1;
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "key server failed: " + e.getMessage(), e);
            node.close();
            return 1;
        }
    }
}
