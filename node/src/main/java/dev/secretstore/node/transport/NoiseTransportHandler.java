package dev.secretstore.node.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The transport codec after the handshake: inbound Noise transport messages (one per
 * length-prefixed frame) become application messages ({@code byte[]}); outbound {@code byte[]}
 * messages become encrypted frames. Keep-alives on writer idle; close on reader idle, on any
 * decryption or framing error (SEC-17), and when output has been pending without any write
 * completing for the read-idle timeout (a peer that sends but never reads, SEC-19/SEC-28).
 */
final class NoiseTransportHandler extends ChannelDuplexHandler {
    private static final System.Logger LOG = System.getLogger(NoiseTransportHandler.class.getName());
    static final String NAME = "noise-transport";
    static final String IDLE_NAME = "noise-idle";

    private final NoiseSession session;
    private final TransportFramer framer;
    private final TransportDeframer deframer;
    private final TransportConfig config;
    private final HandshakeFailureLog failures;
    private boolean confirmed;
    private boolean failed;
    private long idleIntervalsWithoutWrite;

    NoiseTransportHandler(NoiseSession session, TransportConfig config) {
        this(session, config, HandshakeFailureLog.perLine(LOG));
    }

    /** {@code failures} receives what closes the connection before the initiator's key confirmation. */
    NoiseTransportHandler(NoiseSession session, TransportConfig config, HandshakeFailureLog failures) {
        this.session = session;
        this.config = config;
        this.failures = failures;
        this.framer = new TransportFramer(session.sender(), config.maxMessageSize());
        this.deframer = new TransportDeframer(session.receiver(), config.maxMessageSize());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.pipeline().addBefore(ctx.name(), IDLE_NAME, new IdleStateHandler(
                config.readIdleTimeout().toNanos(), config.keepAliveInterval().toNanos(), 0, TimeUnit.NANOSECONDS));
        if (session.isInitiator()) {
            // the initiator's first transport frame confirms to the responder that it holds the keys
            ctx.writeAndFlush(Unpooled.wrappedBuffer(framer.keepAlive()));
            confirmed = true;
            ctx.pipeline().fireUserEventTriggered(new PeerAuthenticated(session.remoteStatic())); // from the head: the timeout handler sits before us
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (failed) {
            buf.release();
            return;
        }
        Optional<byte[]> message;
        try {
            try {
                message = deframer.accept(ByteBufUtil.getBytes(buf));
            } finally {
                buf.release();
            }
        } catch (TransportException e) {
            failed = true;
            if (confirmed) {
                LOG.log(Level.WARNING, "closing connection {0}: {1}: {2}", ctx.channel().remoteAddress(), e.reason(), e.getMessage());
            } else {
                failures.closing(ctx.channel(), Refusal.HANDSHAKE_FAILED, "key confirmation failed (" + e.reason() + ": " + e.getMessage() + ")");
            }
            ctx.close();
            return;
        }
        if (!confirmed) {
            confirmed = true;
            ctx.pipeline().fireUserEventTriggered(new PeerAuthenticated(session.remoteStatic())); // from the head: the timeout handler sits before us
        }
        message.ifPresent(ctx::fireChannelRead);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof byte[] message)) {
            ctx.write(msg, promise);
            return;
        }
        if (!confirmed || failed) {
            promise.setFailure(new TransportException(TransportException.Reason.NOT_CONNECTED, "connection is not established"));
            return;
        }
        List<byte[]> frames = new ArrayList<>(TransportFramer.frameCount(message.length));
        try {
            framer.encode(message, frames::add);
        } catch (TransportException e) {
            promise.setFailure(e);
            if (e.reason() != TransportException.Reason.MESSAGE_TOO_LARGE) {
                ctx.close();
            }
            return;
        }
        int last = frames.size() - 1;
        for (int i = 0; i < last; i++) {
            ctx.write(Unpooled.wrappedBuffer(frames.get(i)));
        }
        ctx.write(Unpooled.wrappedBuffer(frames.get(last)), promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                if (confirmed) {
                    LOG.log(Level.WARNING, "closing connection {0}: nothing received for {1} ms",
                            ctx.channel().remoteAddress(), Long.toString(config.readIdleTimeout().toMillis()));
                } else {
                    failures.closing(ctx.channel(), Refusal.HANDSHAKE_TIMEOUT, "no key confirmation in " + config.readIdleTimeout().toMillis() + " ms");
                }
                ctx.close();
            } else if (idle.state() == IdleState.WRITER_IDLE && confirmed && !failed) {
                // consecutive writer-idle events without any completed write: is output stuck?
                idleIntervalsWithoutWrite = idle.isFirst() ? 1 : idleIntervalsWithoutWrite + 1;
                if (hasPendingOutput(ctx) && idleIntervalsWithoutWrite * config.keepAliveInterval().toNanos()
                        >= config.readIdleTimeout().toNanos()) {
                    LOG.log(Level.WARNING, "closing connection {0}: peer has not read anything for {1} ms",
                            ctx.channel().remoteAddress(), Long.toString(config.readIdleTimeout().toMillis()));
                    ctx.close();
                    return;
                }
                ctx.writeAndFlush(Unpooled.wrappedBuffer(framer.keepAlive()));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static boolean hasPendingOutput(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out != null && out.totalPendingWriteBytes() > 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.destroy();
        ctx.fireChannelInactive();
    }
}
