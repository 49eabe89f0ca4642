package dev.secretstore.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.bench.cluster.JfrProfile.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a CPU sample goes in "by primitive or library": the HTTP API's server layer, the Netty EdgeServer after
 * issue #15 (SEC-34) or the JDK's com.sun.net.httpserver before it, gets its own category, so the same bench
 * measures the HTTP share before and after the move; the cluster transport's Netty stays "Netty".
 */
class JfrProfileTest {
    /** A stack, leaf first, from "type.method" names. */
    private static List<Frame> stack(String... frames) {
        List<Frame> out = new ArrayList<>();
        for (String f : frames) {
            int dot = f.lastIndexOf('.');
            out.add(new Frame(f.substring(0, dot), f.substring(dot + 1), "()V"));
        }
        return out;
    }

    private static final String[] NETTY_LOOP = {"io.netty.channel.nio.NioEventLoop.run", "io.netty.util.concurrent.SingleThreadEventExecutor$4.run",
        "io.netty.util.internal.ThreadExecutorMap$2.run", "io.netty.util.concurrent.FastThreadLocalRunnable.run", "java.lang.Thread.run"};

    private static String[] onNettyLoop(String... leaf) {
        List<String> all = new ArrayList<>(List.of(leaf));
        all.addAll(List.of(NETTY_LOOP));
        return all.toArray(String[]::new);
    }

    @Test
    void nettyOnTheHttpApisEventLoopIsTheHttpLayerButOnTheTransportItStaysNetty() {
        List<Frame> decode = stack(onNettyLoop("io.netty.handler.codec.http.HttpObjectDecoder.decode",
                "io.netty.handler.codec.ByteToMessageDecoder.channelRead"));
        assertThat(JfrProfile.primitive(decode, "http-api-io-4-1")).isEqualTo(JfrProfile.HTTP_EDGE);
        assertThat(JfrProfile.primitive(decode, "secretstore-transport-1a2b3c-1-1")).isEqualTo("Netty");
        assertThat(JfrProfile.primitive(decode, "rpc-io-6-1")).isEqualTo("Netty");
    }

    @Test
    void socketIoOnTheHttpApisThreadsIsTheHttpLayerOfWhicheverServerRunsThem() {
        List<Frame> nettyRead = stack(onNettyLoop("sun.nio.ch.SocketDispatcher.read0", "sun.nio.ch.SocketChannelImpl.read"));
        assertThat(JfrProfile.primitive(nettyRead, "http-api-io-4-1")).isEqualTo(JfrProfile.HTTP_EDGE);
        assertThat(JfrProfile.primitive(nettyRead, "secretstore-transport-1a2b3c-1-1")).isEqualTo("sockets and NIO");

        List<Frame> jdkSelect = stack("sun.nio.ch.EPoll.wait", "sun.nio.ch.SelectorImpl.select", "sun.net.httpserver.ServerImpl$Dispatcher.run",
                "java.lang.Thread.run");
        assertThat(JfrProfile.primitive(jdkSelect, "HTTP-Dispatcher")).isEqualTo(JfrProfile.HTTP_JDK);
        // a response written by the JDK server from the API's handler thread
        List<Frame> jdkWrite = stack("sun.nio.ch.SocketDispatcher.write0", "sun.net.httpserver.Request$WriteStream.write",
                "sun.net.httpserver.ExchangeImpl.sendResponseHeaders", "dev.secretstore.node.http.HttpApi.finish",
                "sun.net.httpserver.ServerImpl$Exchange.run", "java.util.concurrent.ThreadPoolExecutor.runWorker");
        assertThat(JfrProfile.primitive(jdkWrite, "http-api")).isEqualTo(JfrProfile.HTTP_JDK);
    }

    @Test
    void theLayersOwnCodeCountsOnAnyThread() {
        List<Frame> exchange = stack(onNettyLoop("dev.secretstore.http.server.Exchange.channelRead"));
        assertThat(JfrProfile.primitive(exchange, "http-api-io-4-1")).isEqualTo(JfrProfile.HTTP_EDGE);
        assertThat(JfrProfile.primitive(exchange, "")).isEqualTo(JfrProfile.HTTP_EDGE);
        List<Frame> jdkParse = stack("sun.net.httpserver.Request.readLine", "sun.net.httpserver.ServerImpl$Exchange.run");
        assertThat(JfrProfile.primitive(jdkParse, "HTTP-Dispatcher")).isEqualTo(JfrProfile.HTTP_JDK);
    }

    @Test
    void theApisRequestHandlingUnderEitherLayerIsTheLayersUnlessALibraryOrPrimitiveClaimsIt() {
        // the same handler frames, dispatched by the Netty layer's pool and by the JDK server
        String[] edgeDispatch = {"dev.secretstore.http.server.Exchange.lambda$channelRead$0", "java.util.concurrent.ThreadPoolExecutor.runWorker",
            "java.lang.Thread.run"};
        String[] jdkDispatch = {"sun.net.httpserver.ServerImpl$Exchange.run", "java.util.concurrent.ThreadPoolExecutor.runWorker",
            "java.lang.Thread.run"};
        for (String[] dispatch : List.of(edgeDispatch, jdkDispatch)) {
            String layer = dispatch == edgeDispatch ? JfrProfile.HTTP_EDGE : JfrProfile.HTTP_JDK;
            String thread = dispatch == edgeDispatch ? "http-api-3-1" : "http-api";
            assertThat(JfrProfile.primitive(stack(concat(new String[] {"dev.secretstore.node.http.RequestParser.parse"}, dispatch)), thread))
                    .isEqualTo(layer);
            assertThat(JfrProfile.primitive(stack(concat(new String[] {"com.fasterxml.jackson.core.json.UTF8JsonGenerator.writeString",
                "dev.secretstore.node.http.HttpApi.finish"}, dispatch)), thread)).isEqualTo("CBOR/JSON (Jackson)");
            assertThat(JfrProfile.primitive(stack(concat(new String[] {"dev.secretstore.crypto.Secp256k1.sumOfProductsPublic",
                "dev.secretstore.crypto.Ecdsa.recover", "dev.secretstore.node.http.HttpApi.handle"}, dispatch)), thread))
                    .isEqualTo("a·P and Σ a_i·P_i, public (Strauss/GLV)");
        }
    }

    @Test
    void aStackCutBeforeItsDispatchFramesOnTheHttpApisThreadsIsStillTheLayers() {
        // JFR keeps 64 frames: a deep stack of the API's code loses the server's frames at the bottom
        List<Frame> cut = stack("java.util.HashMap.get", "dev.secretstore.node.http.HttpApi.route");
        assertThat(JfrProfile.primitive(cut, "http-api")).isEqualTo(JfrProfile.HTTP_JDK);
        assertThat(JfrProfile.primitive(cut, "http-api-3-2")).isEqualTo(JfrProfile.HTTP_EDGE);
        assertThat(JfrProfile.primitive(cut, "http-api-finish")).isEqualTo(JfrProfile.HTTP_EDGE);
        assertThat(JfrProfile.primitive(cut, "cluster-loop-1a2b3c")).isEqualTo("other (java.util)");
    }

    @Test
    void samplesOutsideEveryRuleNameTheLeafsPackage() {
        assertThat(JfrProfile.primitive(stack("java.util.HashMap.get", "dev.secretstore.node.runtime.KeyServerNode.run"), "cluster-loop-1a2b3c"))
                .isEqualTo("other (java.util)");
    }

    private static String[] concat(String[] a, String[] b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
