package dev.secretstore.http.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * One HTTP/1.1 listener on Netty (SEC-34): event-loop I/O with no thread per connection, the {@link HttpHandler} on
 * a bounded pool of its own, and the {@link ServerLimits} enforced per connection: deadlines for headers, body,
 * keep-alive idleness and response delivery; header and body size; open connections in total and per source.
 * One request per connection is handled at a time (a pipelined request waits, unread, until the previous response
 * has left), which is the backpressure: a client that does not read its responses stops being read. Optional TLS
 * from {@link ReloadingTls}; plain HTTP sent to a TLS port is dropped at the first record. The key server API, the
 * JSON-RPC service and the ops listener each run one.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgeServer.class.getName());

    /** Counters of one listener, for metrics and tests. */
    public record Stats(int open, long accepted, long refusedPerSource, long refusedTotal, long timedOut, long busy,
                        long requests) {
    }

    private final String name;
    private final ServerLimits limits;
    private final ReloadingTls tls;
    private final HttpHandler handler;
    private final EventLoopGroup group;
    private final ThreadPoolExecutor handlers;
    private final ConnectionLimiter connections;
    private final Channel server;
    private final InetSocketAddress address;
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong refusedPerSource = new AtomicLong();
    final AtomicLong refusedTotal = new AtomicLong();
    final AtomicLong timedOut = new AtomicLong();
    final AtomicLong busy = new AtomicLong();
    final AtomicLong requests = new AtomicLong();

    private EdgeServer(String name, InetSocketAddress bind, ServerLimits limits, ReloadingTls tls, HttpHandler handler,
                       int ioThreads) throws IOException {
        this.name = Objects.requireNonNull(name, "name");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.tls = tls;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.connections = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerSource());
        BlockingQueue<Runnable> queue = limits.handlerQueue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(limits.handlerQueue());
        this.handlers = new ThreadPoolExecutor(limits.handlerThreads(), limits.handlerThreads(), 0, TimeUnit.MILLISECONDS, queue,
                new DefaultThreadFactory(name, true));
        this.group = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory(name + "-io", true));
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch);
                    }
                });
        try {
            this.server = b.bind(bind).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            handlers.shutdownNow();
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new BindException(name + ": cannot listen on " + bind.getHostString() + ":" + bind.getPort() + " (" + e.getMessage() + ")");
            }
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IOException(name + ": cannot listen on " + bind.getHostString() + ":" + bind.getPort() + ": " + e.getMessage(), e);
        }
        this.address = (InetSocketAddress) server.localAddress();
    }

    /**
     * Binds {@code bind} (port 0: any free port) and serves {@code handler} under {@code limits}.
     *
     * @param name      the listener's name in thread names and logs ({@code http-api}, {@code rpc}, {@code ops})
     * @param tls       null for plain HTTP
     * @param ioThreads event-loop threads (I/O and HTTP parsing only)
     * @throws BindException naming the listener and the address when the port is taken
     */
    public static EdgeServer start(String name, InetSocketAddress bind, ServerLimits limits, ReloadingTls tls, HttpHandler handler,
                                   int ioThreads) throws IOException {
        return new EdgeServer(name, bind, limits, tls, handler, ioThreads);
    }

    /** {@link #start(String, InetSocketAddress, ServerLimits, ReloadingTls, HttpHandler, int)} with one I/O thread. */
    public static EdgeServer start(String name, InetSocketAddress bind, ServerLimits limits, ReloadingTls tls, HttpHandler handler)
            throws IOException {
        return start(name, bind, limits, tls, handler, 1);
    }

    private void accept(SocketChannel ch) {
        InetAddress source = ch.remoteAddress().getAddress();
        ConnectionLimiter.Refusal refused = connections.tryOpen(source);
        if (refused != null) {
            // SEC-34: over a cap the connection is closed before anything is read or allocated for it
            (refused == ConnectionLimiter.Refusal.SOURCE ? refusedPerSource : refusedTotal).incrementAndGet();
            ch.close();
            return;
        }
        accepted.incrementAndGet();
        ch.closeFuture().addListener(f -> connections.close(source));
        if (tls != null) {
            SslHandler ssl = tls.current().newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(limits.headerTimeout().toMillis());
            ch.pipeline().addLast("tls", ssl);
        }
        RequestDecoder decoder = new RequestDecoder(ServerLimits.MAX_REQUEST_LINE, limits.maxHeaderBytes());
        Exchange exchange = new Exchange(this, tls != null, decoder);
        ch.pipeline().addLast("bytes", exchange.bytesIn())
                .addLast("decoder", decoder)
                .addLast("encoder", new HttpResponseEncoder())
                .addLast("exchange", exchange);
    }

    ServerLimits limits() {
        return limits;
    }

    HttpHandler handler() {
        return handler;
    }

    ThreadPoolExecutor handlers() {
        return handlers;
    }

    String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    public boolean secure() {
        return tls != null;
    }

    public Stats stats() {
        return new Stats(connections.open(), accepted.get(), refusedPerSource.get(), refusedTotal.get(), timedOut.get(), busy.get(),
                requests.get());
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        handlers.shutdownNow();
        LOG.fine(() -> name + " closed");
    }
}
