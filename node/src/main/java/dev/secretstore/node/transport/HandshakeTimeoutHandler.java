package dev.secretstore.node.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that is not authenticated within the handshake timeout (SEC-17: 5 s by
 * default). Uses Netty's scheduler, which runs on {@code System.nanoTime} (SEC-19). Removes itself
 * on {@link PeerAuthenticated}.
 */
final class HandshakeTimeoutHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(HandshakeTimeoutHandler.class.getName());
    private final long timeoutNanos;
    private final HandshakeFailureLog failures;
    private ScheduledFuture<?> timer;

    HandshakeTimeoutHandler(long timeoutNanos) {
        this(timeoutNanos, HandshakeFailureLog.perLine(LOG));
    }

    HandshakeTimeoutHandler(long timeoutNanos, HandshakeFailureLog failures) {
        this.timeoutNanos = timeoutNanos;
        this.failures = failures;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (timer != null) return;
        timer = ctx.executor().schedule(() -> {
            if (ctx.channel().isOpen()) {
                failures.closing(ctx.channel(), Refusal.HANDSHAKE_TIMEOUT,
                        "handshake not completed in " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                ctx.close();
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof PeerAuthenticated) {
            cancel();
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
