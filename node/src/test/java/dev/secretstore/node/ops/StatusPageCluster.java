package dev.secretstore.node.ops;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.http.CorsPolicy;
import dev.secretstore.http.HostAllowList;
import dev.secretstore.node.acl.AllowAllAclChecker;
import dev.secretstore.node.config.NodeConfig;
import dev.secretstore.node.http.Admission;
import dev.secretstore.node.http.KeyCreators;
import dev.secretstore.node.http.RequestLimits;
import dev.secretstore.node.runtime.KeyServerNode;
import dev.secretstore.node.runtime.NodeSettings;
import dev.secretstore.node.transport.TransportConfig;
import dev.secretstore.protocol.Availability;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.session.admin.AdminPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Three real in-process nodes on loopback, each with its ops listener, for the status page's end-to-end tests: some
 * HTTP API traffic on node 0, then node 2 stopped, so node 0's page has requests to plot and a member that is down.
 */
final class StatusPageCluster implements AutoCloseable {
    final List<KeyServerNode> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    StatusPageCluster(Path dir) throws Exception {
        List<KeyPair> keys = List.of(KeyPair.random(), KeyPair.random(), KeyPair.random());
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<Integer> ports = freePorts(3);
        Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) members.put(new NodeId(keys.get(i).publicKey()), new InetSocketAddress(loopback, ports.get(i)));
        try {
            for (int i = 0; i < 3; i++) {
                KeyServerNode node = new KeyServerNode(new KeyServerNode.Settings(keys.get(i), new InetSocketAddress(loopback, ports.get(i)),
                        members, new InetSocketAddress(loopback, 0), dir.resolve("node" + i), CorsPolicy.none(), false,
                        storage -> new AllowAllAclChecker(), true, NodeSettings.SESSION_TIMEOUT, NodeSettings.MAX_SESSIONS,
                        AdminPolicy.NONE, RequestLimits.Config.NONE, new InetSocketAddress(loopback, 0), TransportConfig.defaults(),
                        Availability.DEFAULTS, HostAllowList.defaults(), Admission.Config.NONE, KeyCreators.anyone(),
                        NodeConfig.RequesterAuthorization.DEFAULT, NodeConfig.HttpListeners.DEFAULT));
                nodes.add(node);
                node.start();
            }
            await(() -> nodes.stream().allMatch(a -> nodes.stream().allMatch(b -> a == b || a.isConnectedTo(b.id()))), "all connected");
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Requests on node 0's HTTP API: {@code ok} answered 200 ({@code /cluster}), {@code bad} answered 4xx (a malformed path). */
    void traffic(int ok, int bad) throws Exception {
        for (int i = 0; i < ok + bad; i++) {
            String path = i < ok ? "/cluster" : "/shadow/not-a-key/also-not-a-signature";
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(0).httpPort() + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    /** One request on node {@code i}'s HTTP API; its status. */
    int api(int i, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(i).httpPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Stops node {@code i} and waits until node 0 sees its link down. */
    void stop(int i) throws Exception {
        KeyServerNode stopped = nodes.get(i);
        stopped.close();
        await(() -> !nodes.get(0).isConnectedTo(stopped.id()), "node 0 sees node " + i + " down");
    }

    String id(int i) {
        return "0x" + nodes.get(i).id().toHex();
    }

    URI status(int i, String path) {
        return URI.create("http://127.0.0.1:" + nodes.get(i).opsPort() + path);
    }

    HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting: " + what);
            Thread.sleep(50);
        }
    }

    private static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : held) s.close();
        }
    }

    @Override
    public void close() {
        for (KeyServerNode node : nodes) node.close();
    }
}
