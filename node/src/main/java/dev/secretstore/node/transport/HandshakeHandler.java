package dev.secretstore.node.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Drives a {@link NoiseIkHandshake} over a channel whose inbound messages are already split into
 * length-prefixed frames. On success it replaces itself with a {@link NoiseTransportHandler}; on
 * any failure it closes the connection. The responder sends nothing to an initiator that is not
 * allowed (SEC-17).
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(HandshakeHandler.class.getName());
    static final String NAME = "noise-handshake";

    private final NoiseIkHandshake handshake;
    private final boolean initiator;
    private final TransportConfig config;
    private final HandshakeFailureLog failures;
    private boolean sentMessage1;
    private boolean done;

    HandshakeHandler(NoiseIkHandshake handshake, boolean initiator, TransportConfig config) {
        this(handshake, initiator, config, HandshakeFailureLog.perLine(LOG));
    }

    HandshakeHandler(NoiseIkHandshake handshake, boolean initiator, TransportConfig config, HandshakeFailureLog failures) {
        this.handshake = handshake;
        this.initiator = initiator;
        this.config = config;
        this.failures = failures;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (initiator && !sentMessage1) {
            sentMessage1 = true;
            try {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(handshake.writeMessage1()));
            } catch (RuntimeException e) {
                fail(ctx, e);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
        if (done) {
            return; // cannot happen: the handler is replaced when done
        }
        try {
            NoiseSession session;
            if (initiator) {
                session = handshake.readMessage2(bytes);
            } else {
                handshake.readMessage1(bytes);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(handshake.writeMessage2()));
                session = handshake.session();
            }
            done = true;
            ctx.pipeline().replace(this, NoiseTransportHandler.NAME, new NoiseTransportHandler(session, config, failures));
        } catch (TransportException | IllegalStateException e) {
            fail(ctx, e);
        }
    }

    private void fail(ChannelHandlerContext ctx, RuntimeException e) {
        done = true;
        handshake.destroy();
        String reason = e instanceof TransportException te ? te.reason() + ": " + te.getMessage() : e.getClass().getSimpleName();
        failures.closing(ctx.channel(), e instanceof TransportException te ? Refusal.of(te.reason()) : Refusal.HANDSHAKE_FAILED,
                "handshake failed (" + reason + ")");
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            handshake.destroy();
        }
        ctx.fireChannelInactive();
    }
}
