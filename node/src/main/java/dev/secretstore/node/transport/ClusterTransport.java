package dev.secretstore.node.transport;

import dev.secretstore.crypto.KeyPair;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.protocol.NodeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The authenticated, encrypted node-to-node transport (design decision 4, SEC-17, docs/transport.md).
 *
 * <p>One logical connection per pair of members: the member with the lower {@link NodeId} dials,
 * the other only accepts; the dialer reconnects with capped, jittered exponential backoff until
 * {@link #close()}. An accepted connection is only allowed from a member with a lower id, and is
 * established only after the initiator's first transport frame authenticates (key confirmation).
 * A newer authenticated connection from a peer replaces an older one (the peer restarted).
 *
 * <p>Before authentication, accepted connections are admitted per source address by a
 * {@link HandshakeGate} (slots and handshake rate, optionally members' addresses only), and what
 * is refused or fails is logged as one summary line per interval (SEC-36).
 *
 * <p>Messages from one peer are delivered to the {@link Listener} in order, on that connection's
 * event-loop thread; the listener must not block it. {@link #send} never blocks: it fails fast when
 * the peer is not connected or its bounded outbound queue is full (SEC-28).
 */
public final class ClusterTransport implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterTransport.class.getName());

    /** Callbacks, invoked on Netty event-loop threads. Exceptions are logged and ignored. */
    public interface Listener {
        /** A complete application message from an authenticated member. */
        default void onMessage(NodeId from, byte[] message) {
        }

        default void onConnected(NodeId peer) {
        }

        default void onDisconnected(NodeId peer) {
        }
    }

    private final KeyPair self;
    private final NodeId selfId;
    private final InetSocketAddress listenAddress;
    private final Map<NodeId, InetSocketAddress> members; // without self
    private final Listener listener;
    private final TransportConfig config;
    private final byte[] prologue = NoiseIkHandshake.defaultPrologue();
    private final ConcurrentMap<NodeId, Connection> connections = new ConcurrentHashMap<>();
    private final Map<NodeId, Dialer> dialers = new ConcurrentHashMap<>();
    private final HandshakeGate gate;
    private final RefusalLog refusals = new RefusalLog();
    private final HandshakeFailureLog inboundFailures;
    private final MemberAddresses memberAddresses;
    private volatile ThreadPoolExecutor resolverThread;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;
    private EventLoopGroup group;
    private Channel serverChannel;

    public ClusterTransport(KeyPair self, InetSocketAddress listenAddress, Map<NodeId, InetSocketAddress> members, Listener listener) {
        this(self, listenAddress, members, listener, TransportConfig.defaults());
    }

    /**
     * @param members every member of the cluster and its address; an entry for this node itself is
     *                ignored. Addresses are used only for members with a higher id (the ones this
     *                node dials).
     */
    public ClusterTransport(KeyPair self, InetSocketAddress listenAddress, Map<NodeId, InetSocketAddress> members,
                            Listener listener, TransportConfig config) {
        this(self, listenAddress, members, listener, config, InetAddress::getAllByName);
    }

    /** Tests only: with a replaced name resolution for the member hosts (SEC-36). */
    ClusterTransport(KeyPair self, InetSocketAddress listenAddress, Map<NodeId, InetSocketAddress> members,
                     Listener listener, TransportConfig config, MemberAddresses.Resolver resolver) {
        this.self = Objects.requireNonNull(self, "self");
        this.selfId = new NodeId(self.publicKey());
        this.listenAddress = Objects.requireNonNull(listenAddress, "listenAddress");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.config = Objects.requireNonNull(config, "config");
        Map<NodeId, InetSocketAddress> m = new LinkedHashMap<>(members);
        m.remove(selfId);
        this.members = Collections.unmodifiableMap(m);
        this.gate = new HandshakeGate(config.admission(), config.maxPendingHandshakes(), System::nanoTime);
        this.memberAddresses = new MemberAddresses(this.members.values(), resolver,
                config.admission().resolveMinSpacing().toNanos());
        this.inboundFailures = (ch, reason, detail) -> {
            refusals.record(reason, remoteIp(ch));
            LOG.log(Level.DEBUG, "closing connection {0}: {1}", ch.remoteAddress(), detail);
        };
    }

    public NodeId self() {
        return selfId;
    }

    /** Binds the listening socket (blocking until bound) and starts dialing higher members. */
    public synchronized void start() {
        if (closed) throw new IllegalStateException("transport is closed");
        if (!started.compareAndSet(false, true)) throw new IllegalStateException("transport already started");
        group = new NioEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("secretstore-transport-" + selfId.shortId(), true));
        ServerBootstrap server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initInbound(ch);
                    }
                });
        startAdmission(); // before the first accept
        try {
            serverChannel = server.bind(listenAddress).syncUninterruptibly().channel();
        } catch (Exception e) { // also the java.net.BindException Netty rethrows undeclared
            if (resolverThread != null) resolverThread.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        LOG.log(Level.INFO, "node {0} listening on {1}", selfId.shortId(), serverChannel.localAddress());
        for (Map.Entry<NodeId, InetSocketAddress> e : members.entrySet()) {
            if (selfId.compareTo(e.getKey()) < 0) {
                Dialer d = new Dialer(e.getKey(), e.getValue(), group.next());
                dialers.put(e.getKey(), d);
                d.loop.execute(d::connect);
            }
        }
    }

    /**
     * SEC-36: the member sources, their re-resolution (periodic when a member is given by name, and
     * on refusals) and the refusal summary line.
     */
    private void startAdmission() {
        TransportConfig.Admission a = config.admission();
        gate.setMembers(memberAddresses.current());
        if (memberAddresses.hasNames()) {
            resolverThread = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    new DefaultThreadFactory("secretstore-resolve-" + selfId.shortId(), true));
            resolverThread.allowCoreThreadTimeOut(true);
            refreshMemberAddresses();
            long every = a.resolveInterval().toNanos();
            group.scheduleAtFixedRate(this::refreshMemberAddresses, every, every, TimeUnit.NANOSECONDS);
        }
        long logEvery = a.refusalLogInterval().toNanos();
        group.scheduleAtFixedRate(this::logRefusals, logEvery, logEvery, TimeUnit.NANOSECONDS);
    }

    /** Resolves the member host names again off the event loops, unless one ran within the minimum spacing. */
    private void refreshMemberAddresses() {
        ThreadPoolExecutor resolver = resolverThread;
        if (resolver == null || closed || !memberAddresses.tryBegin(System.nanoTime())) return;
        try {
            resolver.execute(() -> gate.setMembers(memberAddresses.resolve()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            memberAddresses.abandon(); // closing
        }
    }

    private void logRefusals() {
        refusals.drain().ifPresent(line -> LOG.log(Level.WARNING, "node {0}: {1}", selfId.shortId(), line));
    }

    /** Tests only: the per-source admission state. */
    HandshakeGate gate() {
        return gate;
    }

    /** Tests only: the refusals counted since the last summary line. */
    RefusalLog refusals() {
        return refusals;
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress localAddress() {
        Channel ch = serverChannel;
        if (ch == null) throw new IllegalStateException("transport not started");
        return (InetSocketAddress) ch.localAddress();
    }

    /**
     * Queues {@code message} for {@code to}. The stage completes when the message has been written
     * to the socket, or exceptionally with a {@link TransportException}: {@code NOT_CONNECTED},
     * {@code QUEUE_FULL}, {@code MESSAGE_TOO_LARGE}, {@code CLOSED}, or an I/O error. Never blocks.
     * The array must not be modified until the stage completes.
     */
    public CompletionStage<Void> send(NodeId to, byte[] message) {
        Objects.requireNonNull(message, "message");
        if (closed) {
            return failed(TransportException.Reason.CLOSED, "transport is closed");
        }
        if (message.length > config.maxMessageSize()) {
            return failed(TransportException.Reason.MESSAGE_TOO_LARGE,
                    "message of " + message.length + " bytes exceeds the maximum of " + config.maxMessageSize());
        }
        Connection c = connections.get(to);
        if (c == null) {
            return failed(TransportException.Reason.NOT_CONNECTED, "not connected to " + to.shortId());
        }
        int n = c.queuedMessages.incrementAndGet();
        long b = c.queuedBytes.addAndGet(message.length);
        if (n > config.maxQueuedMessages() || b > config.maxQueuedBytes()) {
            c.queuedMessages.decrementAndGet();
            c.queuedBytes.addAndGet(-message.length);
            return failed(TransportException.Reason.QUEUE_FULL, "outbound queue to " + to.shortId() + " is full");
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        c.channel.writeAndFlush(message).addListener(f -> {
            c.queuedMessages.decrementAndGet();
            c.queuedBytes.addAndGet(-message.length);
            if (f.isSuccess()) {
                result.complete(null);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    public boolean isConnected(NodeId peer) {
        Connection c = connections.get(peer);
        return c != null && c.channel.isActive();
    }

    public Set<NodeId> connectedPeers() {
        return Set.copyOf(connections.keySet());
    }

    /** Tests only: the channel of an established connection, or null. */
    Channel channelOf(NodeId peer) {
        Connection c = connections.get(peer);
        return c == null ? null : c.channel;
    }

    /**
     * Stops dialing, closes every connection and the listening socket, and releases the threads
     * (waiting up to about 2 s, except when called from a listener callback). Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        if (group == null) return;
        for (Dialer d : dialers.values()) {
            d.loop.execute(d::stop);
        }
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Connection c : connections.values()) {
            c.channel.close();
        }
        if (resolverThread != null) resolverThread.shutdownNow();
        logRefusals();
        io.netty.util.concurrent.Future<?> terminated = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        boolean onOwnThread = false;
        for (io.netty.util.concurrent.EventExecutor e : group) {
            onOwnThread |= e.inEventLoop();
        }
        if (!onOwnThread) {
            terminated.syncUninterruptibly(); // from a listener callback we cannot wait for ourselves
        }
        LOG.log(Level.INFO, "node {0} transport closed", selfId.shortId());
    }

    // ---------------------------------------------------------------- pipeline

    private void initInbound(SocketChannel ch) {
        if (closed) {
            ch.close();
            return;
        }
        // SEC-36: decided before any byte is read and before any elliptic-curve work
        InetAddress source = remoteIp(ch);
        HandshakeGate.Ticket ticket = source == null ? null : gate.admit(source);
        if (ticket == null || ticket.refusal() != null) {
            Refusal reason = ticket == null ? Refusal.IO_ERROR : ticket.refusal();
            refusals.record(reason, source);
            if (reason == Refusal.NOT_MEMBER_ADDRESS) refreshMemberAddresses();
            ch.config().setOption(ChannelOption.SO_LINGER, 0); // reset: no TIME_WAIT left on this side
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> ticket.release());
        NoiseIkHandshake hs = NoiseIkHandshake.responder(self, this::mayDialUs, prologue);
        initPipeline(ch.pipeline(), new HandshakeHandler(hs, false, config, inboundFailures), new PeerHandler(null, ticket::release),
                inboundFailures);
    }

    private static InetAddress remoteIp(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    private void initOutbound(Channel ch, Dialer dialer) {
        NoiseIkHandshake hs = NoiseIkHandshake.initiator(self, dialer.peer.publicKey(), prologue);
        HandshakeFailureLog perLine = HandshakeFailureLog.perLine(LOG);
        initPipeline(ch.pipeline(), new HandshakeHandler(hs, true, config, perLine), new PeerHandler(dialer, () -> { }), perLine);
    }

    private void initPipeline(ChannelPipeline p, HandshakeHandler handshake, PeerHandler peer, HandshakeFailureLog failures) {
        p.addLast("frame-decoder", new LengthFieldBasedFrameDecoder(2 + Framing.MAX_NOISE_MESSAGE, 0, 2, 0, 2));
        p.addLast("frame-prepender", new LengthFieldPrepender(2));
        p.addLast("handshake-timeout", new HandshakeTimeoutHandler(config.handshakeTimeout().toNanos(), failures));
        p.addLast(HandshakeHandler.NAME, handshake);
        p.addLast("peer", peer);
    }

    /** Connection policy: only members with a lower id dial this node. */
    private boolean mayDialUs(PublicPoint initiator) {
        NodeId id = new NodeId(initiator);
        return members.containsKey(id) && id.compareTo(selfId) < 0;
    }

    private static CompletionStage<Void> failed(TransportException.Reason reason, String message) {
        return CompletableFuture.failedFuture(new TransportException(reason, message));
    }

    private static final class Connection {
        final Channel channel;
        final AtomicInteger queuedMessages = new AtomicInteger();
        final AtomicLong queuedBytes = new AtomicLong();

        Connection(Channel channel) {
            this.channel = channel;
        }
    }

    /** Last handler of every pipeline: registers the connection and calls the listener. */
    private final class PeerHandler extends ChannelInboundHandlerAdapter {
        private final Dialer dialer; // null for accepted connections
        private final Runnable releaseHandshakeSlot;
        private NodeId peer;
        private Connection connection;

        PeerHandler(Dialer dialer, Runnable releaseHandshakeSlot) {
            this.dialer = dialer;
            this.releaseHandshakeSlot = releaseHandshakeSlot;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (!(evt instanceof PeerAuthenticated auth)) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            releaseHandshakeSlot.run();
            if (closed) {
                ctx.close();
                return;
            }
            peer = new NodeId(auth.remoteStatic());
            connection = new Connection(ctx.channel());
            Connection old = connections.put(peer, connection);
            if (dialer != null) {
                dialer.attempt = 0;
            }
            if (old != null && old.channel != ctx.channel()) {
                LOG.log(Level.INFO, "node {0}: new connection from {1} replaces the old one", selfId.shortId(), peer.shortId());
                old.channel.close();
            } else {
                LOG.log(Level.INFO, "node {0}: connected to {1} ({2})", selfId.shortId(), peer.shortId(), ctx.channel().remoteAddress());
                notify(() -> listener.onConnected(peer));
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof byte[] message && peer != null) {
                NodeId from = peer;
                notify(() -> listener.onMessage(from, message));
            } else {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer != null && connections.remove(peer, connection)) {
                LOG.log(Level.INFO, "node {0}: disconnected from {1}", selfId.shortId(), peer.shortId());
                NodeId p = peer;
                notify(() -> listener.onDisconnected(p));
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // I/O errors and decoder errors; never includes message contents
            if (dialer == null && peer == null) {
                inboundFailures.closing(ctx.channel(), Refusal.IO_ERROR, cause.getClass().getSimpleName());
            } else {
                LOG.log(Level.WARNING, "closing connection {0}: {1}", ctx.channel().remoteAddress(), cause.getClass().getSimpleName());
            }
            ctx.close();
        }

        private void notify(Runnable call) {
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "transport listener threw {0}", e.getClass().getName());
            }
        }
    }

    /** Dials one higher member and redials after every loss; all state confined to {@link #loop}. */
    private final class Dialer {
        final NodeId peer;
        final InetSocketAddress address;
        final EventLoop loop;
        int attempt;
        boolean stopped;
        Channel channel;
        io.netty.util.concurrent.ScheduledFuture<?> retry;

        Dialer(NodeId peer, InetSocketAddress address, EventLoop loop) {
            this.peer = peer;
            this.address = address;
            this.loop = loop;
        }

        void connect() {
            retry = null;
            if (stopped || closed) return;
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            initOutbound(ch, Dialer.this);
                        }
                    });
            ChannelFuture f = b.connect(address);
            channel = f.channel();
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    LOG.log(Level.DEBUG, "node {0}: cannot reach {1} at {2}", selfId.shortId(), peer.shortId(), address);
                    scheduleRetry();
                } else {
                    // the channel is registered on this dialer's loop, so its listeners run there
                    f.channel().closeFuture().addListener(c -> scheduleRetry());
                }
            });
        }

        void scheduleRetry() {
            if (stopped || closed || retry != null) return;
            long delay = backoffNanos(attempt);
            attempt = Math.min(attempt + 1, 62);
            if (!loop.isShuttingDown()) {
                retry = loop.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
            }
        }

        void stop() {
            stopped = true;
            if (retry != null) retry.cancel(false);
            if (channel != null) channel.close();
        }
    }

    /** min(max, base·2^attempt), jittered uniformly into [d/2, d]; saturating, never overflows. */
    long backoffNanos(int attempt) {
        long base = config.reconnectBaseDelay().toNanos();
        long max = config.reconnectMaxDelay().toNanos();
        long d = attempt >= 62 || base > (max >> Math.min(attempt, 62)) ? max : Math.min(max, base << attempt);
        long half = d / 2;
        return half + ThreadLocalRandom.current().nextLong(d - half + 1);
    }
}
