package dev.secretstore.cli;

import dev.secretstore.http.server.ReloadingTls;
import dev.secretstore.http.server.ServerLimits;
import dev.secretstore.keystore.Keystore;
import dev.secretstore.node.cli.SideServices;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.runtime.PortTakenException;
import dev.secretstore.rpc.SecretStoreRpc;
import dev.secretstore.rpc.http.RpcHttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code node} command's JSON-RPC service: {@link NodeConfig#rpc()} (Parity's {@code [rpc]} with the secretstore
 * API, or {@code [secretstore_ext] rpc_enabled}) served by {@link RpcHttpServer} on the accounts of the node's keystore
 * directory ({@link NodeConfig#keysPath()}), with the node's HTTP timeouts and connection caps, and HTTPS with its
 * certificate when {@code tls_certificate} is set.
 */
final class NodeRpcService implements SideServices {
    @Override
    public List<AutoCloseable> start(NodeConfig config, PrintWriter log) throws IOException {
        NodeConfig.RpcService rpc = config.rpc();
        if (!rpc.enabled()) return List.of();
        Path dir = config.keysPath().orElseThrow(() -> new IllegalStateException("the JSON-RPC service has no keystore directory"));
        ServerLimits node = config.listeners().limits();
        ServerLimits limits = ServerLimits.defaults(RpcHttpServer.MAX_BODY)
                .withTimeouts(node.headerTimeout(), node.bodyTimeout(), node.idleTimeout())
                .withConnections(node.maxConnections(), node.maxConnectionsPerSource());
        ReloadingTls tls = config.listeners().tls().isPresent() ? ReloadingTls.load(config.listeners().tls().get()) : null;
        Keystore keystore = new Keystore(dir);
        RpcHttpServer server;
        try {
            server = RpcHttpServer.start(new SecretStoreRpc(keystore), rpc.listen().ip(), rpc.listen().port(), rpc.cors(),
                    rpc.hosts(), limits, tls);
        } catch (java.net.BindException e) {
            PortTakenException taken = new PortTakenException("JSON-RPC", new java.net.InetSocketAddress(rpc.listen().ip(), rpc.listen().port()),
                    rpc.options(), e);
            throw new IOException(taken.getMessage() + "; stop the process that holds it, or move the JSON-RPC listener with "
                    + rpc.options() + " in " + config.source(), taken);
        } catch (IOException e) {
            throw new IOException("the JSON-RPC service cannot listen on " + rpc.listen() + " (" + e.getMessage()
                    + "); move it with " + rpc.options(), e);
        }
        log.println("rpc: secretstore_* JSON-RPC listening on " + server.uri() + " with " + keystore.accounts().size()
                + " account(s) from " + dir);
        log.flush();
        return List.of(server);
    }
}
